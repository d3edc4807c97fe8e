/**
 * The server's metrics, in Prometheus's text format (prom-client). Counters are
 * fed as things happen: the relay through an extension of its own (`relay`),
 * the fan-out through its counters, HTTP through a middleware. Gauges of
 * state (connections, rooms, failing commits, the database) are read from the running server when scraped, so they cannot
 * drift from it. Node's own metrics come with prom-client's defaults, the
 * event loop's lag among them (`nodejs_eventloop_lag_seconds`): they describe
 * the process, so they are collected once per process, however many servers
 * it runs (tests run many).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Role } from '../../shared/roles.ts'
import type { SignInCountsHeld } from '../auth/sign-in-throttle.ts'
import type { HistoryReadCounters } from '../http/history-reads.ts'
import { importApplies } from '../import/apply-lane.ts'
import type { FanOutCounters } from '../relay/redis-fan-out.ts'
import type { RoomExtension } from '../relay/room-extension.ts'
import type { CommitHealth } from '../relay/room-registry.ts'
import type { Room } from '../relay/room.ts'
import type { Storage } from '../storage/storage.ts'
import type { JobName } from '../workers/jobs.ts'
import { IDLE_THREADS, type JobOutcome, type WorkerPoolLoad } from '../workers/worker-pool.ts'

/** What the gauges read at scrape time. */
export type MetricsSources = {
  rooms: { readonly loadedRooms: ReadonlyMap<string, Pick<Room, 'connections'>>; readonly idleRoomCount: number; commitHealth(): CommitHealth }
  storageHealth: { readonly unavailableSince: number | null }
  storage: Pick<Storage, 'walBytes'>
  workers: { readonly load: WorkerPoolLoad }
  signInThrottle: { readonly held: SignInCountsHeld }
  heldChanges: { readonly otherDeploymentFiles: number }
}

const ROLES: readonly Role[] = ['owner', 'editor', 'reviewer']

/** Worker jobs take from a few ms (a small board's diff) to the export's budget (a PDF of hundreds of pages). */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** A commit takes about 0.1 ms on SQLite and a few ms on PostgreSQL; the upper buckets catch a struggling database. */
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

export class Metrics {
  readonly registry = new Registry()
  /** Counts what the relay does: one of its extensions. */
  readonly relay: RoomExtension
  readonly fanOut: FanOutCounters
  /** Counts the costly history reads (server/http/history-reads.ts). */
  readonly historyReads: HistoryReadCounters
  /** Counts each worker job as it settles: the worker pool's `settled`. */
  readonly workerJobSettled: (job: JobName, outcome: JobOutcome, seconds: number) => void
  /** A board's history found ahead of the clock past HISTORY_CLOCK_TOLERANCE_MS and dated back to it (storage/future-history.ts). */
  readonly historyDatedBack: () => void
  /** Counts a request (HTTP or websocket upgrade) refused because its board's stored history cannot be applied. */
  readonly damagedBoardRefused: () => void
  /** Counts a compaction that failed (relay/compaction.ts): the board is tried again later, with a smaller slice when the fold overran. */
  readonly compactionFailed: () => void
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>
  private sources: MetricsSources | undefined

