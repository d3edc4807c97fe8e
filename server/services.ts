/**
 * The long-lived parts of a server process, made once at start-up and handed to
 * the HTTP app, the relay and the command line.
 */
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { Access } from './access/access.ts'
import { accountAccess } from './access/account-access.ts'
import { openSocketRights } from './access/open-socket-rights.ts'
import { hourlyAllowances, type HourlyAllowances } from './access/hourly-allowance.ts'
import { connectSharedCounts } from './access/shared-counts.ts'
import { freshIdClaims } from './relay/fresh-id-claims.ts'
import { ensureAdminAccount } from './auth/accounts.ts'
import { BoardSummaries } from './boards/board-summaries.ts'
import { ProcessTurns, type BoardTurns } from './boards/board-turns.ts'
import { PreparedChanges } from './boards/prepared-changes.ts'
import { startSessionSweeper } from './auth/sessions.ts'
import { PasswordChecks } from './auth/password-checks.ts'
import { SignInThrottle } from './auth/sign-in-throttle.ts'
import { systemClock, type Clock } from './clock.ts'
import { watchedClock } from './watched-clock.ts'
import type { Config } from './config.ts'
import { accountOf } from './history/authors.ts'
import { historyPolicy } from './history/history-policy.ts'
import { createHistorySweep, type HistorySweepResult } from './history/history-sweep.ts'
import { TailChanges } from './history/tail-changes.ts'
import { StorageHealth } from './health/storage-health.ts'
import { HistoryReads } from './http/history-reads.ts'
import { InFlightPerPerson, tooManyImports, tooManyPreviews } from './http/imports-in-flight.ts'
import { connectionLimits, OpenConnections } from './http/open-connections.ts'
import { RequestsInFlight } from './http/requests-in-flight.ts'
import { createLogger, type Logger } from './log.ts'
import { PeriodicTask } from './periodic-task.ts'
import { owningWhatOpens, type OpenedResources } from './opened-resources.ts'
import type { Metrics } from './metrics/metrics.ts'
import { BoardSizeLimit } from './relay/board-size-limit.ts'
import { Compaction } from './relay/compaction.ts'
import type { RedisFanOut } from './relay/redis-fan-out.ts'
import type { PgNotifications } from './relay/pg-listener.ts'
import { relayLimits } from './relay/relay-limits.ts'
import { endRedisConnection } from './redis-reconnect.ts'
import { redisNamespace, refuseMissingRedisDatabase } from './redis-namespace.ts'
import type { RoomExtension } from './relay/room-extension.ts'
import { RoomRegistry } from './relay/room-registry.ts'
import { AutoSnapshots } from './snapshots/auto-snapshots.ts'
import { SnapshotsInFlight } from './snapshots/snapshot-quota.ts'
import { openStorage } from './storage/open-storage.ts'
import type { Storage } from './storage/storage.ts'
import { LiveContentHashes } from './review/live-content-hashes.ts'
import { WebsocketIntake } from './websocket/websocket-intake.ts'
import { createWorkerPool } from './workers/create-worker-pool.ts'
import { workerUpdateChecks } from './relay/update-checks.ts'
import { DamagedBoardReports } from './relay/damaged-board-reports.ts'
import { sqliteCommitsDurable } from './storage/sqlite-commits-durable.ts'
import { HeldChangeSpool } from './relay/held-change-spool.ts'
import { asServer } from './workers/job-owner.ts'
import type { WorkerPool } from './workers/worker-pool.ts'

