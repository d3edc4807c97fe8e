/**
 * Configuration from the environment, validated once at start-up. A bad value
 * stops the server with one line per problem naming the variable.
 */
import { availableParallelism } from 'node:os'
import { z } from 'zod'
import { DEFAULT_WORD_DIFF_BOUNDS } from '../shared/word-diff-bounds.ts'
import { HTTP_LIMITS, RELAY_LIMITS } from '../shared/limits.ts'
import { DEFAULT_BRIEFING_MAX_CHARS } from './export/briefing-size.ts'
import { COMPACTION_SLICE_ROWS } from './relay/compaction-slice.ts'
import { DEFAULT_REPORT_INTERVAL_MS } from './relay/dropped-notifications.ts'
import { LOG_PAGE_ROWS } from './storage/sqlite-tail-pages.ts'

type NumberRule = {
  /** What the value must be, for the message, e.g. "a whole number of seconds". */
  must: string
  min: number
  max: number
  /** Only integers: the setting is a count, a port or milliseconds. */
  whole?: boolean
  /** Also accept 0, below `min`: the setting's "off" or "for ever". */
  zero?: boolean
  tooSmall?: string
  tooLarge?: string
}

/**
 * Every numeric setting is read here. Number() reads a blank as 0, "0x1F90"
 * as 8080 and "1e4" as 10000, so only decimal digits are taken (an optional
 * minus, so that a negative value is told it is too small rather than not a
 * number), and the result must lie in [min, max] (or be 0 where 0 means off).
 */
const numberSetting = ({ must, min, max, whole = false, zero = false, tooSmall, tooLarge }: NumberRule) => {
  const notANumber = `must be ${must}`
  const small = tooSmall ?? (zero ? `must be 0 or at least ${min}` : `must be at least ${min}`)
  return z
    .string()
    .regex(whole ? /^-?\d+$/ : /^-?(\d+(\.\d*)?|\.\d+)$/, notANumber)
    // Digits past what a double holds read as Infinity: kept finite, so that the range check words the refusal.
    .transform((text) => Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, Number(text))))
    .pipe(
      z
        .number()
        .max(max, tooLarge ?? `must be at most ${max}`)
        .refine((value) => value >= min || (zero && value === 0), small),
    )
}

const port = numberSetting({ must: 'a port number from 0 to 65535, e.g. 8787', whole: true, min: 0, max: 65535 })

/** A duration in whole milliseconds, from 100 ms to `max` (an hour unless said). */
const milliseconds = (example: number, max = 3_600_000) =>
  numberSetting({
    must: `a whole number of milliseconds, e.g. ${example}`,
    whole: true,
    min: 100,
    max,
    tooSmall: 'must be at least 100 ms',
    tooLarge: max === 3_600_000 ? 'must be at most 3600000 ms (an hour)' : `must be at most ${max} ms`,
  }).default(example)

/** A whole number of `what` between min and max. */
const count = (what: string, min: number, max: number) => numberSetting({ must: `a whole number of ${what}`, whole: true, min, max })

/** A whole number in [min, max]; `example` shows a good value in the error message. */
const wholeNumber = (what: string, min: number, max: number, example: number) => numberSetting({ must: `${what}, e.g. ${example}`, whole: true, min, max })

/**
 * DATABASE_URL as the PostgreSQL driver parses it, null when it cannot: a list
 * of hosts (`h1,h2:5433`) is cut to its first, and the rest must then be a URL.
 * Checked here, a malformed one is told as a setting, not as the driver's
 * TypeError.
 */
export function postgresUrl(url: string): URL | null {
  try {
    const hosts = decodeURIComponent(url.slice(url.indexOf('://') + 3).split(/[?/]/)[0] ?? '')
    const host = hosts.slice(hosts.indexOf('@') + 1)
    const first = url.replace(host, host.split(',')[0] ?? '')
    return URL.canParse(first) ? new URL(first) : null
  } catch {
    // decodeURIComponent: a % not followed by two hex digits.
    return null
  }
}

/**
 * Built for each read and dropped after it: kept at module level, its hundreds
 * of zod schemas (and the parser zod compiles for the object) stayed in every
 * process's heap for the one read at start, about 1 MiB.
 */
