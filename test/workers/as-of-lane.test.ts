/**
 * Reads of a board as of past times, each replaying tens of thousands of rows
 * after the last kept checkpoint, while another member reads a board of their
 * own. The rebuild (`board-as-of`) was a short job whatever it replayed: an
 * editor and a reviewer keeping two each in flight, at different times so that
 * no read shares another's work, held the pool's general thread and its short
 * lane, and the owner's board reads waited 0.7 to 2.5 s behind them (red team
 * 33a). Now a rebuild replaying more rows than a live board read ever does
 * runs on the general threads only: the owner's read is answered by the short
 * lane while the as-of reads still run, none of them on the short lane.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { perTest } from '../helpers/per-test.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { typeRows } from '../helpers/typed-rows.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** Keystrokes typed between two of the past times read: each rebuild replays 60,000 to 150,000 of them, a second or more of a thread. */
const ROWS_PER_STEP = 30_000
const STEPS = 5

const clock = testClock()
// One general thread, as on 2 cores; a rebuild budget far past the test's, which stops the reads itself; room for the
// owner's read beside the four computations of the past (HISTORY_READS_PER_INSTANCE bounds them apart from the lanes).
const running = perTest(
  () => startTestServer({ accounts: true, clock, env: { METRICS_TOKEN, WORKER_THREADS: '1', BOARD_STATE_TIME_BUDGET_MS: '600000', HISTORY_READS_PER_INSTANCE: '8' } }),
  (server) => server.destroy(),
)

/** A member's headers, signed in by an API token. */
async function member(on: TestServer, boardId: string, name: string, role: 'editor' | 'reviewer'): Promise<{ authorization: string }> {
  const account = await addAccount(on, { name })
  await addMember(on, boardId, account, role)
  return { authorization: `Bearer ${(await addToken(on, account)).token}` }
}

it("answers another member's board read on the short lane while two members' as-of reads replay long logs", async () => {
  const ownerAccount = await addAccount(running, { name: 'Olga Owner' })
  const owner = apiClient(running.url, { authorization: `Bearer ${(await addToken(running, ownerAccount)).token}` })
  const warmUpBoard = await owner.createBoard('Small, read first')
  const ownBoard = await owner.createBoard('Small')
  const typedBoard = await owner.createBoard('Typed')
  const editor = await member(running, typedBoard, 'Eddie Editor', 'editor')
  const reviewer = await member(running, typedBoard, 'Rita Reviewer', 'reviewer')

  const typing = new Y.Doc()
  const pastTimes: string[] = []
  for (let step = 0; step < STEPS; step++) {
    clock.advance(MINUTE)
    await typeRows(running, typedBoard, typing, ROWS_PER_STEP)
    pastTimes.push(clock.advance(MINUTE))
  }
  typing.destroy()
  clock.advance(MINUTE)

  const metrics = async () => metricsText(running)
  const runningOn = async (lane: 'general' | 'short', job: string) => sample(await metrics(), 'assay_worker_lane_jobs_running', { lane, job }) ?? 0
  const done = async (job: string) => sample(await metrics(), 'assay_worker_job_duration_seconds_count', { job, outcome: 'done' }) ?? 0
  const events: string[] = []
  const stopReads = new AbortController()
  const readAsOf = (asOf: string, headers: { authorization: string }) =>
    fetch(`${running.url}/api/boards/${typedBoard}?asOf=${encodeURIComponent(asOf)}`, { headers, signal: stopReads.signal }).then(
      (response) => events.push(`as-of answered ${response.status}`),
      () => events.push('as-of stopped'),
    )
  const asOfReads: Promise<number>[] = []

  // The lanes' jobs as they change: a rebuild of the past on the short lane, and the owner's read there beside one on the general lane.
  let pastOnShortLane = false
  let readBesidePast = false
  const watchLanes = setInterval(() => {
    const { general, short } = running.services.workers.load.lanes
    pastOnShortLane ||= (short.running['board-as-of'] ?? 0) > 0
    readBesidePast ||= (short.running['read-board'] ?? 0) > 0 && (general.running['board-as-of'] ?? 0) > 0
  }, 1)
  try {
    // The longest rebuild first, alone: the owner's first read waits for a thread and starts the short lane's.
    asOfReads.push(readAsOf(pastTimes.at(-1)!, editor))
    await waitFor(async () => (await runningOn('general', 'board-as-of')) === 1, 'the first as-of read running', 120_000)
    expect((await owner.get(`/api/boards/${warmUpBoard}`)).status).toBe(200)
    expect(sample(await metrics(), 'assay_worker_lane_threads', { lane: 'short' })).toBe(1)

    // Then two members keep three more in flight, each of another time: the owner reads once two rebuilds are asked for.
    asOfReads.push(readAsOf(pastTimes[1]!, reviewer), readAsOf(pastTimes[2]!, reviewer), readAsOf(pastTimes[3]!, editor))
    const rebuildsRunning = async () => (await runningOn('general', 'board-as-of')) + (await runningOn('short', 'board-as-of'))
    // Under a loaded run the later reads may be answered (refused or done) before two are ever in the pool at once; a
    // rebuild running then is all the owner's read needs beside it.
    const laterAnswered = () => events.some((event) => event.startsWith('as-of'))
    await waitFor(
      async () => (await rebuildsRunning()) >= 1 && (running.services.workers.load.running + running.services.workers.load.queued >= 2 || laterAnswered()),
      'two rebuilds asked for, or a later one answered, one running',
      120_000,
    )
    readBesidePast = false
    const readsBefore = await done('read-board')
    const read = await owner.get<{ title: string }>(`/api/boards/${ownBoard}`)
    events.push(`read answered ${read.status}`)

    // Answered while as-of reads are still in flight, by a job the short lane ran beside a rebuild on the general
    // thread; and no rebuild of the past ever took the short lane.
    expect(read.status).toBe(200)
    expect(read.body.title).toBe('Small')
    expect(events.filter((event) => event.startsWith('as-of')).length).toBeLessThan(asOfReads.length)
    expect(await done('read-board')).toBeGreaterThan(readsBefore)
    expect(readBesidePast).toBe(true)
    expect(pastOnShortLane).toBe(false)
  } finally {
    clearInterval(watchLanes)
    stopReads.abort()
    await Promise.all(asOfReads)
  }
  await waitFor(() => running.services.workers.load.running === 0 && running.services.workers.load.queued === 0, 'the pool idle once the reads are stopped', 240_000)
}, 300_000)