export type Services = {
  config: Config
  logger: Logger
  storage: Storage
  /** Whether the database answers; requests are refused at once while it does not. */
  storageHealth: StorageHealth
  rooms: RoomRegistry
  /** What each websocket sends below its messages: the messages still arriving, control frames; and the heartbeat. */
  websocketIntake: WebsocketIntake
  access: Access
  /** Folds long board logs into checkpoints (one of the relay's extensions). */
  compaction: Compaction
  /** One of the relay's extensions. */
  autoSnapshots: AutoSnapshots
  /** Thins the history of boards nobody edits, every hour. */
  historySweep: PeriodicTask<HistorySweepResult>
  /** The relay's fan-out to the other instances, when REDIS_URL is set. */
  redis: RedisFanOut | undefined
  signInThrottle: SignInThrottle
  /** Sign-ins and password changes whose password is being checked on this instance, at most PASSWORD_CHECKS_IN_FLIGHT. */
  passwordChecks: PasswordChecks
  /** What each person may still do on this instance this hour: sign in; create boards; make snapshots and restore them; write review comments; export; change who may do what. */
  allowances: HourlyAllowances
  /** The connection the sign-in counts and the allowances share through Redis (see shared-counts.ts), when REDIS_URL is set. */
  sharedCounts: Redis | undefined
  /** Named snapshots and restores being made on this instance, counted against their board's quota until recorded. */
  snapshotsInFlight: SnapshotsInFlight
  /** Ends expired sessions, and closes their sockets, every minute. */
  sessionSweeper: PeriodicTask<number>
  rightsSweep: PeriodicTask<void>
  /** Counted only when they are served (METRICS_TOKEN or METRICS_PORT); prom-client is not even loaded otherwise. */
  metrics: Metrics | undefined
  /** Set when the server starts shutting down: readiness fails and new requests are refused, so load balancers move on. */
  lifecycle: { shuttingDown: boolean }
  /** The HTTP connections the server holds, in all and per client address, and those it turns away. */
  connections: OpenConnections
  /** The HTTP requests being answered, which a shutdown lets finish before it closes the storage. */
  requests: RequestsInFlight
  /** Threads for work whose cost a member controls, kept off the relay's event loop. */
  workers: WorkerPool
  /** Imports and restores, each taking its board's turn (across instances on PostgreSQL). */
  preparedChanges: PreparedChanges
  /** Who changed what since each board's latest checkpoint, worked out once for everyone asking. */
  tailChanges: TailChanges
  /** Each board's live content hash, worked out once while its log stays as it was: what the review status compares with a signed-off snapshot's. */
  liveContentHashes: LiveContentHashes
  /** Costly history reads in flight, per person and on this instance; identical ones share one computation. */
  historyReads: HistoryReads
  /** Imports in flight per person (IMPORTS_PER_PERSON). */
  importsInFlight: InFlightPerPerson
  /** Import previews in flight per person (PREVIEWS_PER_PERSON). */
  previewsInFlight: InFlightPerPerson
  /** The time stored with the board's history. */
  clock: Clock
  /** Boards whose stored history cannot be applied, logged once per row and counted as they are refused. */
  damagedBoards: DamagedBoardReports
  /** HTTP changes answered 202 and not yet committed, on disk in DATA_DIR/held-changes: replayed at the next start should this process end first. */
  heldChanges: HeldChangeSpool
}

export type ServiceOptions = {
  logger?: Logger
  /** A storage opened by the caller (e.g. a PostgreSQL schema of a test's own); the caller closes it. */
  storage?: Storage
  /** Overrides how requests are authenticated and authorized (tests of the relay alone pass openAccess). */
  access?: (storage: Storage) => Access
  /** Compact a board once this many log rows follow its checkpoint (tests that count rows move it). */
  compactAfterRows?: number
  /** The first wait before a failed compaction is tried again (tests of the retry wait less than the 5 s default). */
  compactRetryMs?: number
  /** How often a board past its size limit is measured again (tests of the limit wait less than FULL_BOARD_RECHECK_MS). */
  boardFullRecheckMs?: number
  /** What the keys of the shared counts in Redis start with, instead of the deployment's namespace (tests of servers on databases of their own share theirs). */
  countsKeyPrefix?: string
  /** The time stored with the board's history; tests set it to make edits at known moments. */
  clock?: Clock
  /**
   * The script the worker threads start from (see worker-entry.ts); tests' servers, run from the TypeScript
   * sources, start theirs from the compiled JavaScript rather than load tsx in every thread.
   */
  workerEntry?: URL
}

/**
 * Makes the services; should a step fail, what the steps before it opened is closed (opened-resources.ts) and the
 * failure passes on: a start that fails leaves no connection, thread, timer or file handle behind.
 */
export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL)
  return owningWhatOpens(logger, config.SHUTDOWN_TIMEOUT_MS, (opened) => openServices(config, options, logger, opened))
}

