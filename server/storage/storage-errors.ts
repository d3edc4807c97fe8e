/**
 * Which failures mean "the database cannot serve right now" rather than a bug
 * or bad data. They are answered with 503 and Retry-After, never 500: the same
 * request can succeed once the database is back, has room again, or is less busy.
 *
 * - `unreachable`: no answer at all (connection refused, reset, timed out, a
 *   silent connection dropped). The database is then probed until it answers,
 *   and requests are refused at once meanwhile (StorageHealth).
 * - `refusing`: the database answered, but cannot do this now (disk full, busy,
 *   read-only after a failover, statement timeout). Reads usually still work.
 */
export type StorageTrouble = 'unreachable' | 'refusing'

/** The code given to a PostgreSQL connection dropped because the server stayed silent past its deadline (postgres.ts). */
export const DATABASE_SILENT = 'ASSAY_DATABASE_SILENT'

/**
 * A PostgreSQL connection, or a query on it, given up because the server said
 * nothing for `ms`: the database host frozen, or a network that lost the
 * connection without a word (pg-pool-sockets.ts, pg-serving-lock.ts).
 */
export class DatabaseSilent extends Error {
  override name = 'DatabaseSilent'
  readonly code = DATABASE_SILENT

  constructor(ms: number) {
    super(`the database said nothing for ${ms} ms; dropping the connection`)
  }
}

/** The code of DatabaseFileGone. */
export const DATABASE_FILE_GONE = 'ASSAY_DATABASE_FILE_GONE'

/** postgres.js's and Node's connection-level codes, and PostgreSQL's for a connection it is closing. */
const UNREACHABLE_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  DATABASE_SILENT,
  DATABASE_FILE_GONE,
])
const UNREACHABLE_SQLSTATE = [
  /^08/, // connection exception
  /^57P0[123]$/, // the server is shutting down, crashed, or still starting
  // The server ended the session: its client silent too long in a transaction (a stalled connection), or idle, or a
  // transaction past transaction_timeout. postgres.js hands this FATAL to other queries than the one it ended too: a
  // request's token lookup met it while a proxy held the inserts (test/faults/database-session-ended.test.ts).
  /^25P0[34]$/,
  /^57P05$/,
]

/**
 * better-sqlite3's codes (extended codes start with these), Node's for a file
 * that cannot be written (the SQLite file as it is opened: DATA_DIR on a full
 * or read-only disk, or not the server's to write), and PostgreSQL's SQLSTATEs
 * for a database that answers but cannot serve.
 */
const REFUSING_SQLITE = ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_NOMEM']
const REFUSING_FILE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM'])
const REFUSING_SQLSTATE = [
  /^53/, // insufficient resources: disk full, out of memory, too many connections
  /^57014$/, // statement timeout
  /^55P03$/, // lock not available
  /^25006$/, // read-only transaction: a standby after a failover
]

/** What kind of storage trouble `error` is, with the code that says so; null for any other failure. */
export function storageTroubleOf(error: unknown): { trouble: StorageTrouble; code: string } | null {
  for (const code of codesOf(error)) {
    if (UNREACHABLE_CODES.has(code) || UNREACHABLE_SQLSTATE.some((pattern) => pattern.test(code))) return { trouble: 'unreachable', code }
    if (REFUSING_SQLITE.some((prefix) => code.startsWith(prefix)) || REFUSING_FILE.has(code) || REFUSING_SQLSTATE.some((pattern) => pattern.test(code))) return { trouble: 'refusing', code }
  }
  return null
}

/** better-sqlite3's extended code and PostgreSQL's SQLSTATE for a row written with a reference to a row that is not there. */
const REFERENCE_GONE_CODES = new Set(['SQLITE_CONSTRAINT_FOREIGNKEY', '23503'])

/**
 * A write to a board's update log (an append, a checkpoint) refused whole
 * because the board's row is gone: deleted meanwhile, maybe by another
 * instance that this one has not heard from. The log's tables have no foreign
 * key to the board (their rows are written at every keystroke), so the stores
 * check the row in the write's own transaction instead.
 */
export class BoardRowGone extends Error {
  override name = 'BoardRowGone'

  constructor(boardId: string) {
    super(`board ${boardId} is gone: nothing more is stored for it`)
  }
}

/**
 * An append refused whole because one of its entries is the first, as this
 * instance saw it, to write under a client id that the board's stored writers
 * give to another account: another instance stored that account's update
 * under it first (storage.ts, FirstWrites). `entry`: the batch's first such
 * entry; those before it are no one else's. `writer`: the account that holds
 * `clientId`, so that the room refuses its sender's next clocks under it.
 */
export class ClientIdTaken extends Error {
  override name = 'ClientIdTaken'

  constructor(
    boardId: string,
    readonly entry: number,
    readonly clientId: number,
    readonly writer: string,
  ) {
    super(`board ${boardId}: client id ${clientId} was written by another account`)
  }
}

/**
 * The SQLite database file the server has open is no longer the file at its
 * path: removed (DATA_DIR deleted, moved away) or replaced by another file.
 * SQLite keeps reading and writing the open file all the same, and whatever it
 * takes would be lost with it once the process exits (sqlite-file-watch.ts), so
 * nothing more is written: the database counts as unreachable.
 */
export class DatabaseFileGone extends Error {
  override name = 'DatabaseFileGone'
  readonly code = DATABASE_FILE_GONE

  constructor(path: string, found: 'nothing' | 'another file') {
    super(`the SQLite database file ${path} ${found === 'nothing' ? 'was removed' : 'was replaced by another file'} while this server had it open`)
  }
}

/**
 * A transaction whose COMMIT was sent and never answered, and PostgreSQL could
 * not be asked in time whether it committed (pg-commit-outcome.ts): its change
 * may or may not be stored. `cause`: how its COMMIT failed.
 */
export class CommitOutcomeUnknown extends Error {
  override name = 'CommitOutcomeUnknown'

  constructor(cause: unknown) {
    super('the connection dropped during a COMMIT, and the database could not be asked whether it committed', { cause })
  }
}

/**
 * A change made in a board's turn refused at its commit because the turn's
 * database session no longer holds the turn (ended by PostgreSQL or the
 * network): another instance may have taken the turn and changed the board
 * meanwhile, so a change worked out on the board before is not stored.
 */
export class TurnLost extends Error {
  override name = 'TurnLost'

  constructor(boardId: string) {
    super(`board ${boardId}: the turn this change was made in was lost before it was committed; nothing of it was stored`)
  }
}

/**
 * Whether `error` is a write refused because a row it refers to is gone: rows
 * refer to a board, a snapshot of it, or an account, and each is checked
 * before a request writes, so one missing then was deleted meanwhile (the
 * board by the admin while a review comment was on its way). Either database
 * refuses that write whole, and so does the update log (BoardRowGone).
 */
export function isReferenceGone(error: unknown): boolean {
  return error instanceof BoardRowGone || codesOf(error).some((code) => REFERENCE_GONE_CODES.has(code))
}

/** The codes of `error` and of the errors it wraps (Drizzle wraps the driver's), outermost first. */
export function codesOf(error: unknown): string[] {
  const codes: string[] = []
  let cause: unknown = error
  for (let depth = 0; depth < 5 && typeof cause === 'object' && cause !== null; depth++) {
    if ('code' in cause && typeof cause.code === 'string') codes.push(cause.code)
    cause = 'cause' in cause ? cause.cause : undefined
  }
  return codes
}
