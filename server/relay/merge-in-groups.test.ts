import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MERGE_GROUP, mergeInGroups } from './merge-in-groups.ts'

/**
 * The updates of `writers` docs editing one board at once, in the order a
 * relay would take them: each writer types into a text of its own and into a
 * shared one, deletes some of what it typed, and sets map values, and every
 * writer sees the others' changes only now and then, so their edits interleave.
 */
function interleavedUpdates(writers: number, rounds: number): Uint8Array[] {
  const docs = Array.from({ length: writers }, () => new Y.Doc())
  const updates: Uint8Array[] = []
  // Only what each writer made itself, as its client sends it: applying the others' changes emits them again.
  for (const doc of docs) doc.on('update', (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => transaction.local && updates.push(update))
  let seen = 0
  let seed = 7
  const next = (below: number) => (seed = (seed * 48271) % 2147483647) % below
  for (let round = 0; round < rounds; round++) {
    docs.forEach((doc, i) => {
      const own = doc.getText(`own ${i}`)
      own.insert(next(own.length + 1), 'abc'.charAt(next(3)))
      if (own.length > 4 && next(4) === 0) own.delete(next(own.length - 1), 2)
      const shared = doc.getText('shared')
      shared.insert(next(shared.length + 1), 'x')
      if (next(5) === 0) doc.getMap('cards').set(`card ${next(10)}`, round)
    })
    if (round % 7 === 6) {
      const fresh = updates.slice(seen)
      seen = updates.length
      for (const doc of docs) for (const update of fresh) Y.applyUpdate(doc, update)
    }
  }
  return updates
}

function applied(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

describe('merging many updates in groups', () => {
  it.each([1, MERGE_GROUP, MERGE_GROUP + 1, 20 * MERGE_GROUP, MERGE_GROUP * MERGE_GROUP + 3])('gives the content of one Y.mergeUpdates over them all (%i updates)', (count) => {
    const updates = interleavedUpdates(12, Math.ceil(count / 12) + 10).slice(0, count)
    expect(updates).toHaveLength(count)
    const inGroups = applied(mergeInGroups(updates))
    const atOnce = applied(Y.mergeUpdates(updates))
    expect(Y.encodeStateAsUpdate(inGroups)).toEqual(Y.encodeStateAsUpdate(atOnce))
    expect(inGroups.toJSON()).toEqual(atOnce.toJSON())
    // Nothing waits for content: every update's structs and deletions were merged in.
    expect(inGroups.store.pendingStructs).toBeNull()
    expect(inGroups.store.pendingDs).toBeNull()
  })

  it('keeps content that depends on other updates of the same group or another', () => {
    const updates = interleavedUpdates(3, 200)
    // Later updates first: each group then holds structs whose neighbours come in other groups.
    const reversed = [...updates].reverse()
    const doc = applied(mergeInGroups(reversed))
    const reference = applied(Y.mergeUpdates(updates))
    expect(doc.toJSON()).toEqual(reference.toJSON())
    expect(doc.store.pendingStructs).toBeNull()
  })
})