async function openServices(config: Config, options: ServiceOptions, logger: Logger, opened: OpenedResources): Promise<Services> {
  const clock = watchedClock(options.clock ?? systemClock, logger)
  const metrics = await servedMetrics(config)
  const storage = options.storage ?? opened.add('the database', await openStorage(config, logger, clock, metrics?.historyDatedBack), (own) => own.close())
  const storageHealth = opened.add('the database health check', new StorageHealth(() => storage.ping(), logger, config.READINESS_TIMEOUT_MS), (health) => health.stop())
  // Read once at start: what the Redis keys are named after, and what each held change's file names (held-change-spool.ts).
  const deployment = await storage.deployment.identity()
  const namespace = config.REDIS_URL ? await deploymentNamespace(config.REDIS_URL, config, deployment) : undefined
  const sharedCounts = config.REDIS_URL
    ? opened.add('the Redis connection of the shared counts', await connectSharedCounts(config.REDIS_URL, logger, config.REDIS_PING_INTERVAL_MS), endRedisConnection)
    : undefined
  // Without Redis the counts are kept in memory, under keys of no one else's.
  const countsKeyPrefix = options.countsKeyPrefix ?? namespace ?? config.REDIS_PREFIX
  const allowances = hourlyAllowances(config, { redis: sharedCounts, logger, keyPrefix: `${countsKeyPrefix}:allowance` })
  const workers = opened.add(
    'the worker threads',
    createWorkerPool(config, logger, { settled: metrics?.workerJobSettled, entry: options.workerEntry, workerTime: allowances.workerSeconds }),
    (pool) => pool.close(),
  )
  const historyReads = new HistoryReads(
    {
      perPerson: config.HISTORY_READS_PER_PERSON,
      perInstance: config.HISTORY_READS_PER_INSTANCE,
      livePerInstance: config.HISTORY_LIVE_READS_PER_INSTANCE,
      cacheBytes: config.HISTORY_READ_CACHE_BYTES,
    },
    { tail: (boardId) => storage.history.tailState(boardId), keptStart: (boardId) => storage.history.keptStart(boardId) },
    metrics?.historyReads,
  )
  const history = { policy: historyPolicy(config), now: clock }
  const compaction = new Compaction({
    storage,
    logger,
    afterRows: options.compactAfterRows,
    retryFirstMs: options.compactRetryMs,
    // The server's own work, also when a person's change set it off.
    merge: (checkpoint, rows) => asServer(() => workers.run('merge-state', { checkpoint, rows })),
    history,
    sliceRows: config.COMPACTION_SLICE_ROWS,
    failed: metrics?.compactionFailed,
    // A person's recorded changes are written to disk as their edits were: charged to the same hour's bytes, on the instance that records them.
    chargeRecorded: (author, bytes) => {
      const account = accountOf(author)
      if (account !== null) rooms.ratesOf(account).wrote(bytes)
    },
  })
  const historySweep = createHistorySweep({ storage, logger, ...history })
  const autoSnapshots = new AutoSnapshots(
    { storage, logger, workers, clock },
    { intervalMs: config.SNAPSHOT_INTERVAL_MINUTES * 60_000, keep: config.SNAPSHOT_RETENTION },
  )
  // Several instances on PostgreSQL: they also hear each other through the database, which an instance cut off Redis still reaches.
  const listener =
    config.REDIS_URL && config.DATABASE_URL
      ? opened.add('the PostgreSQL connection listening to the other instances', await pgListener(config.DATABASE_URL, config, logger), (own) => own.close())
      : undefined
  // Before the Redis fan-out, whose catch-up requests are the listener's other channel: channels are told of a listen
  // in the order they were heard, and after a gap rights are decided again before any board is caught up (on Redis
  // too, the rights re-check starts first).
  const rightsChannel = listener ? await pgRightsChannel(listener) : undefined
  // The relay's extensions, in the order their hooks run: counted first, then what builds on a commit.
  const redis =
    config.REDIS_URL && namespace
      ? opened.add('the Redis connections of the relay', await redisFanOut({ url: config.REDIS_URL, namespace, pg: listener }, config, storage, logger, metrics, workers), (fanOut) => fanOut.close())
      : undefined
  const boardSummaries = new BoardSummaries({ storage, logger, clock })
  const boardSizeLimit = new BoardSizeLimit({
    log: storage.log,
    logger,
    limit: config.BOARD_MAX_BYTES,
    compact: (boardId) => compaction.compact(boardId),
    recheckMs: options.boardFullRecheckMs,
  })
  // A commit failing as if the database were unreachable has it pinged, as a request failing so does: the first
  // keystroke that cannot be stored (the SQLite file gone) has every request refused, not only that board's.
  const commitFailures: RoomExtension = { name: 'storage-health', onCommitFailed: (_room, error) => storageHealth.noteFailure(error) }
  const extensions: RoomExtension[] = [
    ...(metrics ? [metrics.relay] : []),
    commitFailures,
    compaction,
    boardSizeLimit,
    autoSnapshots,
    boardSummaries,
    ...(redis ? [redis] : []),
    ...(rightsChannel ? [rightsChannel] : []),
    // Last: it listens once attached, when every channel's user is (and closes once they are done).
    ...(listener ? [listener] : []),
  ]
  const limits = relayLimits(config)
  const freshIds = sharedCounts ? freshIdClaims({ redis: sharedCounts, logger, allowance: allowances.newClients, keyPrefix: `${countsKeyPrefix}:client-id` }) : undefined
  const rooms = new RoomRegistry(storage, logger, { limits, extensions, rightsCheck: openSocketRights(storage), checks: workerUpdateChecks(workers), freshIds })
  // Accounts and board memberships, unless a test of the relay alone brings its own access.
  const access = options.access ? options.access(storage) : accountAccess({ storage, rooms })
  if (!options.access) await ensureAdminAccount(storage, config, logger)
  const preparedChanges = opened.add('the board turns', new PreparedChanges(await boardTurns(config)), (changes) => changes.close())
  const heldChanges = opened.add(
    'the held-changes spool',
    new HeldChangeSpool(
      config.DATA_DIR,
      { maxChanges: config.HELD_CHANGES_MAX, maxBytes: config.HELD_CHANGES_MAX_BYTES, sharePercent: config.HELD_CHANGES_PERSON_SHARE_PERCENT },
      deployment,
      // A held change's file goes only once its commit would survive a power cut as well as the file does.
      // Imported only on SQLite (loaded already then), as open-storage.ts does: PostgreSQL's processes load none of it.
      storage.dialect === 'sqlite' && config.SQLITE_SYNCHRONOUS !== 'FULL' ? sqliteCommitsDurable(join(config.DATA_DIR, (await import('./storage/sqlite.ts')).SQLITE_FILE_NAME)) : null,
    ),
    (spool) => spool.release(),
  )
  // The timers last: every step that can fail is behind them.
  const websocketIntake = new WebsocketIntake(limits, logger)
  autoSnapshots.start()
  historySweep.start()
  const sessionSweeper = startSessionSweeper({ storage, rooms, logger })
  // Redis keeps no message for a subscriber that is not there, and an instance that dies holding control messages never sends them: with several instances, each decides its sockets' rights again every so often.
  const rightsSweep = new PeriodicTask(async () => rooms.recheckRightsHere(true), { intervalMs: redis ? config.RIGHTS_RECHECK_INTERVAL_MS : 0, logger, failure: 'the periodic re-check of open connections’ rights failed' })
  rightsSweep.start()
  const signInThrottle = SignInThrottle.fromConfig(config, sharedCounts, `${countsKeyPrefix}:sign-in`)
  metrics?.watch({ rooms, storageHealth, workers, storage, signInThrottle, heldChanges })
  return {
    config,
    logger,
    storage,
    storageHealth,
    rooms,
    websocketIntake,
    access,
    compaction,
    autoSnapshots,
    historySweep,
    redis,
    signInThrottle,
    passwordChecks: new PasswordChecks({ inFlight: config.PASSWORD_CHECKS_IN_FLIGHT, waiting: config.PASSWORD_CHECKS_WAITING, waitMs: config.PASSWORD_CHECK_WAIT_MS, perEmail: config.PASSWORD_CHECKS_PER_EMAIL }),
    sharedCounts,
    allowances,
    snapshotsInFlight: new SnapshotsInFlight(),
    sessionSweeper,
    rightsSweep,
    metrics,
    lifecycle: { shuttingDown: false },
    connections: new OpenConnections(connectionLimits(config), logger),
    requests: new RequestsInFlight(),
    workers,
    preparedChanges,
    tailChanges: new TailChanges(storage, workers),
    liveContentHashes: new LiveContentHashes({ storage, workers }),
    historyReads,
    importsInFlight: new InFlightPerPerson(config.IMPORTS_PER_PERSON, tooManyImports),
    previewsInFlight: new InFlightPerPerson(config.PREVIEWS_PER_PERSON, tooManyPreviews),
    clock,
    damagedBoards: new DamagedBoardReports(logger, metrics?.damagedBoardRefused),
    heldChanges,
  }
}