function configSchema() {
  return z.object({
    PORT: port.default(8787),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .refine((url) => postgresUrl(url) !== null, 'is not a well-formed URL (a character to percent-encode in the user or password, a bracket left open?): e.g. postgres://assay:secret@db.example.org:5432/assay')
      .optional(),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .refine((url) => URL.canParse(url), 'is not a well-formed URL (a character to percent-encode in the password, a bracket left open?): e.g. redis://redis.example.org:6379/0')
      .optional(),
    /**
     * What every Redis key and channel starts with, before the deployment's own namespace (server/redis-namespace.ts):
     * a copy of a database made other than by `assay restore` shares its deployment id, and must set another to share a Redis.
     */
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores')
      .default('assay'),
    ASSAY_ADMIN_EMAIL: z.string().email('must be an email address').optional(),
    ASSAY_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** FULL makes each commit survive power loss, not only a crash of the process. */
    SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
    /**
     * MiB the SQLite WAL may hold before its checkpoint thread has it started over from the file's beginning: under
     * commits back to back it would otherwise only grow (wal-checkpointer.ts).
     */
    SQLITE_WAL_LIMIT_MB: wholeNumber('a whole number of megabytes', 1, 65_536, 64).default(64),
    /** Set when the server sits behind HTTPS, so the session cookie is marked Secure. */
    PUBLIC_URL: z.string().url('must be a URL such as https://assay.example.org').optional(),
    /** Reverse proxies in front of the server; the sign-in counts then key the address they saw (X-Forwarded-For). */
    TRUST_PROXY: count('proxies in front of the server, e.g. 1 behind nginx', 0, 10).default(0),
    /** Failed sign-ins allowed per account from one address, per address, and per account from everywhere, in one window. */
    SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS: count('failed sign-ins', 1, 1000).default(5),
    SIGN_IN_FAILURES_PER_ADDRESS: count('failed sign-ins', 1, 100_000).default(20),
    SIGN_IN_FAILURES_PER_ACCOUNT: count('failed sign-ins', 1, 100_000).default(100),
    SIGN_IN_WINDOW_SECONDS: count('seconds', 1, 86_400).default(900),
    /** Keys each of the two stores of sign-in counts holds in memory at most (server/auth/sign-in-throttle.ts); past it the oldest is forgotten. */
    SIGN_IN_COUNTS_IN_MEMORY: count('keys', 100, 10_000_000).default(100_000),
    /** Sign-ins with the right password and password changes one account may make together on one instance at once, and then per hour (the admin is not counted). */
    SIGN_INS_PER_HOUR_PER_ACCOUNT: count('sign-ins', 1, 1_000_000).default(60),
    /** Boards one person may create on one instance at once, and then per hour (the admin and the command line are not counted). */
    BOARDS_PER_HOUR_PER_PERSON: count('boards', 1, 1_000_000).default(60),
    /** A person who can open this many boards creates no more (every board list of theirs walks them all; the admin and the command line are not counted). */
    BOARDS_MAX_PER_PERSON: count('boards', 1, 1_000_000).default(1000),
    /** Named snapshots and restores (each stores the whole board again) one person may make on one instance at once, and then per hour (the admin and the command line are not counted). */
    SNAPSHOTS_PER_HOUR_PER_PERSON: count('snapshots and restores', 1, 1_000_000).default(30),
    /**
     * Bytes of named snapshots and restore points one person may have stored on one instance at once, and then per hour
     * (the admin and the command line are not counted): 8 snapshots of a board at BOARD_MAX_BYTES (32 MiB) an hour, where
     * the count alone let one person store some 1 GiB an hour, on as many boards as they own.
     */
    SNAPSHOT_BYTES_PER_HOUR_PER_PERSON: count('bytes', 65_536, 2 ** 40).default(256 * 1024 ** 2),
    /** Review comments and replies one person may write on one instance at once, and then per hour (the admin is not counted). */
    COMMENTS_PER_HOUR_PER_PERSON: count('comments', 1, 1_000_000).default(120),
    /** Exports (downloads and the export dialog's previews; each is an audit entry) one person may make on one instance at once, and then per hour (the admin and the command line are not counted). */
    EXPORTS_PER_HOUR_PER_PERSON: count('exports', 1, 1_000_000).default(600),
    /**
     * Reads of the board as of a past time (`GET /api/boards/:id?asOf=` and `/history/state`; each may be an audit entry, one
     * per version of the board read) one person may make on one instance at once, and then per hour (the admin is not counted):
     * with only the reads in flight bounded, one reviewer made 30,000 in a minute.
     */
    AS_OF_READS_PER_HOUR_PER_PERSON: count('reads', 1, 1_000_000).default(600),
    /**
     * Reads of a whole stored version for a worker job that no other allowance counts (a snapshot's checks,
     * `GET /api/boards/:id/checks?snapshot=`; a comparison of two versions, `/diff`) one person may make on one instance at
     * once, and then per hour (the admin is not counted): with only the jobs in flight bounded, one reviewer read a 14 MB
     * board's snapshots 312 times a minute.
     */
    VERSION_READS_PER_HOUR_PER_PERSON: count('reads', 1, 1_000_000).default(600),
    /** Invite links made or revoked, members added, changed or removed, API tokens made or revoked and boards archived or brought back (each an audit entry), together, per person on one instance at once, and then per hour (the admin and the command line are not counted). */
    ACCESS_CHANGES_PER_HOUR_PER_PERSON: count('changes', 1, 1_000_000).default(600),
    /** Minutes between automatic snapshots of changed boards; fractions allowed, 0 turns them off. */
    SNAPSHOT_INTERVAL_MINUTES: numberSetting({
      must: 'a number of minutes, e.g. 60; 0 turns automatic snapshots off',
      // A timer of a few microseconds would busy the event loop; tests snapshot every 0.002 minutes.
      min: 0.001,
      zero: true,
      max: 10_080,
      tooSmall: 'must be 0 (off) or at least 0.001 minutes (60 ms)',
      tooLarge: 'must be at most 10080 minutes (a week)',
    }).default(60),
    /**
     * Stored bytes a board's named snapshots and restore points may hold; past it, making
     * either is refused until an owner deletes some. Automatic ones are bounded by SNAPSHOT_RETENTION.
     */
    BOARD_SNAPSHOT_MAX_BYTES: count('bytes', 65_536, 2 ** 40).default(1024 ** 3),
    /** How many named snapshots and restore points a board may hold; past it, as past BOARD_SNAPSHOT_MAX_BYTES. Every reader of the board lists them. */
    BOARD_SNAPSHOT_MAX_COUNT: count('snapshots', 1, 1_000_000).default(1000),
    /** Automatic snapshots kept per board; named ones, restore points and reviewed ones are always kept. */
    SNAPSHOT_RETENTION: numberSetting({
      must: 'a whole number of automatic snapshots to keep per board, e.g. 48',
      whole: true,
      min: 1,
      max: 100_000,
      tooSmall: 'must keep at least 1 automatic snapshot per board',
    }).default(48),
    /** Days during which every edit is kept: any moment can be rebuilt exactly and every change attributed. */
    HISTORY_DETAIL_DAYS: numberSetting({ must: 'a number of days, e.g. 7', min: 0.01, max: 3650, tooSmall: 'must be at least 0.01 days', tooLarge: 'must be at most 3650 days' }).default(7),
    /** Within the detail window, one checkpoint is kept per this many minutes (a rebuild replays at most that much). */
    HISTORY_CHECKPOINT_MINUTES: numberSetting({
      must: 'a number of minutes, e.g. 60',
      min: 1,
      max: 10_080,
      tooSmall: 'must be at least 1 minute',
      tooLarge: 'must be at most 10080 minutes (a week)',
    }).default(60),
    /** Days the daily checkpoints and recorded changes are kept past the detail window; 0 keeps them for ever. */
    HISTORY_RETENTION_DAYS: numberSetting({
      must: 'a number of days, e.g. 365; 0 keeps history for ever',
      min: 0,
      max: 36_500,
      tooSmall: 'must be 0 (for ever) or more days',
      tooLarge: 'must be at most 36500 days',
    }).default(365),
    /**
     * How far a board's stored history may be ahead of the server's clock and still be carried (another instance's
     * clock a little ahead, a clock stepped back a little); history further ahead is dated back to the clock by the
     * next write (history-time.ts). At most a day.
     */
    HISTORY_CLOCK_TOLERANCE_MS: milliseconds(5 * 60_000, 86_400_000),
    /** Megabytes of history one board may keep; past it the oldest history goes first. */
    HISTORY_MAX_MB: wholeNumber('a whole number of megabytes', 1, 1_048_576, 512).default(512),
    /** PostgreSQL: the longest one statement may run; a silent connection is dropped a little after it. */
    DATABASE_STATEMENT_TIMEOUT_MS: milliseconds(5000),
    /** PostgreSQL: the longest opening a connection may take. */
    DATABASE_CONNECT_TIMEOUT_MS: milliseconds(5000),
    /**
     * PostgreSQL: the longest one attempt to migrate waits for a table's lock (a pg_dump, a transaction left open
     * holding it); the running instances' writes to that table queue behind the waiting migration meanwhile.
     */
    DATABASE_MIGRATION_LOCK_TIMEOUT_MS: milliseconds(1000, 60_000),
    /** PostgreSQL: how long attempts to migrate go on, a pause that doubles between them, before the start gives up. */
    DATABASE_MIGRATION_WAIT_MS: milliseconds(300_000),
    /** PostgreSQL: the longest an import or restore may hold its board's turn; a turn's connection silent for 2 s more is dropped. */
    BOARD_TURN_HOLD_LIMIT_MS: milliseconds(5 * 60_000),
    /** How long GET /readyz waits for the database (and Redis) to answer before calling the instance not ready. */
    READINESS_TIMEOUT_MS: milliseconds(2000),
    /** The longest a shutdown (SIGTERM, SIGINT) may take; edits not committed by then stay in the clients, which resend them. */
    SHUTDOWN_TIMEOUT_MS: milliseconds(10_000),
    /** GET /metrics requires `Authorization: Bearer <this>`; without it (and without METRICS_PORT) metrics are off. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters, e.g. from `openssl rand -hex 32`').optional(),
    /** Serve /metrics on this port of its own (on METRICS_HOST) instead of the main one. */
    METRICS_PORT: port.optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Worker threads for long work (diffs, imports, exports, snapshots, compaction): one per spare core, 1 to 2 by default. */
    WORKER_THREADS: wholeNumber('a whole number of threads', 1, 64, 2).default(Math.max(1, Math.min(2, availableParallelism() - 1))),
    /**
     * Worker threads for short jobs alone (board reads, checks, snapshots, compaction), besides WORKER_THREADS: started
     * when a short job waits while those are all started, so that no export, import, restore or comparison holds a
     * board read back. 0: none, every job shares WORKER_THREADS.
     */
    WORKER_SHORT_LANE_THREADS: wholeNumber('a whole number of threads', 0, 64, 1).default(1),
    /** Jobs that may wait for a worker thread; more get 503 with Retry-After. */
    WORKER_QUEUE_LIMIT: wholeNumber('a whole number of jobs', 1, 10_000, 32).default(32),
    /** Jobs one person may have running or waiting at once; more of theirs get 429 with Retry-After (the server's own work is not counted). */
    WORKER_JOBS_PER_PERSON: wholeNumber('a whole number of jobs', 1, 10_000, 8).default(8),
    /**
     * Seconds of worker threads' time one person's jobs may take at once, and then per hour; past it their jobs get
     * 429 worker_time_spent with Retry-After (the server's own work is not counted). An overrun counts its whole budget.
     */
    WORKER_SECONDS_PER_HOUR_PER_PERSON: count('seconds', 1, 1_000_000).default(600),
    /** Heap of one worker thread; a job that needs more fails alone (422) and the thread is replaced. */
    WORKER_MEMORY_MB: wholeNumber('a whole number of megabytes', 16, 65_536, 1024).default(1024),
    /** Texts longer than this are compared as changed, without a word diff. */
    DIFF_MAX_TEXT_CHARS: wholeNumber('a whole number of characters', 0, 10_000_000, 20_000).default(DEFAULT_WORD_DIFF_BOUNDS.maxTextChars),
    /** Time the word diffs of one comparison may take in all; later texts are compared as changed, without a word diff. */
    DIFF_TIME_BUDGET_MS: milliseconds(DEFAULT_WORD_DIFF_BOUNDS.budgetMs),
    /** Time an import (reading, parsing, planning) may take before it is stopped with 422. */
    IMPORT_TIME_BUDGET_MS: milliseconds(20_000),
    /** Time an export may take before it is stopped with 422. */
    EXPORT_TIME_BUDGET_MS: milliseconds(60_000),
    /** Characters of text a briefing (DOCX, PDF, Markdown, HTML) may hold; past it the export is refused 422 briefing_too_large before it is rendered. */
    BRIEFING_MAX_CHARS: wholeNumber('a whole number of characters', 1000, 1_000_000_000, DEFAULT_BRIEFING_MAX_CHARS).default(DEFAULT_BRIEFING_MAX_CHARS),
    /** Time rebuilding a stored board may take (snapshot capture and reading, compaction, each side of a diff). */
    BOARD_STATE_TIME_BUDGET_MS: milliseconds(30_000),
    /** Log rows one compaction folds at most (halved for a board after each failure): a board whose backlog outgrew the budget still compacts, slice by slice. */
    COMPACTION_SLICE_ROWS: count('rows', 1, 10_000_000).default(COMPACTION_SLICE_ROWS),
    /** Log rows SQLite reads per statement when a board is loaded or compacted, with a turn of the event loop between (other requests answered meanwhile). */
    BOARD_LOG_PAGE_ROWS: count('rows', 1, 10_000_000).default(LOG_PAGE_ROWS),
    // What one client's HTTP connections may cost (README: "What a member cannot do").
    HTTP_ANSWERS_IN_FLIGHT_PER_PERSON: count('answers', 1, 100_000).default(HTTP_LIMITS.answersInFlightPerPerson),
    HTTP_SEND_TIMEOUT_MS: milliseconds(HTTP_LIMITS.sendTimeoutMs),
    /** At most HTTP_REQUEST_TIMEOUT_MS (Node refuses a longer one). */
    HTTP_HEADERS_TIMEOUT_MS: milliseconds(HTTP_LIMITS.headersTimeoutMs, 300_000),
    HTTP_REQUEST_TIMEOUT_MS: milliseconds(HTTP_LIMITS.requestTimeoutMs),
    /** Not counted behind TRUST_PROXY: every connection then comes from a proxy. */
    HTTP_CONNECTIONS_PER_ADDRESS: count('connections', 1, 1_000_000).default(HTTP_LIMITS.connectionsPerAddress),
    /** Unset: nine tenths of the process's open-file limit. */
    HTTP_MAX_CONNECTIONS: count('connections', 1, 10_000_000).optional(),
    /** Costly history reads (as of a past time, editing sessions) in flight at once: per person, and different ones per instance (identical ones share one). */
    HISTORY_READS_PER_PERSON: count('reads', 1, 10_000).default(HTTP_LIMITS.historyReadsPerPerson),
    HISTORY_READS_PER_INSTANCE: count('reads', 1, 10_000).default(HTTP_LIMITS.historyReadsPerInstance),
    /** Of those, reads of the live board from storage (nobody has it open here) are computed in a lane of their own, this many at once. */
    HISTORY_LIVE_READS_PER_INSTANCE: count('reads', 1, 10_000).default(HTTP_LIMITS.historyLiveReadsPerInstance),
    /** Imports (not previews) one person may have in flight at once on the instance; more get 429 too_many_imports. */
    IMPORTS_PER_PERSON: count('imports', 1, 10_000).default(HTTP_LIMITS.importsPerPerson),
    /** Import previews one person may have in flight at once on the instance, apart from their imports; more get 429 too_many_previews. */
    PREVIEWS_PER_PERSON: count('previews', 1, 10_000).default(HTTP_LIMITS.previewsPerPerson),
    /** Completed history reads kept for the next identical one, by their estimated size; 0 keeps none. */
    HISTORY_READ_CACHE_BYTES: count('bytes', 0, 2 ** 40).default(HTTP_LIMITS.historyReadCacheBytes),
    /** Sign-ins and password changes whose password is checked at once on the instance; more wait, or get 503 with Retry-After. */
    PASSWORD_CHECKS_IN_FLIGHT: count('checks', 1, 1000).default(HTTP_LIMITS.passwordChecksInFlight),
    /** Sign-ins and password changes that wait, each up to PASSWORD_CHECK_WAIT_MS, for one of those places; more get 503 at once. */
    PASSWORD_CHECKS_WAITING: count('checks', 0, 100_000).default(HTTP_LIMITS.passwordChecksWaiting),
    PASSWORD_CHECK_WAIT_MS: count('ms', 1, 60_000).default(HTTP_LIMITS.passwordCheckWaitMs),
    /** Of those places, how many sign-ins naming one email (or password changes of its account) hold at once; more get 503 at once. */
    PASSWORD_CHECKS_PER_EMAIL: count('checks', 1, 100_000).default(HTTP_LIMITS.passwordChecksPerEmail),
    // What one member's connection may cost the relay (README: "What a member cannot do").
    WS_MAX_CONNECTIONS_PER_PERSON: count('connections', 1, 10_000).default(RELAY_LIMITS.connectionsPerPerson),
    WS_MAX_CONNECTIONS: count('connections', 1, 1_000_000).default(RELAY_LIMITS.connections),
    WS_MAX_MESSAGES_PER_SECOND: count('messages a second', 1, 1_000_000).default(RELAY_LIMITS.messagesPerSecond),
    WS_MAX_BYTES_PER_SECOND: count('bytes a second', 1024, 2 ** 40).default(RELAY_LIMITS.bytesPerSecond),
    WRITTEN_BYTES_PER_HOUR_PER_PERSON: count('bytes an hour', 65_536, 2 ** 40).default(RELAY_LIMITS.writtenBytesPerHour),
    LOADED_BYTES_PER_MINUTE_PER_PERSON: count('bytes a minute', 65_536, 2 ** 40).default(RELAY_LIMITS.loadedBytesPerMinute),
    /** Stored bytes of boards nobody held that the whole instance loads a minute, on top of each person's. */
    LOADED_BYTES_PER_MINUTE: count('bytes a minute', 65_536, 2 ** 40).default(RELAY_LIMITS.instanceLoadedBytesPerMinute),
    /** Bytes of board the whole instance encodes a second for sync replies of their own, on top of each person's. */
    ENCODED_BYTES_PER_SECOND: count('bytes a second', 1024, 2 ** 40).default(RELAY_LIMITS.instanceEncodedBytesPerSecond),
    BOARD_MAX_BYTES: count('bytes', 65_536, 2 ** 40).default(RELAY_LIMITS.boardBytes),
    WS_MAX_UNFINISHED_BYTES: count('bytes', 65_536, 2 ** 40).default(RELAY_LIMITS.unfinishedBytes),
    WS_MESSAGE_TIMEOUT_MS: milliseconds(RELAY_LIMITS.messageTimeoutMs),
    WS_MESSAGE_MIN_BYTES_PER_SECOND: count('bytes a second', 1024, 2 ** 40).default(RELAY_LIMITS.messageMinBytesPerSecond),
    /** How often each websocket is pinged; one from which nothing came since the previous ping is closed. */
    WS_PING_INTERVAL_MS: milliseconds(RELAY_LIMITS.pingIntervalMs),
    /** With Redis: how often each instance decides again, from the database, the rights of its open sockets, should a control message have been lost (its publisher died holding it). */
    RIGHTS_RECHECK_INTERVAL_MS: milliseconds(300_000),
    /** With Redis: how often each Redis connection is pinged; one left unanswered 2 s is taken for half-open and connected afresh. */
    REDIS_PING_INTERVAL_MS: milliseconds(5000),
    /** With Redis: how often a board that changed is caught up from the update log in the background, so that a catch-up after a Redis blip reads only what came since. */
    REDIS_CATCH_UP_INTERVAL_MS: milliseconds(15_000),
    /** With PostgreSQL and Redis: how often at most the count of notifications from other instances dropped as unreadable is logged. */
    DROPPED_NOTIFICATIONS_REPORT_INTERVAL_MS: milliseconds(DEFAULT_REPORT_INTERVAL_MS),
    WS_MAX_QUEUED_BYTES_PER_CONNECTION: count('bytes', 65_536, 2 ** 40).default(RELAY_LIMITS.queuedBytesPerConnection),
    WS_MAX_QUEUED_BYTES: count('bytes', 65_536, 2 ** 40).default(RELAY_LIMITS.queuedBytes),
    PRESENCE_MAX_BYTES: count('bytes', 256, 1024 * 1024).default(RELAY_LIMITS.presenceBytes),
    PRESENCE_MAX_DEPTH: count('levels of nesting', 4, 64).default(RELAY_LIMITS.presenceDepth),
    PRESENCE_UPDATES_PER_SECOND: count('presence updates a second', 1, 1000).default(RELAY_LIMITS.presenceUpdatesPerSecond),
    PRESENCE_BYTES_PER_SECOND_PER_PERSON: count('bytes a second', 1024, 2 ** 30).default(RELAY_LIMITS.presenceBytesPerSecond),
    /** How long the clock of a client id whose connection closed is kept, and a reset room's presence handed to the board's next room. */
    PRESENCE_REMEMBER_REMOVED_MS: milliseconds(RELAY_LIMITS.presenceRememberRemovedMs),
    PENDING_UPDATE_MAX_BYTES: count('bytes', 1024, 2 ** 30).default(RELAY_LIMITS.pendingUpdateBytes),
    COMMIT_RETRY_MAX_MS: milliseconds(RELAY_LIMITS.commitRetryMaxMs),
    COMMIT_FAILING_NOTICE_MS: milliseconds(RELAY_LIMITS.commitFailingNoticeMs),
    COMMIT_WAIT_MS: milliseconds(RELAY_LIMITS.commitWaitMs),
    /** HTTP changes answered 202 whose files DATA_DIR/held-changes may hold at once, and their bytes in all; past either, such a change is answered 503 instead (held-change-spool.ts). */
    HELD_CHANGES_MAX: count('changes', 1, 1_000_000).default(1000),
    HELD_CHANGES_MAX_BYTES: count('bytes', 65_536, 2 ** 40).default(64 * 1024 ** 2),
    /** The part of each of those bounds, in percent, one person's held changes may take: a few people's large changes leave room for everyone else's. */
    HELD_CHANGES_PERSON_SHARE_PERCENT: count('percent', 1, 100).default(25),
    /**
     * How long after the start a held change of an earlier run that depends on content its board lacks (a websocket
     * client's edit, sent again once its client reconnects), or that the database cannot take, is tried again before it
     * is set aside, or left for the next start (held-change-replay.ts).
     */
    HELD_CHANGES_RETRY_MS: milliseconds(300_000),
    /** How long a board nobody has open stays loaded (0: unloads at once). */
    ROOM_IDLE_MS: count('milliseconds', 0, 3_600_000).default(RELAY_LIMITS.idleRoomMs),
    /** Loaded boards nobody has open, at most (0: none stays). */
    ROOM_IDLE_MAX: count('boards', 0, 100_000).default(RELAY_LIMITS.idleRooms),
    /** Stored bytes of the boards nobody has open, in all, at most (0: none stays). */
    ROOM_IDLE_MAX_BYTES: count('bytes', 0, 2 ** 40).default(RELAY_LIMITS.idleRoomBytes),
    /** With Redis: the least time between two reloads of a board on an instance for a client id written differently to two instances. */
    REWRITE_RESET_INTERVAL_MS: milliseconds(RELAY_LIMITS.rewriteResetIntervalMs),
  })
}

export type Config = z.infer<ReturnType<typeof configSchema>>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** A password is taken as typed: spaces around it may be part of it. */
const TAKEN_AS_TYPED = new Set(['ASSAY_ADMIN_PASSWORD'])

/**
 * Values are read without the spaces around them, which no other setting
 * means, and a blank one counts as unset, as an empty one always has: an
 * `export PORT= ` in a deployment script leaves the default.
 */
function presentSettings(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).flatMap(([name, value]) => {
      if (value === undefined || value.trim() === '') return []
      return [[name, TAKEN_AS_TYPED.has(name) ? value : value.trim()]]
    }),
  )
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema().safeParse(presentSettings(env))
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const config = result.data
  if ((config.ASSAY_ADMIN_EMAIL === undefined) !== (config.ASSAY_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration:\n  ASSAY_ADMIN_EMAIL and ASSAY_ADMIN_PASSWORD must be set together')
  }
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration:\n  HTTP_HEADERS_TIMEOUT_MS must be at most HTTP_REQUEST_TIMEOUT_MS: the headers are part of the request')
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    throw new ConfigError('Invalid configuration:\n  METRICS_PORT must differ from PORT (leave it unset to serve /metrics on PORT with METRICS_TOKEN)')
  }
  return config
}
