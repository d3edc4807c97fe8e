import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { LogEntry } from '../storage/storage.ts'
import { batchRows } from './batch-rows.ts'

/** `count` keystrokes of `writers` people typing into one text each, in turn, as a batch of the relay holds them: each its own update. */
function keystrokes(writers: number, count: number): Uint8Array[] {
  const docs = Array.from({ length: writers }, () => new Y.Doc())
  const updates: Uint8Array[] = []
  for (const doc of docs) doc.on('update', (update: Uint8Array) => updates.push(update))
  for (let i = 0; i < count; i++) {
    const text = docs[i % writers]!.getText(`card ${i % writers}`)
    text.insert(text.length, 'y')
    if (i % 7 === 6) text.delete(0, 1)
  }
  return updates
}

function docOf(updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc()
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc
}

/** Whether `rows` hold what `updates` do: the same clocks, and each of the others adds nothing to a doc of the one. */
function holdsTheSame(rows: readonly LogEntry[], updates: readonly Uint8Array[]): boolean {
  const [stored, typed] = [docOf(rows.map((row) => row.update)), docOf(updates)]
  let added = 0
  for (const doc of [stored, typed]) doc.on('update', () => added++)
  for (const update of updates) Y.applyUpdate(stored, update)
  for (const row of rows) Y.applyUpdate(typed, row.update)
  const texts = (doc: Y.Doc) => [...doc.share.keys()].sort().map((name) => doc.getText(name).toString())
  return added === 0 && texts(stored).join('|') === texts(typed).join('|') && stored.store.pendingStructs === null && stored.store.pendingDs === null
}

const entry = (update: Uint8Array, origin: string, more: Partial<LogEntry> = {}): LogEntry => ({ update, origin, ...more })

describe("a batch's log rows", () => {
  it('stores a run of one origin in one row holding what its entries hold', () => {
    const updates = keystrokes(20, 800)
    const { rows, starts } = batchRows(updates.map((update) => entry(update, 'ws:a')))
    expect(rows).toHaveLength(1)
    expect(starts).toEqual([0])
    expect(rows[0]!.origin).toBe('ws:a')
    expect(holdsTheSame(rows, updates)).toBe(true)
  })

  it('keeps each origin, batch mark and first writes on rows of their own', () => {
    const updates = keystrokes(4, 8)
    const mark = { id: 'batch', tried: true }
    const firstWrites = [{ userId: 'b', clients: [1] }]
    const entries = [
      entry(updates[0]!, 'ws:a'),
      entry(updates[1]!, 'ws:a'),
      entry(updates[2]!, 'ws:b'),
      entry(updates[3]!, 'ws:b', { firstWrites }),
      entry(updates[4]!, 'ws:b'),
      entry(updates[5]!, 'ws:b', { batch: mark }),
      entry(updates[6]!, 'server'),
      entry(updates[7]!, 'ws:a'),
      entry(updates[8]!, 'ws:a'),
    ]
    const { rows, starts } = batchRows(entries)
    expect(starts).toEqual([0, 2, 3, 5, 6, 7])
    expect(rows.map((row) => row.origin)).toEqual(['ws:a', 'ws:b', 'ws:b', 'ws:b', 'server', 'ws:a'])
    expect(rows[2]!.firstWrites).toBe(firstWrites)
    expect(rows[3]!.batch).toBe(mark)
    expect(rows.filter((row) => row.firstWrites !== undefined || row.batch !== undefined)).toHaveLength(2)
    // A run of one is stored as it came.
    expect(rows[1]!.update).toBe(updates[2])
    expect(holdsTheSame(rows, updates.slice(0, entries.length))).toBe(true)
  })

  it('stores nothing for an empty batch', () => {
    expect(batchRows([])).toEqual({ rows: [], starts: [] })
  })
})
