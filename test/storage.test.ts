import { getTableColumns, getTableName, is, Table } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as pgSchema from '../drizzle/pg/schema.ts'
import * as sqliteSchema from '../drizzle/sqlite/schema.ts'
import { foldLog } from '../server/history/fold-log.ts'
import { BoardRowGone, ClientIdTaken, isReferenceGone } from '../server/storage/storage-errors.ts'
import { WRITER_IDS_PER_ACCOUNT, WRITER_IDS_SLACK, type Storage } from '../server/storage/storage.ts'
import { Gate } from './helpers/gate.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { openFreshStorage, type FreshStorage } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

function tables(schema: Record<string, unknown>): Record<string, string[]> {
  const result: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(schema)) {
    if (is(value, Table)) result[name] = [getTableName(value), ...Object.values(getTableColumns(value)).map((c) => c.name).sort()]
  }
  return result
}

describe('schemas', () => {
  it('declare the same tables and columns under the same names in both dialects', () => {
    expect(Object.keys(tables(sqliteSchema)).length).toBeGreaterThan(10)
    expect(tables(pgSchema)).toEqual(tables(sqliteSchema))
  })
})

/** An update that adds `text` to a shared text, as a client would send it. */
function textUpdate(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  doc.getText('t').insert(doc.getText('t').length, text)
  return Y.encodeStateAsUpdate(doc, before)
}

function textOf(state: { checkpoint: Uint8Array | null; updates: Uint8Array[] }): string {
  const doc = new Y.Doc()
  if (state.checkpoint) Y.applyUpdate(doc, state.checkpoint)
  for (const update of state.updates) Y.applyUpdate(doc, update)
  const text = doc.getText('t').toString()
  doc.destroy()
  return text
}

