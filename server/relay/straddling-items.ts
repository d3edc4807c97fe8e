/**
 * Items that begin at a clock the board's document holds for their client
 * already and end past it: the struct the document holds at that client's
 * last clock, resent with more after it. An honest client sends one when the
 * update it sent before reached the room before its answer to the room's
 * sync (a run it typed, merged in its document, written from the clock the
 * room asked for then), or when another instance relayed part of the run
 * first. Yjs integrates only the part past the document's state, and links it
 * after the struct the document holds at the client's last clock, whatever
 * the item says; but it counts the item in the parent the item names (or its
 * neighbours name), and every check here reads that one (item-landing.ts). So
 * a hostile client could send an item checked as landing in one type, linked
 * after an item of another and counted in a third:
 * - after a collected struct (GC) of its own, where Yjs finds no neighbour to
 *   compare and throws halfway through the apply, after the structs before it
 *   were integrated: the room reset for everyone (room.ts, `reset`), and, the
 *   collected struct being stored, again at every frame;
 * - after the value of a card's `order`, named as going into the bottom line:
 *   the room read the card's order as it was, every client and every reload
 *   read the item's text as it, and an honest editor's next move of that card
 *   was refused for good; the value it had left standing made Yjs throw
 *   collecting the card once it was deleted.
 * An honest straddling item continues its client's run where it was written,
 * so it lands where the struct held before it does: the relay refuses one that
 * does not, or that follows a collected struct and would land anywhere.
 */
import * as Y from 'yjs'
import { landingOfHeld, sameLanding, type Landing } from './item-landing.ts'

/** Why the update holds an item that does not continue where its client's held struct lies, or null. */
export function misplacedContinuation(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  for (const { item, landing } of landings) {
    const { client, clock } = item.id
    const state = Y.getState(doc.store, client)
    // Only the item that holds the client's last held clock and goes past it; the landing null: Yjs holds it until its neighbour comes, or drops it.
    if (clock >= state || clock + item.length <= state || landing === null) continue
    const held = Y.getItem(doc.store, Y.createID(client, state - 1))
    const where = `update's item ${client}:${clock} of ${item.length} units continues ${client}:${state - 1}`
    if (!(held instanceof Y.Item)) {
      if (!intoCollectedType(doc, landing)) return `${where}, which the board holds collected, and would land in a type the board holds`
      continue
    }
    const heldLanding = landingOfHeld(held)
    if (heldLanding === null || !sameLanding(landing, heldLanding)) return `${where}, which the board holds elsewhere than the item says it goes`
  }
  return null
}

/**
 * Whether an item that lands so is dropped by Yjs (made a collected struct):
 * its parent, named by id, is collected or no longer a type (deleted with its
 * content). An honest client's run continues in a type the room collected
 * when a card was deleted meanwhile; its neighbours, collected with it, make
 * the landing null already, unless it named the type itself.
 */
function intoCollectedType(doc: Y.Doc, { parent }: NonNullable<Landing>): boolean {
  if (typeof parent === 'string' || Y.getState(doc.store, parent.client) <= parent.clock) return false
  const held = Y.getItem(doc.store, parent)
  return !(held instanceof Y.Item) || !(held.content instanceof Y.ContentType)
}
