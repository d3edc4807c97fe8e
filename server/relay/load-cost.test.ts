/**
 * structsAddedAtMost bounds, from each transaction alone, the structs a
 * document gains (board-size-limit.ts relies on it between two counts of all
 * it holds): pinned against Yjs's splitting, so an upgrade that splits more
 * fails here.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { structsAddedAtMost, structsHeld } from './load-cost.ts'
import { piecesOf } from './transaction-pieces.ts'

/** A document that sums structsAddedAtMost over every transaction it takes, as Room.structsAdded does. */
function bounded(doc: Y.Doc): () => number {
  let added = 0
  doc.on('update', (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    added += structsAddedAtMost(piecesOf(transaction))
  })
  return () => added
}

/** A deterministic stream of numbers below `n` (a linear congruential generator). */
function numbers(seed: number): (n: number) => number {
  let state = seed
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state % n
  }
}

describe('structsAddedAtMost', () => {
  it('counts two structs a range for deleting every other character of one item, what that leaves', () => {
    const doc = new Y.Doc()
    const text = doc.getText('notes')
    text.insert(0, 'ab'.repeat(500))
    const added = bounded(doc)
    const before = structsHeld(doc)
    doc.transact(() => {
      for (let at = 1; at <= 500; at++) text.delete(at, 1)
    })
    expect(structsHeld(doc) - before).toBe(999)
    expect(added()).toBe(1_000)
  })

  it('counts three structs for a character typed inside an item, which it splits', () => {
    const doc = new Y.Doc()
    const text = doc.getText('notes')
    text.insert(0, 'abcdef')
    const added = bounded(doc)
    text.insert(3, 'x')
    expect([structsHeld(doc), added()]).toEqual([3, 3])
  })

  it('bounds what three writers’ concurrent inserts and deletions add to the document they sync with', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const next = numbers(seed)
      const writers = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
      writers[0]!.getText('notes').insert(0, 'abcdefghijklmnopqrstuvwxyz'.repeat(4))
      const board = new Y.Doc()
      const sync = () => {
        for (const writer of writers) Y.applyUpdate(board, Y.encodeStateAsUpdate(writer, Y.encodeStateVector(board)))
        for (const writer of writers) Y.applyUpdate(writer, Y.encodeStateAsUpdate(board, Y.encodeStateVector(writer)))
      }
      sync()
      const added = bounded(board)
      const start = structsHeld(board)
      for (let step = 0; step < 30; step++) {
        const writer = writers[next(3)]!
        const text = writer.getText('notes')
        writer.transact(() => {
          for (let edits = next(5) + 1; edits > 0; edits--) {
            if (next(2) === 1 && text.length > 2) {
              const at = next(text.length - 1)
              text.delete(at, 1 + next(Math.min(3, text.length - at)))
            } else text.insert(next(text.length + 1), 'xy'.slice(0, 1 + next(2)))
          }
        })
        if (next(3) === 0) {
          sync()
          expect(structsHeld(board) - start).toBeLessThanOrEqual(added())
        }
      }
      for (const doc of [...writers, board]) doc.destroy()
    }
  })
})
