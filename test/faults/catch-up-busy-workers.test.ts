/**
 * A catch-up while a member's long job holds the worker pool, across two
 * instances on one PostgreSQL and Redis. A catch-up of more than 64 KiB of
 * rows is sifted in a worker thread; it waited behind whatever members had
 * running there: with the only thread held by one member's PDF export, a
 * client on the instance that missed edits during a Redis blip saw them only
 * once the export had ended or overrun, a minute later. A sifting no
 * thread starts within a second is applied on the relay's thread instead,
 * and the job is never started (server/workers/worker-pool.test.ts); and the
 * sifting is a short job, which the pool's short lane runs while the export
 * holds the general thread (red team 32b).
 */
import { expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { apiClient } from '../helpers/api.ts'
import { instancesAfterEach } from '../helpers/instances.ts'
import { wordsText } from '../helpers/large-inputs.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { redisBack, redisLost } from '../helpers/redis-status.ts'

const missing = await missingServices('postgres', 'redis')

/** How long the edits may take to reach the other instance's client once Redis is back, however long the export would run: a bound, not a measurement. */
const BACK_MS = 120_000
/** Batches of cards of long judgments on the member's board: its PDF holds the only thread for tens of seconds. */
const HEAVY_BATCHES = 3
const HEAVY_BATCH_CARDS = 60
/** Cards written while Redis is away, their rows together past the 64 KiB a catch-up applies without sifting. */
const MISSED_CARDS = 5
const MISSED_JUDGMENT_CHARS = 19_000

/** How many `job` jobs settled with `outcome` on `server`, as the metrics count them. */
const jobs = async (server: TestServer, job: string, outcome: string) => sample(await metricsText(server), 'assay_worker_job_duration_seconds_count', { job, outcome }) ?? 0

describeUnless(missing)('a catch-up while members hold the worker pool', () => {
  const { start, connect, redisThroughProxy } = instancesAfterEach()

  it("reaches the other instance's client while a member's export still holds the only general worker thread", async () => {
    const other = await start({ env: { METRICS_TOKEN } })
    const { proxy, redisUrl } = await redisThroughProxy()
    // An export budget far past the test's: the export ends only when the test stops it.
    const env = { METRICS_TOKEN, READINESS_TIMEOUT_MS: '500', WORKER_THREADS: '1', EXPORT_TIME_BUDGET_MS: '600000' }
    const busy = await start({ database: other.database, redisUrl, env })
    const api = apiClient(busy.url)

    // Written on the other instance, so that the busy one loads only the edited board: a board written there would be
    // loaded too, and its own catch-up after the blip (its rows since it was loaded, sifted) could start on the thread
    // the export frees, within the second it is given.
    const heavyApi = apiClient(other.url)
    const heavy = await heavyApi.createBoard('Heavy')
    for (let batch = 0; batch < HEAVY_BATCHES; batch++) {
      const operations = Array.from({ length: HEAVY_BATCH_CARDS }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `Card ${batch}.${i}`, judgment: wordsText(20_000, 7) } }))
      expect((await heavyApi.post(`/api/boards/${heavy}/batch`, { operations })).status).toBe(200)
    }

    const boardId = await api.createBoard('Edited elsewhere')
    const client = connect(busy, boardId)
    await client.synced()
    await redisBack(busy.url)
    await waitFor(async () => (sample(await metricsText(busy), 'assay_redis_catch_ups_total') ?? 0) >= 1, 'the catch-up that follows the subscription')

    // A member's PDF export takes the busy instance's only worker thread.
    const events: string[] = []
    const stopExport = new AbortController()
    const exported = fetch(`${busy.url}/api/boards/${heavy}/export?format=pdf`, { signal: stopExport.signal }).then(
      () => events.push('export answered'),
      () => events.push('export stopped'),
    )
    await waitFor(() => busy.services.workers.load.running === 1, 'the export to run')

    // Redis goes away from the busy instance; the cards are written on the other meanwhile.
    proxy.cut()
    await redisLost(busy.url)
    for (let card = 0; card < MISSED_CARDS; card++) {
      const written = await apiClient(other.url).post(`/api/boards/${boardId}/assessments`, { title: `Missed ${card}`, judgment: wordsText(MISSED_JUDGMENT_CHARS, card) })
      expect(written.status).toBe(201)
    }
    proxy.restore()

    await waitFor(() => boardToModel(client.doc, boardId).assessments.length === MISSED_CARDS, 'the missed cards at the busy instance’s client', BACK_MS)
    events.push('cards arrived')
    // Before the export ended: it still holds the general thread, and the catch-up's sifting ran on the short lane's.
    expect(events).toEqual(['cards arrived'])
    expect(busy.services.workers.load).toMatchObject({ running: 1, queued: 0, lanes: { general: { running: { 'export-board': 1 } } } })
    expect(await jobs(busy, 'lacking-updates', 'done')).toBeGreaterThanOrEqual(1)

    stopExport.abort()
    await exported
    await waitFor(() => busy.services.workers.load.running === 0 && busy.services.workers.load.queued === 0, 'the pool idle once the export is stopped')
    expect(await jobs(busy, 'lacking-updates', 'busy')).toBe(0)
  }, 4 * BACK_MS)
})