/**
 * Saves what the rooms hold and stops the relay's extensions (automatic
 * snapshots, compaction, Redis), stops the worker threads (their jobs are
 * refused), then closes the storage unless the caller owns it; once
 * `deadline` settles, each step stops waiting (the rooms are unloaded with
 * what they could not save, the requests in flight answered 503).
 */
export async function closeServices(services: Services, options: ServiceOptions = {}, deadline: Promise<unknown> = NEVER): Promise<void> {
  const untilDeadline = (work: Promise<unknown>) => Promise.race([work, deadline])
  services.storageHealth.stop()
  services.websocketIntake.stop()
  await untilDeadline(Promise.all([services.sessionSweeper.stop(), services.historySweep.stop(), services.rightsSweep.stop()]))
  await services.rooms.close(deadline)
  // Requests let in before the shutdown are answered while the storage is still open (503 where their board was unloaded).
  if (services.requests.count > 0) {
    services.logger.info({ requests: services.requests.count }, 'shutting down: answering the requests in flight')
    await untilDeadline(services.requests.settled())
    // Past the deadline: those still in flight are answered 503 before the worker threads and connections close.
    if (services.requests.count > 0) await services.requests.abandon(services.logger)
  }
  await untilDeadline(services.preparedChanges.close())
  if (services.sharedCounts) await untilDeadline(endRedisConnection(services.sharedCounts))
  await untilDeadline(services.workers.close())
  if (!options.storage) await untilDeadline(services.storage.close())
  // Last: a change answered 202 is kept in it until its room is unloaded above.
  await services.heldChanges.release()
}

