/**
 * The byte cap on a board's history, in storage on SQLite and PostgreSQL:
 * days of edits at known times, compacted as the relay does; a cap below what
 * is kept drops the oldest history first until the rest fits, and a cap
 * smaller than the board itself leaves exactly what loads it (the latest
 * checkpoint and the rows after it), which still rebuilds the board.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../../shared/board-convert.ts'
import { assessmentText, initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment, updateAssessment } from '../../shared/board-mutations.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { foldLog } from '../../server/history/fold-log.ts'
import { historyBytes } from '../../server/history/thin-history.ts'
import type { HistoryPolicy, Storage } from '../../server/storage/storage.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { DAY, HOUR, MINUTE, testClock, type TestClock } from '../helpers/test-clock.ts'
import { openFreshStorage, type FreshStorage } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

const BOARD = 'capped'
const LIKELIHOODS = [1, 2, 3, 4, 5, 6, 7] as const

describeEachDialect(postgresMissing, 'the history byte cap on %s', (dialect) => {
  let storage: Storage
  let fresh: FreshStorage
  let clock: TestClock
  const doc = new Y.Doc()

  beforeEach(async () => {
    clock = testClock()
    fresh = await openFreshStorage(dialect, clock)
    storage = fresh.storage
    await storage.boards.create({ id: BOARD, title: 'Capped', createdAt: clock.iso(), createdBy: null })
  })
  afterEach(async () => {
    await fresh.destroy()
  })

  /** One committed edit, a minute after the last, stored as the relay stores a writer's update. */
  const edit = async (by: string, change: (doc: Y.Doc) => void) => {
    const updates: Uint8Array[] = []
    const collect = (update: Uint8Array) => updates.push(update)
    doc.on('update', collect)
    change(doc)
    doc.off('update', collect)
    clock.advance(MINUTE)
    await storage.log.append(BOARD, [{ update: Y.mergeUpdates(updates), origin: `ws:${by}` }])
  }

  /** The board as storage loads it. */
  const loaded = async (): Promise<BoardModel> => {
    const stored = await storage.log.load(BOARD)
    const board = new Y.Doc()
    if (stored.checkpoint) Y.applyUpdate(board, stored.checkpoint)
    for (const update of stored.updates) Y.applyUpdate(board, update)
    const model = boardToModel(board, BOARD)
    board.destroy()
    return model
  }

  // Some 300 commits, 15 compactions and three thinnings: the time a loaded machine may need.
  it('drops the oldest history first until the rest fits, down to what loads the board', async () => {
    await edit('ana', (d) => initBoardDoc(d, { title: 'Capped' }))
    const ids: string[] = []
    await edit('ana', (d) => ids.push(addAssessment(d, { title: 'Wagner moves north', judgment: '' })))
    await edit('ben', (d) => ids.push(addAssessment(d, { title: 'Belarus hosts the group', judgment: '' })))
    // Five days, three sessions a day, each compacted: a checkpoint per session, each one larger.
    for (let day = 0; day < 5; day++) {
      for (let session = 0; session < 3; session++) {
        for (let i = 0; i < 20; i++) {
          const id = ids[i % ids.length]!
          await edit(i % 2 === 0 ? 'ana' : 'ben', (d) => {
            assessmentText(d, id, 'judgment').insert(0, `Reading ${day}.${session}.${i} of the reports from the border. `)
            updateAssessment(d, id, { likelihood: LIKELIHOODS[i % LIKELIHOODS.length]! })
          })
        }
        await storage.log.compact(BOARD, foldLog)
        clock.advance(3 * HOUR)
      }
      clock.advance(DAY - 9 * HOUR)
    }
    // Edits after the latest checkpoint: with it, what loads the board.
    for (let i = 0; i < 5; i++) await edit('cleo', (d) => assessmentText(d, ids[0]!, 'title').insert(0, '!'))
    const live = boardToModel(doc, BOARD)
    expect(await loaded()).toEqual(live)
    clock.advance(HOUR)

    const policy = (maxBytes: number): HistoryPolicy => ({ detailMs: DAY, checkpointEveryMs: HOUR, retentionMs: 365 * DAY, maxBytes })
    await storage.history.thin(BOARD, policy(2 ** 40), clock.iso())
    const beforeCap = await storage.history.checkpoints(BOARD)
    const full = await storage.history.size(BOARD)
    expect(beforeCap.length).toBeGreaterThan(4)
    expect(full.changes).toBeGreaterThan(0)

    // Half the bytes: the oldest checkpoints go, the newest stay, and the rest fits.
    const cap = Math.floor(historyBytes(full) / 2)
    const dropped = await storage.history.thin(BOARD, policy(cap), clock.iso())
    expect(dropped.checkpointsDropped).toBeGreaterThan(0)
    const capped = await storage.history.size(BOARD)
    expect(historyBytes(capped)).toBeLessThanOrEqual(cap)
    const afterCap = await storage.history.checkpoints(BOARD)
    expect(afterCap.map((c) => c.throughSeq)).toEqual(beforeCap.slice(-afterCap.length).map((c) => c.throughSeq))
    const oldest = afterCap[0]!
    const gone = await storage.history.startAt(BOARD, beforeCap[0]!.at)
    expect(gone.keptFrom).toBe(oldest.at)
    // Who changed what before the moments dropped went with them.
    const lastDropped = beforeCap[beforeCap.length - afterCap.length - 1]!
    const recorded = await storage.history.changes(BOARD, { limit: 10_000 })
    expect(recorded.filter((change) => change.at < lastDropped.at)).toEqual([])
    expect(await loaded()).toEqual(live)

    // A cap smaller than the board: only the latest checkpoint and the rows after it remain.
    const latest = beforeCap.at(-1)!
    await storage.history.thin(BOARD, policy(1), clock.iso())
    expect((await storage.history.checkpoints(BOARD)).map((c) => c.throughSeq)).toEqual([latest.throughSeq])
    const minimal = await storage.history.size(BOARD)
    expect(minimal).toMatchObject({ checkpoints: 1, rows: 5, changes: 0 })
    expect(await storage.log.count(BOARD)).toBe(5)
    expect(await loaded()).toEqual(live)
    // The board as of now is still rebuilt, and who made the newest edits is still worked out from their rows.
    const now = await storage.history.startAt(BOARD, clock.iso())
    expect(now.keptFrom).toBeNull()
    const origins: string[] = []
    for await (const page of storage.history.rowsUpTo(BOARD, { afterSeq: now.checkpoint!.throughSeq, at: clock.iso() })) origins.push(...page.map((row) => row.origin))
    expect(origins).toEqual(Array(5).fill('ws:cleo'))
  }, 120_000)
})
