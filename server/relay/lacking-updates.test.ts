import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { lackingUpdates } from './lacking-updates.ts'
import { packUpdates } from './merge-state.ts'

/** A log of keystrokes from two writers, some deleting what the other typed: one row each. */
function typedLog() {
  const rows: Uint8Array[] = []
  const writers = [new Y.Doc(), new Y.Doc()]
  for (const writer of writers) writer.on('update', (update: Uint8Array) => rows.push(update))
  for (let key = 0; key < 200; key++) {
    const writer = writers[key % 2]!
    const text = writer.getText('judgment')
    if (key % 7 === 6) text.delete(0, 1)
    else text.insert(text.length, String(key % 10))
    // Each writer hears the other's keystroke before its next, as through the relay.
    Y.applyUpdate(writers[(key + 1) % 2]!, rows.at(-1)!)
  }
  return { rows, expected: writers[0]!.getText('judgment').toString() }
}

function applied(doc: Y.Doc, updates: readonly Uint8Array[]): Y.Doc {
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc
}

describe('what of a catch-up read a room lacks', () => {
  it('is only the deletions when the room holds every row', () => {
    const { rows, expected } = typedLog()
    const room = applied(new Y.Doc(), rows)
    const lacking = lackingUpdates({ checkpoint: null, updates: packUpdates(rows), stateVector: Y.encodeStateVector(room) })
    expect(lacking).toHaveLength(1)
    expect(Y.decodeUpdate(lacking[0]!).structs).toEqual([])
    expect(applied(room, lacking).getText('judgment').toString()).toBe(expected)
  })

  it('gives a room that missed rows, and their deletions, the same board as the whole read', () => {
    const { rows, expected } = typedLog()
    // Every third row missed, as from Redis messages lost: what it holds past one it lacks waits in Yjs's pending.
    const room = applied(
      new Y.Doc(),
      rows.filter((_, index) => index % 3 !== 0),
    )
    const lacking = lackingUpdates({ checkpoint: null, updates: packUpdates(rows), stateVector: Y.encodeStateVector(room) })
    expect(lacking.length).toBeLessThan(rows.length)
    applied(room, lacking)
    expect(room.getText('judgment').toString()).toBe(expected)
    expect(room.store.pendingStructs).toBeNull()
    expect(room.store.pendingDs).toBeNull()
  })

  it('reads a checkpoint like a row: kept whole when the room lacks any of it', () => {
    const { rows, expected } = typedLog()
    const checkpoint = Y.encodeStateAsUpdate(applied(new Y.Doc(), rows.slice(0, 150)))
    const room = applied(new Y.Doc(), rows.slice(0, 100))
    const lacking = lackingUpdates({ checkpoint, updates: packUpdates(rows.slice(150)), stateVector: Y.encodeStateVector(room) })
    expect(lacking[0]).toBe(checkpoint)
    expect(applied(room, lacking).getText('judgment').toString()).toBe(expected)
  })
})