const NEVER = new Promise<never>(() => {})

/** Loaded only when REDIS_URL is set: a single instance never holds the Redis client in memory. */
async function redisFanOut(
  redis: { url: string; namespace: string; pg: PgNotifications | undefined },
  config: Config,
  storage: Storage,
  logger: Logger,
  metrics: Metrics | undefined,
  workers: WorkerPool,
): Promise<RedisFanOut> {
  const { RedisFanOut } = await import('./relay/redis-fan-out.ts')
  return new RedisFanOut({
    ...redis,
    log: storage.log,
    logger,
    counters: metrics?.fanOut,
    pingIntervalMs: config.REDIS_PING_INTERVAL_MS,
    catchUpIntervalMs: config.REDIS_CATCH_UP_INTERVAL_MS,
    workers,
  })
}

/**
 * What this deployment's Redis keys and channels start with (redis-namespace.ts), once Redis has been
 * found to have REDIS_URL's database: no other deployment sharing the Redis server hears or counts with it.
 */
async function deploymentNamespace(url: string, config: Config, deployment: string): Promise<string> {
  await refuseMissingRedisDatabase(url, config.READINESS_TIMEOUT_MS)
  return redisNamespace(config.REDIS_PREFIX, deployment)
}

/** Several instances on PostgreSQL: the connection on which each hears the others through the database (pg-listener.ts). */
async function pgListener(url: string, config: Config, logger: Logger): Promise<RoomExtension & PgNotifications & { close(): Promise<void> }> {
  const { PgListener } = await import('./relay/pg-listener.ts')
  return new PgListener({ url, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, logger, droppedReportIntervalMs: config.DROPPED_NOTIFICATIONS_REPORT_INTERVAL_MS })
}

/** Rights taken away also travel through the database, which an instance cut off Redis still reaches (pg-rights-channel.ts). */
async function pgRightsChannel(listener: PgNotifications): Promise<RoomExtension> {
  const { PgRightsChannel } = await import('./relay/pg-rights-channel.ts')
  return new PgRightsChannel(listener)
}

/**
 * On PostgreSQL, several instances may serve a board: its turn is taken in the
 * database. A SQLite file is served by one process.
 */
async function boardTurns(config: Config): Promise<BoardTurns> {
  if (!config.DATABASE_URL) return new ProcessTurns()
  const { PgBoardTurns } = await import('./boards/pg-board-turns.ts')
  return new PgBoardTurns({
    url: config.DATABASE_URL,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    holdLimitMs: config.BOARD_TURN_HOLD_LIMIT_MS,
  })
}

async function servedMetrics(config: Config): Promise<Metrics | undefined> {
  if (config.METRICS_TOKEN === undefined && config.METRICS_PORT === undefined) return undefined
  const { Metrics } = await import('./metrics/metrics.ts')
  return new Metrics()
}
