/**
 * The client ids a board's room writes under itself: its document's own (HTTP
 * edits, load-time migrations) and the one its stamps write under
 * (stamped-fields.ts). Yjs draws both at random for
 * every room, and every id written stays in the board's document for good, in
 * every state vector a page sends and is sent: an editor who had the board's
 * room unloaded between HTTP edits (ROOM_IDLE_MS, or ROOM_IDLE_MAX by opening
 * 65 boards of her own) added an id a load, 251 in a minute, outside
 * NEW_CLIENTS_PER_HOUR (client-writers.ts), which counts members' ids only.
 *
 * So when a room that wrote under them unloads with everything saved, this
 * process keeps its ids and their clocks (`ServerClientIdKeeper`), and the
 * board's next room here writes under them again, each only if the board as
 * loaded holds that id at exactly the clock kept (`reusable`): then nothing
 * was written under it since, here or elsewhere, and the stored board holds
 * all it wrote, so Yjs goes on at the next clock as one client would. Any
 * other clock (a reset dropped what was not saved; a restore from a backup)
 * draws a fresh id. Each id is stored as the server's (SERVER_WRITER) with the
 * update first written under it, and told so to the other instances with the
 * commit (relayed-commit.ts), so that no member may write under it, nor
 * claim its presence, on any instance.
 *
 * Two ids, not one: Yjs takes a transaction that applies an update for a
 * remote one, and gives the document a new id whenever such a transaction
 * wrote under the document's own (its check for another client using it), so
 * the stamps made while a member's update is applied cannot be written under
 * the document's own id.
 *
 * Per process: another instance writes under its own ids, and a restart draws
 * new ones, so a board gains at most two ids an instance start that writes to
 * it, none a member can cause at will. The map is bounded (KEPT_BOARDS, the
 * longest kept dropped first); a board dropped from it draws fresh ids on its
 * next load, which takes someone having the server write to that many other
 * boards here first.
 */
import * as Y from 'yjs'

/** A client id the room wrote under, and its clock (the next one) as it unloaded. */
export type KeptClientId = { clientId: number; clock: number }

/** The ids a board's room wrote under: its document's own, and its stamps'. */
export type ServerClientIds = { own: KeptClientId | null; stamps: KeptClientId | null }

/** Boards whose ids are kept while unloaded: some 200 bytes each. */
export const KEPT_BOARDS = 10_000

export class ServerClientIdKeeper {
  private readonly kept = new Map<string, ServerClientIds>()

  /** Keeps what an unloading room wrote under, saved: the board's next room here may write under it again. */
  keep(boardId: string, ids: ServerClientIds): void {
    this.kept.delete(boardId)
    if (ids.own === null && ids.stamps === null) return
    this.kept.set(boardId, ids)
    for (const longest of this.kept.keys()) {
      if (this.kept.size <= KEPT_BOARDS) break
      this.kept.delete(longest)
    }
  }

  /** What was kept for the board, handed over once. */
  take(boardId: string): ServerClientIds | undefined {
    const ids = this.kept.get(boardId)
    this.kept.delete(boardId)
    return ids
  }

  clear(): void {
    this.kept.clear()
  }
}

/** The kept id, when `doc` (the board as loaded) holds it at exactly the kept clock; else null, and a fresh id is to be written under. */
export function reusable(doc: Y.Doc, kept: KeptClientId | null | undefined): number | null {
  return kept && Y.getState(doc.store, kept.clientId) === kept.clock ? kept.clientId : null
}

/** `clientId` with its clock in `doc`, when something was written under it. */
export function writtenUnder(doc: Y.Doc, clientId: number | undefined): KeptClientId | null {
  if (clientId === undefined) return null
  const clock = Y.getState(doc.store, clientId)
  return clock > 0 ? { clientId, clock } : null
}

/** Runs `write` with `doc` writing under `clientId`, then under its own again: Yjs names the items a transaction makes after the doc's client id. */
export function underClientId(doc: Y.Doc, clientId: number, write: () => void): void {
  const own = doc.clientID
  doc.clientID = clientId
  try {
    write()
  } finally {
    doc.clientID = own
  }
}
