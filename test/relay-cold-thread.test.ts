/**
 * An honest update dear to check that needs a worker thread started for it,
 * against the real server whose threads start slowly, as on a loaded machine
 * (slow-thread-start.ts): the relay waits for the thread it is starting rather
 * than tell the sender it is too busy (1013) and have its client send the
 * whole update again. The pool was idle: nothing else held its thread.
 */
import { describe, expect, it } from 'vitest'
import { blufText } from '../shared/board-doc.ts'
import { apiClient } from './helpers/api.ts'
import { slowStartingThreads } from './helpers/slow-thread-start.ts'
import { startTestServer } from './helpers/test-server.ts'
import { perTest } from './helpers/per-test.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

/** Past the 2 s an update waits for a busy pool's thread to start its check (update-checks.ts). */
const THREAD_START_MS = 3000
/** Typed backwards, so that no two merge: each a struct to check, 480 KB of check cost, checked in a worker thread. */
const CHARACTERS = 10_000

describe('an update dear to check while its worker thread is still starting', () => {
  const server = perTest(() => startTestServer({ workerEntry: slowStartingThreads(THREAD_START_MS), env: { METRICS_TOKEN } }), (started) => started.destroy())
  const connect = clientsDestroyedAfterEach()

  it('is checked on the thread once it has started and applied, its sender never closed', async () => {
    const boardId = await apiClient(server.url).createBoard('Cold thread')
    const [writer, watcher] = [connect(server.wsUrl, boardId), connect(server.wsUrl, boardId)]
    await Promise.all([writer.synced(), watcher.synced()])
    const writerCloses = closeCodes(writer)
    writer.doc.transact(() => {
      for (let i = 0; i < CHARACTERS; i++) blufText(writer.doc).insert(0, 'x')
    })
    await waitFor(() => blufText(watcher.doc).length === CHARACTERS, 'the update at the watcher', 60_000)
    expect(writerCloses).toEqual([])
    // Checked once, on the thread started for it, and never refused for want of one.
    const metrics = await metricsText(server)
    const checks = (outcome: string) => sample(metrics, 'assay_worker_job_duration_seconds_count', { job: 'check-update', outcome }) ?? 0
    expect([checks('done'), checks('busy')]).toEqual([1, 0])
  })
})