  constructor() {
    const registers = [this.registry]
    const counter = <Label extends string = never>(name: string, help: string, labelNames: readonly Label[] = []) =>
      new Counter<Label>({ name, help, labelNames, registers })

    this.httpRequests = counter('assay_http_requests_total', 'HTTP requests answered, by route pattern and status', ['method', 'route', 'status'])
    const updatesReceived = counter('assay_updates_received_total', 'Updates received from writers over websockets')
    const updatesCommitted = counter('assay_updates_committed_total', 'Updates committed to the update log (from websockets and HTTP)')
    const commitFailures = counter('assay_commit_failures_total', 'Commits of a batch of updates that failed (retried)')
    const commitDuration = new Histogram({ name: 'assay_commit_duration_seconds', help: 'Time to commit one batch of updates', buckets: COMMIT_BUCKETS, registers })
    const bytesRelayed = counter('assay_relayed_bytes_total', 'Bytes sent to websocket connections')
    const presenceStateBytes = counter(
      'assay_presence_state_bytes_total',
      'Bytes of presence states received from websocket connections, by outcome: read (parsed and stamped), or skipped unread (sent back unchanged, of client ids the connection may not hold, or outdone by a later entry of the same update)',
      ['outcome'],
    )
    const heldMergedBytes = counter(
      'assay_held_update_merged_bytes_total',
      'Bytes read by merging changes held for content their board lacks (a connection’s held parts, as a frame is held beside them or as they are tried again): a small multiple of what their senders sent',
    )
    const closes = counter('assay_connection_closes_total', 'Websocket connections closed by the server, by close code', ['code'])
    const loadChecks = counter(
      'assay_load_repair_examined_total',
      'Entries, settings, acknowledgements and bottom lines the load repair looked at as boards loaded: all of a board not yet found within today’s bounds, only what was written since otherwise (none on a board nobody changed)',
    )
    const resets = counter('assay_board_resets_total', 'Boards whose document a change left in an unknown state, loaded again from storage (their clients reconnect)')
    const redisMessages = counter('assay_redis_messages_total', 'Messages published to or received from the other instances through Redis', ['direction'])
    const catchUps = counter('assay_redis_catch_ups_total', 'Boards caught up from the update log, after Redis messages may have been missed or in the background')
    const catchUpRows = counter('assay_redis_catch_up_rows_total', 'Log rows read by catch-ups from the update log (the rows after those the board held, or its whole stored state)')
    const wholeCatchUps = counter('assay_redis_catch_ups_whole_total', 'Catch-ups that read the board’s whole stored state, the log having been thinned past what the board held or its rows since outweighing the latest checkpoint')
    const redisDropped = counter(
      'assay_redis_messages_dropped_total',
      'Messages from the other instances through Redis dropped unapplied, by reason: unreadable, or an update refused by the checks a member’s update gets, or unchecked (no worker thread, or the check failed); a board caught up from the update log for each update (alert on any: Redis vouches for nothing)',
      ['reason'],
    )
    const redisConnected = new Gauge({
      name: 'assay_redis_connected',
      help: 'With REDIS_URL: 1 while this instance publishes to and hears the other instances through Redis, 0 while it does not (it stays ready, its loaded boards caught up from the update log every REDIS_CATCH_UP_INTERVAL_MS: alert when it stays 0)',
      registers,
    })
    const catchUpsOwed = new Gauge({ name: 'assay_redis_catch_ups_owed', help: 'Boards loaded here whose catch-up from the update log failed, tried again until it succeeds (alert when it stays above 0)', registers })
    const historyReads = counter('assay_history_reads_total', 'Costly history reads asked for (as of a past time, editing sessions, listings of changes, snapshot models and states), by kind and outcome: served, or refused as too_many_history_reads or history_reads_busy', ['kind', 'outcome'])
    const historyDatedBack = counter(
      'assay_history_dated_back_total',
      'Writes, server starts and hourly sweeps that found a board’s history ahead of the server’s clock by more than HISTORY_CLOCK_TOLERANCE_MS and dated its later times back to the clock, one per board each time (a clock that was, or another instance’s that is, ahead: alert on any)',
    )
    this.historyDatedBack = () => historyDatedBack.inc()
    const historyReadsShared = counter('assay_history_reads_shared_total', 'History reads served by an identical one in flight instead of reading the log again, by kind', ['kind'])
    const damagedBoardRefusals = counter(
      'assay_damaged_board_refusals_total',
      'Requests and websocket joins refused (503 board_damaged) because a log row or checkpoint of their board cannot be applied; the log names each board and row once (alert when it grows)',
    )
    this.damagedBoardRefused = () => damagedBoardRefusals.inc()
    const compactionFailures = counter(
      'assay_compaction_failures_total',
      'Compactions of a board’s log that failed (over BOARD_STATE_TIME_BUDGET_MS, a worker or database failure), each tried again after a wait that doubles, with half the rows when it overran (alert when it keeps growing)',
    )
    this.compactionFailed = () => compactionFailures.inc()
    const historyReadsCached = counter('assay_history_reads_cached_total', 'History reads served by an identical one completed before, kept while the log is unchanged (HISTORY_READ_CACHE_BYTES), by kind', ['kind'])

    const state = <Label extends string = never>(name: string, help: string, collect: (gauge: Gauge<Label>, sources: MetricsSources) => void, labelNames: readonly Label[] = []) => {
      const gauge: Gauge<Label> = new Gauge<Label>({
        name,
        help,
        labelNames,
        registers,
        collect: () => {
          if (this.sources) collect(gauge, this.sources)
        },
      })
    }
    state('assay_rooms', 'Boards loaded on this instance', (gauge, { rooms }) => gauge.set(rooms.loadedRooms.size))
    state('assay_rooms_idle', 'Boards loaded on this instance that nobody has open, kept for ROOM_IDLE_MS', (gauge, { rooms }) => gauge.set(rooms.idleRoomCount))
    state(
      'assay_connections',
      'Open websocket connections, by role',
      (gauge, { rooms }) => {
        const counts = new Map<Role, number>(ROLES.map((role) => [role, 0]))
        for (const room of rooms.loadedRooms.values()) for (const connection of room.connections) counts.set(connection.role, (counts.get(connection.role) ?? 0) + 1)
        for (const [role, count] of counts) gauge.set({ role }, count)
      },
      ['role'],
    )
    state(
      'assay_boards_commit_failing',
      'Boards loaded here whose commits are failing, or whose oldest uncommitted edit has waited COMMIT_FAILING_NOTICE_MS (a slow or hanging database); their edits are kept in memory',
      (gauge, { rooms }) => gauge.set(rooms.commitHealth().failingRooms),
    )
    const secondsSince = (since: number | null) => (since === null ? 0 : (Date.now() - since) / 1000)
    state('assay_commit_failing_seconds', 'How long the oldest failing board has been failing (or late) to commit; 0 when none is', (gauge, { rooms }) =>
      gauge.set(secondsSince(rooms.commitHealth().oldestFailingSince)),
    )
    state('assay_oldest_uncommitted_seconds', 'How long the oldest edit not yet committed on any board loaded here has waited, whatever holds it up; 0 when none waits', (gauge, { rooms }) =>
      gauge.set(secondsSince(rooms.commitHealth().oldestUncommittedSince)),
    )
    const walBytes = new Gauge({
      name: 'assay_sqlite_wal_bytes',
      help: 'Bytes the SQLite write-ahead log file takes on disk (kept near SQLITE_WAL_LIMIT_MB under writes back to back, emptied a second after they stop); 0 on PostgreSQL',
      registers,
      // A stat of the file, off the event loop.
      collect: async () => {
        const bytes = await this.sources?.storage.walBytes?.()
        if (bytes !== undefined) walBytes.set(bytes)
      },
    })
    const workerJobs = new Histogram<'job' | 'outcome'>({
      name: 'assay_worker_job_duration_seconds',
      help: 'Worker jobs (diffs, imports, exports, snapshots, compaction merges), from being asked for to their end, by kind and outcome',
      labelNames: ['job', 'outcome'],
      buckets: JOB_BUCKETS,
      registers,
    })
    this.workerJobSettled = (job, outcome, seconds) => workerJobs.observe({ job, outcome }, seconds)
    const { warmMs, warmHeapMb, idleMs } = IDLE_THREADS
    const idleRule = `an idle one stops after ${warmMs / 60_000} minutes while its heap is under ${warmHeapMb} MiB, after ${idleMs / 60_000} otherwise`
    state('assay_worker_threads', `Worker threads started (${idleRule})`, (gauge, { workers }) => gauge.set(workers.load.threads))
    state('assay_worker_heap_bytes', 'Heap the worker threads hold, as each reported after its last job', (gauge, { workers }) => gauge.set(workers.load.heapBytes))
    state('assay_worker_jobs_running', 'Worker jobs running now', (gauge, { workers }) => gauge.set(workers.load.running))
    state(
      'assay_worker_lane_threads',
      'Worker threads started, by lane: general (WORKER_THREADS at most, any job) and short (WORKER_SHORT_LANE_THREADS at most, short jobs only: board reads, checks, snapshots, compaction)',
      (gauge, { workers }) => {
        for (const [lane, { threads }] of Object.entries(workers.load.lanes)) gauge.set({ lane }, threads)
      },
      ['lane'],
    )
    state(
      'assay_worker_lane_jobs_running',
      'Worker jobs running now, by lane and kind',
      (gauge, { workers }) => {
        gauge.reset()
        for (const [lane, { running }] of Object.entries(workers.load.lanes)) {
          for (const [job, count] of Object.entries(running)) gauge.set({ lane, job }, count)
        }
      },
      ['lane', 'job'],
    )
    state('assay_worker_jobs_queued', 'Worker jobs waiting for a thread (past WORKER_QUEUE_LIMIT they are refused as busy)', (gauge, { workers }) =>
      gauge.set(workers.load.queued),
    )
    state(
      'assay_sign_in_counts',
      'Sign-in counts held in this instance’s memory (with Redis, only those counted while it could not be reached), by store: accounts (the ceilings of accounts that exist) and others; each holds at most SIGN_IN_COUNTS_IN_MEMORY',
      (gauge, { signInThrottle }) => {
        const held = signInThrottle.held
        gauge.set({ store: 'accounts' }, held.accounts)
        gauge.set({ store: 'others' }, held.others)
      },
      ['store'],
    )
    // The lane is the process's, as the thread it spares is: every server of a process reads the same one.
    state('assay_import_applies_running', 'Imports being applied to their board and committed now, one at a time in the process (server/import/apply-lane.ts): 0 or 1', (gauge) =>
      gauge.set(importApplies.running),
    )
    state('assay_import_applies_waiting', 'Imports planned and waiting for the one being applied', (gauge) => gauge.set(importApplies.waiting))
    state(
      'assay_held_changes_other_deployment',
      'Files of HTTP changes answered 202 on another deployment (another database) that the replay at start left in DATA_DIR/held-changes: start a server on their database to store them, or move them out (alert on any)',
      (gauge, { heldChanges }) => gauge.set(heldChanges.otherDeploymentFiles),
    )
    state('assay_storage_available', '1 while the database answers, 0 while it is counted down', (gauge, { storageHealth }) =>
      gauge.set(storageHealth.unavailableSince === null ? 1 : 0),
    )

    this.relay = {
      name: 'metrics',
      onUpdateReceived: () => updatesReceived.inc(),
      onCommitted: (_room, { updates, seconds }) => {
        updatesCommitted.inc(updates)
        commitDuration.observe(seconds)
      },
      onCommitFailed: () => commitFailures.inc(),
      onRelayed: (bytes) => bytesRelayed.inc(bytes),
      onPresenceRead: (readBytes, skippedBytes) => {
        presenceStateBytes.inc({ outcome: 'read' }, readBytes)
        presenceStateBytes.inc({ outcome: 'skipped' }, skippedBytes)
      },
      onHeldMerged: (bytes) => heldMergedBytes.inc(bytes),
      onConnectionClosed: (_room, _connection, { code }) => closes.inc({ code: String(code) }),
      onReset: () => resets.inc(),
      onCheckedAtLoad: (_room, examined) => loadChecks.inc(examined),
    }
    this.fanOut = {
      published: () => redisMessages.inc({ direction: 'published' }),
      received: () => redisMessages.inc({ direction: 'received' }),
      caughtUp: ({ rows, whole }) => {
        catchUps.inc()
        catchUpRows.inc(rows)
        if (whole) wholeCatchUps.inc()
      },
      catchUpsOwed: (boards) => catchUpsOwed.set(boards),
      connected: (connected) => redisConnected.set(connected ? 1 : 0),
      dropped: (reason) => redisDropped.inc({ reason }),
    }
    this.historyReads = {
      asked: (kind, outcome) => historyReads.inc({ kind, outcome }),
      shared: (kind) => historyReadsShared.inc({ kind }),
      cached: (kind) => historyReadsCached.inc({ kind }),
    }
  }

  /** The running server's parts that the gauges read when scraped. */
  watch(sources: MetricsSources): void {
    this.sources = sources
  }

  countRequest(method: string, route: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) })
  }

  get contentType(): string {
    return this.registry.contentType
  }

  render(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics()
  }
}

let processRegistry: Registry | undefined

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}
