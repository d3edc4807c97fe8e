/**
 * The board as of a past time: its log rows and its checkpoint are read in a
 * worker thread through a read-only connection of its own, never through the
 * relay's, on SQLite and on PostgreSQL. better-sqlite3 answers synchronously,
 * so on the relay's connection four members' as-of reads of a board of 100,000
 * keystroke rows held the relay's thread some 200 ms a read, a page at a time,
 * and /healthz waited up to 160 ms at p99 against 6 ms idle; postgres.js takes
 * each page of rows apart on the thread that asked for it (BENCHMARKS.md). The relay's
 * storage here counts what it is asked to read of the history: a rebuild of a
 * past time (`?asOf=`, `/history/state`) and the checks of one (a read for an
 * export or snapshot of a past time) ask it for where the history starts, and
 * for no row and no checkpoint's state.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { perTest } from '../helpers/per-test.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type Dialect } from '../helpers/test-server.ts'
import { typeRows } from '../helpers/typed-rows.ts'

/** More than one page of rows (2,000) on each side of the checkpoint, so that the thread's read turns pages too. */
const ROWS = 5_000

/** The history reads the relay's own storage was asked for: rows (a page each) and checkpoints' states. */
const readOnRelay = { rowPages: 0, checkpointStates: 0 }

function countedHistory(storage: Storage): Storage {
  const { history } = storage
  return {
    ...storage,
    history: Object.assign(Object.create(history) as typeof history, {
      rowsUpTo: (...args: Parameters<typeof history.rowsUpTo>) => {
        readOnRelay.rowPages++
        return history.rowsUpTo(...args)
      },
      checkpointState: (...args: Parameters<typeof history.checkpointState>) => {
        readOnRelay.checkpointStates++
        return history.checkpointState(...args)
      },
    }),
  }
}

const clock = testClock()

/** /healthz asked again and again until stopped, each answer's status kept: the relay's thread answers it between the read's steps. */
function pollHealth(url: string): { stop(): Promise<{ answered: number; statuses: Set<number> }> } {
  let stopped = false
  const statuses = new Set<number>()
  let answered = 0
  const polling = (async () => {
    while (!stopped) {
      const response = await fetch(`${url}/healthz`)
      await response.arrayBuffer()
      statuses.add(response.status)
      answered++
    }
  })()
  return {
    async stop() {
      stopped = true
      await polling
      return { answered, statuses }
    },
  }
}

describe.each<Dialect>(['sqlite', 'postgres'])('on %s', (dialect) => {
  const running = perTest(
    () => startTestServer({ dialect, accounts: true, clock, wrapStorage: countedHistory, env: { METRICS_TOKEN, COMPACT_AFTER_ROWS: '10000000' } }),
    (server) => server.destroy(),
  )

  it("reads a past time's rows and checkpoint in a worker thread, none through the relay's connection, /healthz answering throughout", async () => {
    const { token } = await addToken(running, await addAccount(running, { name: 'Olga Owner' }))
    const api = apiClient(running.url, { authorization: `Bearer ${token}` })
    const boardId = await api.createBoard('Typed')
    const typing = new Y.Doc()
    clock.advance(MINUTE)
    await typeRows(running, boardId, typing, ROWS)
    const { services } = running
    await services.storage.log.compact(boardId, (checkpoint, rows) => services.workers.run('merge-state', { checkpoint, rows }))
    clock.advance(MINUTE)
    await typeRows(running, boardId, typing, ROWS)
    typing.destroy()
    const past = clock.advance(MINUTE)
    clock.advance(MINUTE)
    readOnRelay.rowPages = 0
    readOnRelay.checkpointStates = 0

    // The checkpoint and the rows after it, rebuilt: every keystroke is there.
    const polled = pollHealth(running.url)
    const state = await fetch(`${running.url}/api/boards/${boardId}/history/state?asOf=${encodeURIComponent(past)}`, { headers: { authorization: `Bearer ${token}` } })
    expect(state.status).toBe(200)
    const rebuilt = new Y.Doc()
    Y.applyUpdate(rebuilt, new Uint8Array(await state.arrayBuffer()))
    expect(rebuilt.getText('notes').length).toBe(2 * ROWS)
    rebuilt.destroy()
    // The checks of that time read its log for a version, as an export of it does.
    expect((await api.get(`/api/boards/${boardId}/checks?asOf=${encodeURIComponent(past)}`)).status).toBe(200)

    const health = await polled.stop()
    expect(health.answered).toBeGreaterThan(0)
    expect(health.statuses).toEqual(new Set([200]))
    expect(readOnRelay).toEqual({ rowPages: 0, checkpointStates: 0 })
    const readsInThreads = sample(await metricsText(running), 'assay_worker_job_duration_seconds_count', { job: 'read-past-log', outcome: 'done' })
    expect(readsInThreads).toBe(2)
  }, 120_000)
})
