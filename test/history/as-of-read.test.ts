/**
 * The board as of a moment is read a page of rows at a time, so the history
 * may be compacted and thinned between two pages: the rows the read had not
 * reached yet are then gone, folded into a checkpoint. The read sees where it
 * starts has moved and begins again from that checkpoint, instead of giving
 * back the board short of those rows as if it were exact. On SQLite (whose
 * pages of 2,000 rows leave the gap open) and PostgreSQL.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { foldLog } from '../../server/history/fold-log.ts'
import { readAsOfLog } from '../../server/history/as-of-log.ts'
import { applyStoredState } from '../../server/relay/merge-state.ts'
import type { HistoryStore, LogEntry, RowsUpTo, Storage } from '../../server/storage/storage.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { HOUR, MINUTE, testClock, type TestClock } from '../helpers/test-clock.ts'
import { openFreshStorage, type FreshStorage } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

const BOARD = 'thinned-while-read'
const ROWS = 5_000

describeEachDialect(postgresMissing, 'reading the board as of a moment on %s', (dialect) => {
  let fresh: FreshStorage
  let storage: Storage
  let clock: TestClock

  beforeEach(async () => {
    clock = testClock()
    fresh = await openFreshStorage(dialect, clock)
    storage = fresh.storage
    await storage.boards.create({ id: BOARD, title: 'Thinned while read', createdAt: clock.iso(), createdBy: null })
  })
  afterEach(async () => {
    await fresh.destroy()
  })

  it('begins again from the checkpoint that thinning left between two pages', async () => {
    const typing = new Y.Doc()
    const rows: LogEntry[] = []
    typing.on('update', (update: Uint8Array) => rows.push({ update, origin: 'ws:ana' }))
    for (let i = 0; i < ROWS; i++) typing.getText('notes').insert(i, 'x')
    typing.destroy()
    await storage.log.append(BOARD, rows)
    clock.advance(MINUTE)
    const asOf = clock.iso()
    clock.advance(HOUR)

    // After the first page: the board is folded, and its rows older than half an hour are dropped.
    const { history } = storage
    let starts = 0
    let thinned = false
    const interleaved: HistoryStore = Object.assign(Object.create(history) as HistoryStore, {
      startAt: (boardId: string, at: string) => {
        starts++
        return history.startAt(boardId, at)
      },
      async *rowsUpTo(boardId: string, range: RowsUpTo) {
        for await (const page of history.rowsUpTo(boardId, range)) {
          yield page
          if (thinned) continue
          thinned = true
          await storage.log.compact(boardId, foldLog)
          await history.thin(boardId, { detailMs: 30 * MINUTE, checkpointEveryMs: HOUR, retentionMs: 0, maxBytes: 2 ** 40 }, clock.iso())
        }
      },
    })

    const read = await readAsOfLog({ storage: { ...storage, history: interleaved } }, BOARD, asOf)
    expect(read?.kind).toBe('kept')
    if (read?.kind !== 'kept') return
    expect(thinned).toBe(true)
    const rebuilt = new Y.Doc()
    applyStoredState(rebuilt, read.log)
    expect(rebuilt.getText('notes').length).toBe(ROWS)
    rebuilt.destroy()
    expect(read.exact).toBe(true)
    // Read twice: the second time from the checkpoint, which holds every row.
    expect(read.log.checkpoint).not.toBeNull()
    expect(starts).toBe(4)
  })
})