describeEachDialect(postgresMissing, 'storage on %s', (dialect) => {
  let storage: Storage
  let fresh: FreshStorage
  const source = new Y.Doc()

  beforeEach(async () => {
    fresh = await openFreshStorage(dialect)
    storage = fresh.storage
    for (const id of ['b', 'other']) await storage.boards.create({ id, title: id, createdAt: '2026-01-01T00:00:00.000Z', createdBy: null })
  })
  afterEach(async () => {
    await fresh.destroy()
  })

  it('creates, lists and deletes boards', async () => {
    await storage.boards.create({ id: 'b1', title: 'One', createdAt: '2026-01-01T00:00:00.000Z', createdBy: null })
    await storage.boards.create({ id: 'b2', title: 'Two', createdAt: '2026-01-02T00:00:00.000Z', createdBy: null })
    // Oldest first, ties by id: `b` and `other` are every test's.
    expect((await storage.boards.list()).map((b) => b.title)).toEqual(['b', 'One', 'other', 'Two'])
    await storage.log.append('b1', [{ update: textUpdate(source, 'x'), origin: 'test' }])
    await storage.boards.delete('b1')
    expect(await storage.boards.get('b1')).toBeUndefined()
    expect(await storage.log.count('b1')).toBe(0)
  })

  it('stores nothing more for a board once its row is gone: an append is refused whole, and a compaction folding it meanwhile writes nothing', async () => {
    const doc = new Y.Doc()
    await storage.log.append('b', [{ update: textUpdate(doc, 'a'), origin: 'x' }])
    const folding = new Gate()
    folding.hold()
    const compaction = storage.log.compact('b', async (checkpoint, rows) => {
      await folding.pass()
      return foldLog(checkpoint, rows)
    })
    await waitFor(() => folding.waiting === 1, 'the compaction to have read the log')
    await storage.boards.delete('b')
    folding.release()
    expect(await compaction).toEqual({ mergedRows: 0, checkpointBytes: 0, changeBytes: 0, recordedByAuthor: new Map() })
    for (const entries of [1, 3]) {
      const refused = await storage.log.append('b', Array.from({ length: entries }, () => ({ update: textUpdate(doc, 'z'), origin: 'x' }))).catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(BoardRowGone)
      expect(isReferenceGone(refused)).toBe(true)
    }
    expect(await storage.log.append('never-made', [{ update: textUpdate(doc, 'z'), origin: 'x' }]).catch((error: unknown) => error)).toBeInstanceOf(BoardRowGone)
    expect(await storage.history.size('b')).toMatchObject({ rows: 0, checkpoints: 0, changes: 0 })
    expect(await storage.log.append('other', [{ update: textUpdate(new Y.Doc(), 'kept'), origin: 'x' }])).toBeGreaterThan(0)
    doc.destroy()
  })

  it('keeps who first wrote each client id of a board: another account’s append under it refused whole, each account’s own oldest dropped down to its bound once past it by the slack, gone with the board', async () => {
    const doc = new Y.Doc()
    const append = (userId: string, clients: number[], board = 'b') => storage.log.append(board, [{ update: textUpdate(doc, 'x'), origin: `ws:${userId}`, firstWrites: [{ userId, clients }] }])
    await append('vera', [7, 8])
    await append('vera', [8])
    await append('mallory', [8], 'other')
    const taken = await storage.log
      .append('b', [
        { update: textUpdate(doc, 'y'), origin: 'ws:mallory', firstWrites: [{ userId: 'mallory', clients: [9] }] },
        { update: textUpdate(doc, 'z'), origin: 'ws:mallory', firstWrites: [{ userId: 'mallory', clients: [10, 7] }] },
      ])
      .catch((error: unknown) => error)
    expect(taken).toBeInstanceOf(ClientIdTaken)
    expect((taken as ClientIdTaken).entry).toBe(1)
    expect(await storage.log.count('b')).toBe(2)
    expect(await storage.log.writers('b')).toEqual([
      { clientId: 7, userId: 'vera' },
      { clientId: 8, userId: 'vera' },
    ])

    const mallorys = async () => (await storage.log.writers('b')).filter((writer) => writer.userId === 'mallory').map((writer) => writer.clientId)
    const held = WRITER_IDS_PER_ACCOUNT + WRITER_IDS_SLACK
    for (let first = 1000; first < 1000 + held; first += 16) await append('mallory', Array.from({ length: 16 }, (_, index) => first + index))
    expect(await mallorys()).toHaveLength(held)
    await append('mallory', Array.from({ length: 16 }, (_, index) => 1000 + held + index))
    expect(await mallorys()).toEqual(Array.from({ length: WRITER_IDS_PER_ACCOUNT }, (_, index) => 1000 + held + 16 - WRITER_IDS_PER_ACCOUNT + index))
    const writers = await storage.log.writers('b')
    expect(writers.filter((writer) => writer.userId === 'vera')).toHaveLength(2)

    await storage.boards.delete('b')
    expect(await storage.log.writers('b')).toEqual([])
    expect(await storage.log.writers('other')).toEqual([{ clientId: 8, userId: 'mallory' }])
    doc.destroy()
  })

  it('appends in order, loads checkpoint plus the log after it, and compacts in one step', async () => {
    const doc = new Y.Doc()
    const first = await storage.log.append('b', [
      { update: textUpdate(doc, 'a'), origin: 'ws:1' },
      { update: textUpdate(doc, 'b'), origin: 'ws:1' },
    ])
    const second = await storage.log.append('b', [{ update: textUpdate(doc, 'c'), origin: 'server' }])
    expect(second).toBeGreaterThan(first)
    await storage.log.append('other', [{ update: textUpdate(new Y.Doc(), 'zzz'), origin: 'ws:2' }])
    const loaded = await storage.log.load('b')
    expect(loaded.checkpoint).toBeNull()
    expect(loaded.updates).toHaveLength(3)
    expect(loaded.lastSeq).toBe(second)
    expect(textOf(loaded)).toBe('abc')

    const compacted = await storage.log.compact('b', foldLog)
    // The size of the checkpoint it wrote: what the relay spaces a board's next compaction by.
    expect(compacted).toEqual({ mergedRows: 3, checkpointBytes: (await storage.history.checkpoints('b')).at(-1)!.bytes, changeBytes: expect.any(Number), recordedByAuthor: expect.any(Map) })
    expect(compacted.checkpointBytes).toBeGreaterThan(0)
    expect(await storage.log.count('b')).toBe(0)
    expect(await storage.log.count('other')).toBe(1)
    await storage.log.append('b', [{ update: textUpdate(doc, 'd'), origin: 'ws:1' }])
    const reloaded = await storage.log.load('b')
    expect(reloaded.checkpoint).not.toBeNull()
    expect(reloaded.updates).toHaveLength(1)
    expect(textOf(reloaded)).toBe('abcd')
    expect(await storage.log.compact('b', foldLog)).toEqual({ mergedRows: 1, checkpointBytes: expect.any(Number), changeBytes: expect.any(Number), recordedByAuthor: expect.any(Map) })
    expect(textOf(await storage.log.load('b'))).toBe('abcd')
    expect(await storage.log.compact('b', foldLog)).toEqual({ mergedRows: 0, checkpointBytes: 0, changeBytes: 0, recordedByAuthor: new Map() })
    doc.destroy()
  })

  it('reads for a catch-up the rows after those a room holds, across a compaction', async () => {
    const doc = new Y.Doc()
    // A first row heavier than the one after it: on PostgreSQL a catch-up whose rows outweigh the latest checkpoint
    // reads the stored state instead (pg-update-log.ts), which is not what this case is about.
    const first = await storage.log.append('b', [{ update: textUpdate(doc, 'a'.repeat(100)), origin: 'ws:1' }])
    const loaded = await storage.log.load('b')
    expect(loaded.completeThrough).toBe(first)
    const second = await storage.log.append('b', [{ update: textUpdate(doc, 'b'), origin: 'ws:1' }])
    await storage.log.append('other', [{ update: textUpdate(new Y.Doc(), 'zzz'), origin: 'ws:2' }])
    await storage.log.compact('b', foldLog)
    // The rows stay after a compaction: only the one after what the room holds is read.
    const since = await storage.log.loadSince('b', loaded.completeThrough)
    expect(since).toMatchObject({ checkpoint: null, whole: false, completeThrough: second })
    expect(since.updates).toHaveLength(1)
    expect(textOf({ checkpoint: null, updates: [...loaded.updates, ...since.updates] })).toBe(`${'a'.repeat(100)}b`)
    doc.destroy()
  })

  it('names the rows after the latest checkpoint as the tail holds them, through appends and compactions', async () => {
    const doc = new Y.Doc()
    const named = async (boardId: string) => {
      const tail = await storage.history.tail(boardId)
      return { throughSeq: tail.throughSeq, rows: tail.rows.length, lastSeq: tail.rows.at(-1)?.seq ?? null }
    }
    expect(await storage.history.tailState('b')).toEqual({ throughSeq: 0, rows: 0, lastSeq: null })
    const second = await storage.log.append('b', [
      { update: textUpdate(doc, 'a'), origin: 'ws:1' },
      { update: textUpdate(doc, 'b'), origin: 'ws:1' },
    ])
    await storage.log.append('other', [{ update: textUpdate(new Y.Doc(), 'z'), origin: 'ws:2' }])
    expect(await storage.history.tailState('b')).toEqual({ throughSeq: 0, rows: 2, lastSeq: second })
    await storage.log.compact('b', foldLog)
    expect(await storage.history.tailState('b')).toEqual({ throughSeq: second, rows: 0, lastSeq: null })
    const third = await storage.log.append('b', [{ update: textUpdate(doc, 'c'), origin: 'ws:1' }])
    expect(await storage.history.tailState('b')).toEqual({ throughSeq: second, rows: 1, lastSeq: third })
    for (const boardId of ['b', 'other', 'none']) expect(await storage.history.tailState(boardId)).toEqual(await named(boardId))
    doc.destroy()
  })

  it('weighs a board as a load reads it: its latest checkpoint and the rows after it, before and after a compaction', async () => {
    const doc = new Y.Doc()
    const updates = [textUpdate(doc, 'a'), textUpdate(doc, 'bc')]
    await storage.log.append('b', updates.map((update) => ({ update, origin: 'ws:1' })))
    await storage.log.append('other', [{ update: textUpdate(new Y.Doc(), 'z'), origin: 'ws:2' }])
    const weighed = async () => {
      const loaded = await storage.log.load('b')
      return [loaded.checkpoint, ...loaded.updates].reduce((bytes, part) => bytes + (part?.byteLength ?? 0), 0)
    }
    expect(await storage.log.bytes('b')).toBe(updates[0]!.byteLength + updates[1]!.byteLength)
    await storage.log.compact('b', foldLog)
    const late = textUpdate(doc, 'd')
    await storage.log.append('b', [{ update: late, origin: 'ws:1' }])
    expect(await storage.log.bytes('b')).toBe((await storage.history.checkpoints('b')).at(-1)!.bytes + late.byteLength)
    expect(await storage.log.bytes('b')).toBe(await weighed())
    expect(await storage.log.bytes('none')).toBe(0)
    doc.destroy()
  })

  it('keeps rows appended while a compaction runs', async () => {
    const doc = new Y.Doc()
    await storage.log.append('b', [{ update: textUpdate(doc, 'a'), origin: 'x' }])
    const late = textUpdate(doc, 'b')
    const compaction = storage.log.compact('b', (checkpoint, rows) => foldLog(checkpoint, rows))
    await storage.log.append('b', [{ update: late, origin: 'x' }])
    await compaction
    expect(textOf(await storage.log.load('b'))).toBe('ab')
    doc.destroy()
  })

  it('lets only one of two overlapping compactions write, and loses no row', async () => {
    const doc = new Y.Doc()
    await storage.log.append('b', [{ update: textUpdate(doc, 'a'), origin: 'x' }])
    // The first compaction reads "a", then merges slowly (as in a busy worker thread) ...
    const folding = new Gate()
    folding.hold()
    const first = storage.log.compact('b', async (checkpoint, rows) => {
      await folding.pass()
      return foldLog(checkpoint, rows)
    })
    await waitFor(() => folding.waiting === 1, 'the first compaction to have read the log')
    // ... while "b" is appended and a second compaction folds both.
    await storage.log.append('b', [{ update: textUpdate(doc, 'b'), origin: 'x' }])
    expect(await storage.log.compact('b', foldLog)).toEqual({ mergedRows: 2, checkpointBytes: expect.any(Number), changeBytes: expect.any(Number), recordedByAuthor: expect.any(Map) })
    folding.release()
    // Writing its older checkpoint now would drop "b": it must give up instead.
    expect(await first).toEqual({ mergedRows: 0, checkpointBytes: 0, changeBytes: 0, recordedByAuthor: new Map() })
    expect(textOf(await storage.log.load('b'))).toBe('ab')
    doc.destroy()
  })

  it('counts the writes of commands holding the serving lock exclusive, from 0', async () => {
    expect(await storage.exclusiveWrites.count()).toBe(0)
    await storage.exclusiveWrites.note()
    await Promise.all([storage.exclusiveWrites.note(), storage.exclusiveWrites.note()])
    expect(await storage.exclusiveWrites.count()).toBe(3)
  })

  it('keeps each board’s last bounds check, the later in place of the earlier, gone with the board and never written for one that is gone', async () => {
    const first = { bounds: 'rules-1', stateVector: Uint8Array.of(1, 7, 3) }
    const later = { bounds: 'rules-2', stateVector: Uint8Array.of(2, 7, 5, 9, 1) }
    expect(await storage.boundsChecks.get('b')).toBeNull()
    await storage.boundsChecks.record('b', first)
    await storage.boundsChecks.record('other', first)
    await storage.boundsChecks.record('b', later)
    expect(await storage.boundsChecks.get('b')).toEqual(later)
    await storage.boards.delete('b')
    expect(await storage.boundsChecks.get('b')).toBeNull()
    await storage.boundsChecks.record('b', first)
    expect(await storage.boundsChecks.get('b')).toBeNull()
    expect(await storage.boundsChecks.get('other')).toEqual(first)
  })

  it('tells every instance on the database one deployment identity, and another database another', async () => {
    const identities = await Promise.all([storage.deployment.identity(), storage.deployment.identity()])
    expect(identities[1]).toBe(identities[0])
    const other = await openFreshStorage(dialect)
    try {
      expect(await other.storage.deployment.identity()).not.toBe(identities[0])
    } finally {
      await other.destroy()
    }
  })
})
