/**
 * The one storage interface the server talks to. Each concern is a store of
 * its own; each store has a SQLite and a PostgreSQL implementation with the
 * same behaviour, checked by one test suite run against both.
 */
import type { ReviewComment, ReviewSignoff, ReviewVerdictRecord, SnapshotKind } from '../../shared/snapshot-model.ts'
import type { BoardSignoff } from '../../shared/review-status.ts'
import type { Role } from '../../shared/roles.ts'

export type Dialect = 'sqlite' | 'postgres'

export type NewBoard = { id: string; title: string; createdAt: string; createdBy: string | null }

/** A board made with its summary already known (a new board is empty): its first load has nothing to count. */
export type SummarizedNewBoard = NewBoard & BoardSummary

/**
 * What the board list shows of a board's content, kept in step with its
 * document by the server as it commits, so that listing boards never loads one.
 */
export type BoardSummary = { title: string; marking: string; assessmentCount: number; claimCount: number; lastChangeAt: string }

export type BoardRecord = NewBoard & {
  /** Null until the board has first been counted (boards made before the summary existed). */
  marking: string | null
  assessmentCount: number | null
  claimCount: number | null
  lastChangeAt: string | null
  /** Set while the board is archived: hidden from the default list, read-only for everyone. */
  archivedAt: string | null
  /** Who archived it (their name as it was then). */
  archivedBy: string | null
}

/**
 * What a board is made with besides its row, written in the same transaction
 * (BoardRecordStore.create): all of it is stored, or none.
 */
export type BoardFounding = {
  /** Its creator's membership, when the creator has an account. */
  owner: MemberRecord | null
  /** The `board-created` entry. */
  audited: NewAuditRecord
  /** The document's first state, as the first row of its log (stamped with the store's clock, as an append's rows are), and who wrote its client ids (`firstWrites`: the server). */
  firstEntry: LogEntry
  /**
   * Made only when the database has no board at all (the demo board of a new
   * install), checked in the transaction against every other instance making
   * one at once, so that instances started together on a new database make it
   * once between them.
   */
  onlyIfNoBoards?: boolean
}

export interface BoardRecordStore {
  /** Adds the board's row; with `founding`, what the board is made with too, in one transaction. False: nothing made (`onlyIfNoBoards`, and there was one). */
  create(board: NewBoard | SummarizedNewBoard, founding?: BoardFounding): Promise<boolean>
  get(id: string): Promise<BoardRecord | undefined>
  /** Every board, or only those of `ids` that exist; oldest first. */
  list(ids?: readonly string[]): Promise<BoardRecord[]>
  /** Records what the board list shows of the board's content. */
  summarize(id: string, summary: BoardSummary): Promise<void>
  /** The boards not yet counted, for the summary to be filled in. */
  unsummarized(): Promise<string[]>
  /** When the board's stored content last changed, as far as its log and checkpoint tell (null: never written). */
  lastWrittenAt(id: string): Promise<string | null>
  /**
   * Archives the board (or restores it with null); false when there is no such board.
   * With `audited`, that audit entry is written in the same transaction when the board is changed.
   */
  setArchived(id: string, archived: { at: string; by: string } | null, audited?: NewAuditRecord): Promise<boolean>
  /**
   * Deletes the board, its log, checkpoints, recorded changes, snapshots and memberships.
   * With `audited`, that audit entry is written in the same transaction.
   */
  delete(id: string, audited?: NewAuditRecord): Promise<void>
}

/**
 * A log row. `batch`: on the first entry of a batch the relay tried to commit
 * (BatchMark). `firstWrites`: the client ids its update is the first to write
 * under, as the room saw it, stored as their writers' in the same transaction
 * (UpdateLogStore.writers), unless another account's already (ClientIdTaken):
 * its author's, and the server's (SERVER_WRITER) for the room's own ids it
 * was the first to write under (server/relay/server-client-ids.ts).
 */
export type LogEntry = { update: Uint8Array; origin: string; batch?: BatchMark; firstWrites?: readonly FirstWrites[] }

/**
 * The first entry of a batch the relay tried to commit carries its id, kept
 * across the batch's retries; `tried` once a try failed. A try whose COMMIT's
 * answer was lost (CommitOutcomeUnknown) may have stored the batch all the
 * same, so once a row holds the id, a later try stores none of its entries
 * (up to the next marked entry). PostgreSQL's log keeps the id on the row;
 * SQLite's ignores it, its commit being in the process and always answered.
 */
export type BatchMark = { id: string; tried: boolean }

/** Client ids an account is the first to write under on a board. */
export type FirstWrites = { userId: string; clients: readonly number[] }

/**
 * Client ids whose writer a board keeps for each account, the account's
 * newest: the stock client draws one per page load that writes. An account's
 * oldest beyond them are dropped (once WRITER_IDS_SLACK past them), never
 * another's, so nobody can push anyone else's out (client-writers.ts). The
 * server's (SERVER_WRITER) are never dropped: each import and restore writes
 * under a new one, which a member could otherwise draw until the board's
 * own ids fell out and were hers to write under.
 */
export const WRITER_IDS_PER_ACCOUNT = 256

/**
 * How far past WRITER_IDS_PER_ACCOUNT an account's ids may grow before its
 * oldest are dropped, down to WRITER_IDS_PER_ACCOUNT in one statement: an
 * account drawing fresh ids pays for dropping once per this many rather than
 * at every first write (a sorted read of all its ids, on the relay's thread
 * with SQLite). The relay keeps the same ids in memory (client-writers.ts).
 */
export const WRITER_IDS_SLACK = 64

/**
 * The writer the room's own client ids are stored under
 * (server/relay/server-client-ids.ts): no account's id (they are UUIDs), so
 * no member may write under them. Never trimmed (WRITER_IDS_PER_ACCOUNT):
 * what bounds them is what draws them, the room's own ids and the imports
 * and restores' own allowances.
 */
export const SERVER_WRITER = 'server'

/** Whether `userId`'s oldest ids are dropped past WRITER_IDS_PER_ACCOUNT: every account's but the server's. */
export function trimsWriterIds(userId: string): boolean {
  return userId !== SERVER_WRITER
}

/** A client id of a board and the account that wrote under it. */
export type ClientWriter = { clientId: number; userId: string }

/**
 * The database session holding a board's turn across instances
 * (pg-board-turns.ts), named so that a commit made in the turn can tell it
 * still holds it: its backend (its start tells it from a later backend given
 * the same pid) and the key of the turn's advisory lock.
 */
export type TurnHolder = { pid: number; backendStart: string; lockKey: number }

/** A stored row of the update log: who sent it (`ws:<userId>`, `server:<by>`) and when it was committed. */
export type LogRow = { seq: number; update: Uint8Array; origin: string; at: string }

export type StoredBoardState = {
  checkpoint: Uint8Array | null
  updates: Uint8Array[]
  /** The sequence number of each of `updates`: what names a row that cannot be applied (relay/damaged-board.ts). */
  rowSeqs: number[]
  /** The highest sequence number covered by what was loaded (0 for a new board). */
  lastSeq: number
  /**
   * Every row up to this sequence number is in what was loaded. Not always
   * `lastSeq`: numbers are handed out before commit, so on PostgreSQL a row
   * with a lower number than one read may still have been on its way in.
   */
  completeThrough: number
}

/**
 * What a catch-up reads (UpdateLogStore.loadSince): the rows after the
 * sequence number a room holds everything up to, or, when the log no longer
 * keeps all of them, the whole stored state (`checkpoint` set or not, `whole`
 * true). Either way every row up to `completeThrough` is in it.
 */
export type StoredSince = Pick<StoredBoardState, 'checkpoint' | 'updates' | 'completeThrough'> & { whole: boolean }

/** Who changed one field of an assessment, from what to what (JSON), over which rows. */
export type AssessmentChangeRecord = {
  assessmentId: string
  field: string
  fromValue: string
  toValue: string
  /** The origin of the rows that made the change. */
  author: string
  /** The first and last row of the change: a person's keystrokes in one field within a few minutes are one change. */
  firstAt: string
  at: string
  seq: number
}

/** What compaction makes of a checkpoint and the rows after it: one state, and who changed which assessment field in those rows. */
export type FoldedLog = { state: Uint8Array; changes: AssessmentChangeRecord[] }

/** Folds a checkpoint and the log rows after it (the server does it in a worker thread). */
export type MergeState = (checkpoint: Uint8Array | null, rows: LogRow[]) => FoldedLog | Promise<FoldedLog>

/**
 * What a compaction folded, the size of the checkpoint it wrote, the bytes of
 * values of the changes it recorded, and for each author (a row's origin) the
 * bytes their recorded changes take (change-batches.ts, recordedBytes); 0 and
 * none when it wrote none: nothing to fold, another wrote first, or the board is gone.
 */
export type Compacted = { mergedRows: number; checkpointBytes: number; changeBytes: number; recordedByAuthor: ReadonlyMap<string, number> }

/** A batch for the update log, with the audit entry of the server-side change it holds (a restore's), written in its transaction. */
export type AuditedEntries = { entries: LogEntry[]; audited: NewAuditRecord | null }

export interface UpdateLogStore {
  /**
   * Appends the batch in one transaction, stamped with the store's clock, with `audited` when given; resolves once it is durable, with the last
   * sequence number. Rejects with BoardRowGone, storing nothing, once the board's row is gone (deleted, maybe by another instance), and with
   * ClientIdTaken, storing nothing, when an entry's first writes are under an id another account wrote.
   */
  append(boardId: string, entries: LogEntry[], audited?: NewAuditRecord | null): Promise<number>
  /**
   * Appends, as `append` does, the entries `take` gives once the board's row
   * is held and `turn` is seen to still hold the board's turn: `take` makes the
   * change, stores what must be stored before it (a restore's point), and hands
   * over what is to be committed, with the change's audit entry. Rejects with TurnLost, `take`
   * never called and nothing stored, once `turn` holds it no more. PostgreSQL
   * only: SQLite's turns are its one process' (board-turns.ts), held by no session.
   */
  appendInTurn?(boardId: string, turn: TurnHolder, take: () => Promise<AuditedEntries>): Promise<number>
  /** The latest checkpoint and every log row after it. */
  load(boardId: string): Promise<StoredBoardState>
  /** Who wrote under the board's client ids (FirstWrites), each account's oldest first. */
  writers(boardId: string): Promise<ClientWriter[]>
  /**
   * The rows after `afterSeq`, for a room that holds every row up to it (its
   * load's or last catch-up's `completeThrough`); the whole stored state
   * instead when thinning has dropped some of them (rows stay after a
   * compaction, until thinned, and only ever go oldest first), and on
   * PostgreSQL also when the rows the latest checkpoint folds outweigh it, so
   * that a catch-up reads no more than the board's size however long the room
   * held it (several instances need PostgreSQL).
   */
  loadSince(boardId: string, afterSeq: number): Promise<StoredSince>
  /**
   * Writes a new checkpoint folding the latest one and the rows after it, with
   * the changes worked out from those rows: in one transaction on PostgreSQL;
   * on SQLite, whose statements hold the relay's thread, the changes a batch
   * per transaction and the checkpoint last (sqlite-fold-write.ts), no reader
   * taking changes past the latest checkpoint meanwhile. The rows stay:
   * they are the board's history until thinned (HistoryStore.thin); the
   * checkpoint superseded is deleted in the checkpoint's transaction unless kept as history
   * (history/earned-copies.ts), its moments rebuilt from the one before and those rows. Rows
   * appended while `merge` runs are left for the next compaction, and of two
   * instances compacting a board at once only one writes. Nothing is written
   * for a board deleted while `merge` ran. With `maxRows`, only the oldest
   * that many rows after the checkpoint are folded (a slice: the checkpoint
   * written covers exactly them), the rest left for the next compaction.
   */
  compact(boardId: string, merge: MergeState, maxRows?: number): Promise<Compacted>
  /** Log rows after the latest checkpoint. */
  count(boardId: string): Promise<number>
  /** The bytes a load of the board reads: its latest checkpoint's and those of the log rows after it (sizes only, never the bytes themselves). */
  bytes(boardId: string): Promise<number>
  /**
   * Dates back to the clock the history of every board further ahead of it
   * than the tolerance, as an edit of the board would (history-time.ts): each
   * board in a transaction of its own, under the locks an edit takes, its
   * newest time read again there (another instance's pass or edit may have
   * dated it back meanwhile), and reported (FutureHistory). How many boards it
   * dated back. The boards are found in one statement that reads each board's
   * times from the ends of its indexes, not its rows.
   */
  dateBackFuture(): Promise<number>
}

/** A kept checkpoint, without its state. */
export type CheckpointInfo = { throughSeq: number; at: string; rowsKept: boolean; bytes: number }

/** A log row without its update: what the list of editing sessions is made of. */
export type LogRowInfo = { seq: number; origin: string; at: string }
export type RowRange = { from: string; to: string; limit: number; beforeSeq?: number }

/** Where rebuilding the board at a past time starts from (the rows after it are read a page at a time: `rowsUpTo`). */
export type HistoryStart = {
  /** The latest kept checkpoint at or before the time, without its state (`checkpointState`), or null to start from an empty board. `rowsKept` false: rows between it and the time were thinned away, so the state is the checkpoint's, not the time's. */
  checkpoint: Omit<CheckpointInfo, 'bytes'> | null
  /** Set when the time is before any history still kept: the earliest moment that can be rebuilt. */
  keptFrom: string | null
}

/** Rows after row `afterSeq` committed at or before `at`. */
export type RowsUpTo = { afterSeq: number; at: string }

/** How long history is kept in detail and at all, and how much of it one board may keep. */
export type HistoryPolicy = {
  /** Every row is kept this long: any moment within it can be rebuilt exactly. */
  detailMs: number
  /** Within the detail window, one checkpoint is kept per this interval (the latest of each). */
  checkpointEveryMs: number
  /** Past the detail window, one checkpoint per UTC day is kept this long (0: for ever), with the changes recorded in it. */
  retentionMs: number
  /** Bytes of history one board may keep (rows, checkpoints, changes); past it the oldest goes first, down to the latest checkpoint and the rows after it, which load the board. */
  maxBytes: number
}

export type ChangeFilter = { assessmentId?: string; from?: string; to?: string; throughSeq?: number; limit: number; before?: ChangePosition }

/** A recorded change's place in the board's order of changes: a listing, newest first, goes on from the oldest of its previous page. */
export type ChangePosition = { seq: number; id: number }

export type StoredChange = AssessmentChangeRecord & ChangePosition

/**
 * What a worker thread opens to read a board's past: the SQLite file
 * (storage/sqlite-reader.ts), or the PostgreSQL database with the relay's
 * statement and connect timeouts (storage/pg-reader.ts).
 */
export type PastLogSource = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string; statementTimeoutMs: number; connectTimeoutMs: number }

/** `lastSeq` is null when no row follows the checkpoint. */
export type TailState = { throughSeq: number; rows: number; lastSeq: number | null }

/** Where the board's kept history starts: thinning changes it (and nothing else does), leaving the log's newest rows as they were. */
export type KeptStart = { checkpoints: number; oldestCheckpoint: number | null; oldestRow: number | null; oldestChange: string | null }

export type HistorySize = { rows: number; rowBytes: number; checkpoints: number; checkpointBytes: number; changes: number; changeBytes: number }

/** What one statement of thinning (server/history/thin-history.ts) dropped: how many rows or changes, and their bytes as `HistorySize` counts them. */
export type Dropped = { count: number; bytes: number }

/** How many recorded changes, and how many bytes of their values, one statement of thinning drops at most. */
export type DropLimit = { count: number; bytes: number }

/** The statements thinning takes, each its own transaction. */
export type ThinningOps = {
  /** Oldest first. */
  checkpoints(): Promise<CheckpointInfo[]>
  /** The sequence number of the board's oldest row left; null when none is. */
  firstRow(): Promise<number | null>
  /**
   * Deletes those of the checkpoints that are left, but never the board's base (the newest checkpoint before its
   * oldest row, when rows are left): another thinning, on another instance, may have dropped the rows before it since
   * this one read them. Returns the sequences deleted.
   */
  dropCheckpoints(throughSeqs: number[]): Promise<number[]>
  /**
   * Drops the rows at or before `seq`, and marks the checkpoints before it as no longer followed by their rows, in one
   * transaction; null, dropping nothing, once the checkpoint through `seq` is no longer kept: a compaction may delete
   * the checkpoint it supersedes (server/history/earned-copies.ts), whose moments are then rebuilt from those very rows.
   */
  dropRowsThrough(seq: number): Promise<Dropped | null>
  /**
   * Drops the oldest changes recorded before `at`: `limit.count` at most, and
   * on SQLite (where the statement holds the relay's thread) no more than
   * `limit.bytes` of values past the first. `more` when some may be left.
   */
  dropChanges(at: string, limit: DropLimit): Promise<Dropped & { more: boolean }>
  /** A scan of all the board's history: read once a thinning, and again when another thinning dropped what this one planned to. */
  size(): Promise<HistorySize>
}

export interface HistoryStore {
  /** The latest kept checkpoint at or before `at`, or why the board cannot be rebuilt from one. */
  startAt(boardId: string, at: string): Promise<HistoryStart>
  /**
   * Where the rows at or before `at` end (as-of-position.ts): the latest kept
   * checkpoint at or before it (its sequence number, null when none is) and
   * the first one after it, or the board's last row when none is (null
   * when the board has none).
   */
  positionBounds(boardId: string, at: string): Promise<{ checkpoint: number | null; through: number | null }>
  /** The board's first row at or after sequence number `seq`, without its update; null when none is. */
  rowFrom(boardId: string, seq: number): Promise<{ seq: number; at: string } | null>
  /** A kept checkpoint's state; null when it is no longer kept. */
  checkpointState(boardId: string, throughSeq: number): Promise<Uint8Array | null>
  /** The rows of the range, oldest first, a page at a time (read in one piece, 200,000 rows held the relay's thread a second on SQLite). */
  rowsUpTo(boardId: string, range: RowsUpTo): AsyncIterable<LogRow[]>
  /** The bytes of the board's log rows after sequence number `afterSeq` (sizes only, never the bytes themselves). */
  writtenAfter(boardId: string, afterSeq: number): Promise<number>
  /** When the board's kept history starts, or null when it is kept from the board's start (HistoryStart's `keptFrom` before any checkpoint). */
  keptFrom(boardId: string): Promise<string | null>
  /** The latest checkpoint and the rows after it with their authors: where the newest changes are worked out from. */
  tail(boardId: string): Promise<{ checkpoint: Uint8Array | null; throughSeq: number; rows: LogRow[] }>
  /**
   * Deletes the board's log rows `seqs`, in one transaction; resolves with how
   * many it deleted. Only for rows that cannot be applied, once kept elsewhere
   * (`assay board set-aside-damaged`), with no server serving the database.
   */
  deleteRows(boardId: string, seqs: readonly number[]): Promise<number>
  /** What names `tail` without reading it: the latest checkpoint's sequence, how many rows follow it and the last one's. */
  tailState(boardId: string): Promise<TailState>
  keptStart(boardId: string): Promise<KeptStart>
  /** Kept checkpoints, oldest first. */
  checkpoints(boardId: string): Promise<CheckpointInfo[]>
  /** Rows committed in [from, to] (ISO times) and before row `beforeSeq` when given, oldest first, at most `limit` (the newest of them). */
  rowInfo(boardId: string, range: RowRange): Promise<LogRowInfo[]>
  /** Recorded changes, newest first: of one assessment, or of the board, within (from, to], up to row `throughSeq` and older than `before` when given; at most `limit`. */
  changes(boardId: string, filter: ChangeFilter): Promise<StoredChange[]>
  /** Applies the policy: drops what it no longer keeps. Never the latest checkpoint nor a row after it. */
  thin(boardId: string, policy: HistoryPolicy, now: string): Promise<{ checkpointsDropped: number; rowsDropped: number; changesDropped: number }>
  /** The statements `thin` takes, one by one: for a test that plays another thinning's part. */
  thinningOps(boardId: string): ThinningOps
  size(boardId: string): Promise<HistorySize>
}

/**
 * An account. Emails are stored lower-cased, so lookups are case-insensitive.
 * A deactivated account stays (its name is in boards, snapshots and the audit
 * log) but cannot sign in, and its sessions and tokens do not work.
 */
export type UserRecord = { id: string; email: string; name: string; passwordHash: string; isAdmin: boolean; createdAt: string; deactivatedAt: string | null }

/** The outcome of a change to an account that must leave the server at least one active admin. */
export type AccountChange = 'done' | 'not-found' | 'last-admin'

/** What an admin changes of an account's access: its admin right, its deactivation (an ISO time; null reactivates), or both. */
export type AccessChange = Partial<Pick<UserRecord, 'isAdmin' | 'deactivatedAt'>>

/**
 * What a new password ends in the transaction that sets it, so that none of
 * it is stored without the rest: the account's sessions (but `except`, the
 * one a change was asked in), its API tokens (revoked at `tokensRevokedAt`),
 * and the audit entry, made of what was ended.
 */
export type PasswordEnding = {
  sessions?: { except?: string }
  tokensRevokedAt?: string
  audited?: (ended: EndedWithPassword) => NewAuditRecord
}

/** The sessions (their hashes) and API tokens (their ids) a new password ended, for their sockets to be closed. */
export type EndedWithPassword = { sessions: string[]; tokens: string[] }

export interface UserStore {
  /** Adds an account; false when its email is taken. With `audited`, that audit entry is written in the same transaction. */
  create(user: UserRecord, audited?: NewAuditRecord): Promise<boolean>
  /** Adds an account only while there is none at all (first-run setup); false otherwise. */
  createFirst(user: UserRecord): Promise<boolean>
  get(id: string): Promise<UserRecord | undefined>
  /** Those of these accounts that exist, in no particular order. */
  getMany(ids: readonly string[]): Promise<UserRecord[]>
  getByEmail(email: string): Promise<UserRecord | undefined>
  /** Oldest first. */
  list(): Promise<UserRecord[]>
  count(): Promise<number>
  /**
   * Null when there is no such account. With `replacing`, sets it only while
   * the account is active and its hash is still that one (the hash a password
   * change checked the current password against), null otherwise: a reset
   * or deactivation that came meanwhile stands. With `ending`, ends what it
   * says in the same transaction; what was ended is returned.
   */
  setPasswordHash(id: string, passwordHash: string, replacing?: string, ending?: PasswordEnding): Promise<EndedWithPassword | null>
  /**
   * Makes the account an admin or not; refuses to take the rights of the last active admin.
   * With `audited`, that audit entry is written in the same transaction when the change is made.
   */
  setAdmin(id: string, isAdmin: boolean, audited?: NewAuditRecord): Promise<AccountChange>
  /**
   * Deactivates the account (or reactivates it with null); refuses to deactivate the last active admin.
   * With `audited`, that audit entry is written in the same transaction when the change is made.
   */
  setDeactivated(id: string, at: string | null, audited?: NewAuditRecord): Promise<AccountChange>
  /**
   * Makes both changes one request asks for (admin right and deactivation) in
   * one transaction with their audit entries, so that neither is stored
   * without the other; refuses, changing nothing, what would leave no active admin.
   */
  setAccess(id: string, change: AccessChange, audited: readonly NewAuditRecord[]): Promise<AccountChange>
}

/** A signed-in browser. Only the SHA-256 of the cookie's token is stored. */
export type SessionRecord = { tokenHash: string; userId: string; createdAt: string; expiresAt: string }

/** The removals return the hashes of the sessions they ended, so that their sockets can be closed too. */
export interface SessionStore {
  /**
   * Adds the session only while its account is active and its password hash
   * is still `passwordHash` (the one the sign-in checked), in one step that a
   * reset or deactivation cannot come into the middle of; false otherwise. A
   * reset or deactivation ends the account's sessions after it changes the
   * account, so a session added before it is ended by it, and one after it is
   * never added. With `audited`, that audit entry is written in the same transaction.
   */
  create(session: SessionRecord, passwordHash: string, audited?: NewAuditRecord): Promise<boolean>
  get(tokenHash: string): Promise<SessionRecord | undefined>
  /** Those of these sessions that exist (expired ones included), in no particular order. */
  getMany(tokenHashes: readonly string[]): Promise<SessionRecord[]>
  /**
   * Removes the session; false when there was none. With `audited`, that audit
   * entry is written in the same transaction when the session is removed.
   */
  delete(tokenHash: string, audited?: NewAuditRecord): Promise<boolean>
  /** Removes the user's sessions, but the one whose hash is `except`. */
  deleteForUser(userId: string, except?: string): Promise<string[]>
  /** Removes sessions that expired before `now`. */
  deleteExpired(now: string): Promise<string[]>
}

/** A personal API token. Only the SHA-256 of the token is stored. */
export type ApiTokenRecord = {
  id: string
  userId: string
  name: string
  tokenHash: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

export interface ApiTokenStore {
  /**
   * Adds the token; with `madeInSession`, only while that session (its id,
   * the hash of its cookie's token) exists, in one step that its ending cannot
   * come into the middle of, false otherwise. A reset ends the sessions before
   * it revokes the tokens: a token made before the end is revoked, none is made after it.
   * With `audited`, that audit entry is written in the same transaction.
   */
  create(token: Omit<ApiTokenRecord, 'lastUsedAt' | 'revokedAt'>, madeInSession?: string, audited?: NewAuditRecord): Promise<boolean>
  getByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>
  /** Those of these tokens (by id) that exist, revoked ones included, in no particular order. */
  getMany(ids: readonly string[]): Promise<ApiTokenRecord[]>
  /** The user's tokens that are not revoked, oldest first. */
  listActive(userId: string): Promise<ApiTokenRecord[]>
  /**
   * Revokes one of the user's own tokens; false when there is no such active token.
   * With `audited`, that audit entry is written in the same transaction when the token is revoked.
   */
  revoke(id: string, userId: string, at: string, audited?: NewAuditRecord): Promise<boolean>
  touch(id: string, at: string): Promise<void>
}

export type MemberRecord = { boardId: string; userId: string; role: Role; addedAt: string }
export type MemberView = { userId: string; email: string; name: string; role: Role }
/** The outcome of a change of membership that must leave the board at least one owner. */
/** `not-allowed`: the change was refused by what its caller allows from the member's current role. */
export type MemberChange = 'done' | 'not-member' | 'last-owner' | 'not-allowed'

export interface MemberStore {
  role(boardId: string, userId: string): Promise<Role | undefined>
  /** The account's role on each board it is a member of, by board id. */
  rolesOf(userId: string): Promise<Map<string, Role>>
  /** The board's members with their accounts, by name. */
  list(boardId: string): Promise<MemberView[]>
  /**
   * Adds a member and records it as an owner's decision about them (lifting a
   * removal of theirs), so that links the board has now do not raise them;
   * false when the user is one already. With `audited`, that audit entry is
   * written in the same transaction when the member is added.
   */
  add(member: MemberRecord, audited?: NewAuditRecord): Promise<boolean>
  /**
   * Changes a role; refuses to demote the board's last owner, and, with
   * `allowed`, a change it does not allow from the role the member holds as
   * it is written (a token may lower a role, not raise it). A change is
   * recorded as an owner's decision: links the board has now raise the member
   * no more, so a demotion sticks; links made later do. With `audited`, that
   * audit entry is written in the same transaction when the change is made.
   */
  setRole(boardId: string, userId: string, role: Role, allowed?: (current: Role) => boolean, audited?: NewAuditRecord): Promise<MemberChange>
  /**
   * Removes a member and records it, so that invite links admit them no more; refuses to remove the board's last owner.
   * With `audited`, that audit entry is written in the same transaction when the member is removed.
   */
  remove(boardId: string, userId: string, audited?: NewAuditRecord): Promise<MemberChange>
  /**
   * Accepts an invite for `userId`: reads the invite again with its maker and,
   * only if `admits` it, joins them to its board with its role or raises their
   * role to it (never lowers it); refuses someone an owner removed from the
   * board, until an owner adds them, and raises no one whose role an owner set
   * after the link was made. Check and write are one transaction, under
   * the board's membership lock, so a maker demoted meanwhile grants nothing.
   * With `audited`, the audit entry it makes of the role the member had (null:
   * none) is written in the same transaction when they join or are raised.
   */
  acceptInvite(invite: InviteRecord, userId: string, at: string, admits: (invite: InviteWithMaker) => boolean, audited?: (from: Role | null) => NewAuditRecord): Promise<InviteAcceptance>
}

/**
 * What accepting an invite did: `unusable`, it admits nobody now (gone, or
 * refused by `admits`); `removed`, an owner removed this person from the
 * board; `kept`, they hold its role or a higher one already; `set-by-owner`,
 * an owner added them or set their lower role after the link was made, which
 * outranks it; `joined`; `raised` from a lower role.
 */
export type InviteAcceptance =
  | { outcome: 'unusable' | 'removed' | 'joined' }
  | { outcome: 'kept' | 'set-by-owner'; role: Role }
  | { outcome: 'raised'; from: Role }

/**
 * An invitation link to a board. Only the SHA-256 of the link's token is
 * stored; `id` is what owners list and revoke it by. `createdBy` is the
 * account that made it, whose right to grant the role the link stands on.
 */
export type InviteRecord = { id: string; tokenHash: string; boardId: string; role: Role; createdBy: string; createdAt: string; expiresAt: string }
/** The account that made an invite, with the role it holds on the invite's board now (null: none). */
export type InviteMaker = { id: string; name: string; isAdmin: boolean; deactivatedAt: string | null; role: Role | null }
/** An invite with its maker; `maker` is null when that account no longer exists. */
export type InviteWithMaker = InviteRecord & { maker: InviteMaker | null }

export interface InviteStore {
  /** Stores an invite; with `audited`, that audit entry in the same transaction. */
  create(invite: InviteRecord, audited?: NewAuditRecord): Promise<void>
  get(tokenHash: string): Promise<InviteRecord | undefined>
  /** The board's invites that expire after `now`, newest first. */
  listForBoard(boardId: string, now: string): Promise<InviteRecord[]>
  /** As `listForBoard`, each with its maker's account and membership, read in one query. */
  listWithMakers(boardId: string, now: string): Promise<InviteWithMaker[]>
  /**
   * Deletes one of the board's invites; false when the board has none with this id.
   * With `audited`, that audit entry is written in the same transaction when the invite is deleted.
   */
  delete(boardId: string, id: string, audited?: NewAuditRecord): Promise<boolean>
  deleteExpired(now: string): Promise<number>
}

export type AuditRecord = {
  id: number
  at: string
  actorId: string | null
  actorLabel: string
  action: string
  boardId: string | null
  /** JSON object text. */
  detail: string
}

/**
 * One page of the audit log, newest first: at most `limit` entries, only those
 * older than the entry `before` (an id) when given, and only of `action` when
 * given. Walking the pages reaches every entry, however many were added since.
 */
export type AuditPage = { limit: number; before?: number; action?: string }

/**
 * An entry as it is written; the store numbers it. The stores that make an
 * audited change take it too, and write both in one transaction, so that a
 * change is never stored without its entry nor an entry without its change.
 * `tells`: what the change tells the other instances sharing the database
 * (control messages, encoded: server/relay/control-message.ts), which
 * PostgreSQL sends with `pg_notify` in that same transaction, so that they go
 * out exactly when it commits, and never for a change rolled back
 * (pg-audited.ts); a SQLite file has no other instance to tell.
 */
export type NewAuditRecord = Omit<AuditRecord, 'id'> & { tells?: readonly string[] }

export interface AuditStore {
  append(entry: NewAuditRecord): Promise<void>
  /** A page of the board's entries. */
  listForBoard(boardId: string, page: AuditPage): Promise<AuditRecord[]>
  /** A page of every entry, board or not (sign-ins, tokens, accounts). */
  listAll(page: AuditPage): Promise<AuditRecord[]>
}

/**
 * How many times a command wrote the database alone, holding the serving lock
 * exclusive (serving-lock.ts): counted before it writes, so a server whose
 * lock lapsed meanwhile sees it, however the command ended.
 */
export interface ExclusiveWriteStore {
  /** Counts one more, committed when it resolves. */
  note(): Promise<void>
  /** 0 before the first. */
  count(): Promise<number>
}

export type SnapshotRecord = {
  id: string
  boardId: string
  label: string
  kind: SnapshotKind
  /** SHA-256 (hex) of the canonical JSON of the board model the state holds. */
  contentHash: string
  authorId: string | null
  authorName: string
  createdAt: string
  previousId: string | null
  /**
   * The moment the state holds the board of, when earlier than `createdAt`: the past time it was made of, or the time
   * of the newest log row a capture of the live board read when the board moved on before it was recorded. Null when
   * it holds the board as it was at `createdAt`.
   */
  asOf: string | null
}

/**
 * What the caller gives; the store sets the time (after the previous snapshot's) and the previous snapshot.
 * `heldThroughSeq`, for a capture of the live board: the highest log sequence number it holds. Rows stored after it,
 * before the snapshot is, are not in it: its content is then of the time of that newest row it holds, stored as
 * `asOf`, so that the board read as of that time is the snapshot (SnapshotContentMoved when no time is).
 */
export type NewSnapshot = Omit<SnapshotRecord, 'createdAt' | 'previousId' | 'asOf'> & { state: Uint8Array; asOf?: string | null; heldThroughSeq?: number }

/** Conditions under which `create` records nothing, checked under the board's snapshot lock. */
export type SnapshotGuard = {
  /** Skip when the board's latest snapshot has the same content hash. */
  unlessUnchanged?: boolean
  /**
   * Skip when the board's latest snapshot was made after `since` and no later
   * than `now` (another instance just made one). One dated after `now` says
   * nothing of the kind: the clock is behind the board's history, whose times
   * stand still meanwhile (history-time.ts), and every snapshot would seem
   * just made until the clock caught up.
   */
  unlessRecent?: { since: string; now: string }
}

export interface SnapshotStore {
  /**
   * Records a snapshot as the board's newest; null when a guard skipped it. Snapshots are never changed afterwards.
   * With `audited`, that audit entry is written in the same transaction (not when a guard skips the snapshot).
   */
  create(snapshot: NewSnapshot, guard?: SnapshotGuard, audited?: NewAuditRecord): Promise<SnapshotRecord | null>
  get(boardId: string, id: string): Promise<SnapshotRecord | undefined>
  state(boardId: string, id: string): Promise<Uint8Array<ArrayBuffer> | undefined>
  /** Newest first. */
  list(boardId: string): Promise<SnapshotRecord[]>
  /** The newest snapshot; with `atOrBefore`, the newest made at or before that time (what a version of the board is compared with). */
  latest(boardId: string, atOrBefore?: string): Promise<SnapshotRecord | undefined>
  /**
   * Boards written to (log or checkpoint) at or after their latest snapshot, or
   * that have none: the candidates for an automatic snapshot.
   */
  changedBoards(): Promise<string[]>
  /**
   * Deletes the board's automatic snapshots older than its `keep` newest ones,
   * except those with review data; snapshots that named a deleted one as their
   * previous name its previous instead. Returns how many were deleted.
   */
  pruneAuto(boardId: string, keep: number): Promise<number>
  /**
   * Deletes one snapshot of the board, unless it has review data (comments,
   * verdicts or sign-offs: the review's record is kept); the snapshot that
   * named it as its previous names its previous instead. With `audited`, that
   * audit entry is written in the same transaction when the snapshot is deleted.
   */
  remove(boardId: string, id: string, audited?: NewAuditRecord): Promise<SnapshotRemoval>
  /** How many snapshots of these kinds the board has, and their stored bytes (their states' sizes, read without reading the states). */
  usage(boardId: string, kinds: readonly SnapshotKind[]): Promise<SnapshotUsage>
}

export type SnapshotUsage = { count: number; bytes: number }

export type SnapshotRemoval = 'deleted' | 'reviewed' | 'not-found'

/** Which comments a listing reads: one snapshot's, or those of the board's unresolved threads over all its snapshots. */
export type CommentScope = { snapshotId: string } | { openOnBoard: string }

/** A comment without its body, and the body's size in bytes. */
export type CommentHead = { id: string; parentId: string | null; createdAt: string; bodyBytes: number }

export interface ReviewStore {
  addComment(comment: ReviewComment): Promise<void>
  getComment(snapshotId: string, id: string): Promise<ReviewComment | undefined>
  /** Marks a thread's first comment resolved (or open again with null); the comment after the change. */
  setResolved(snapshotId: string, id: string, resolved: { at: string; by: string } | null): Promise<ReviewComment | undefined>
  /** The scope's comments without their bodies, in no particular order: what choosing the threads a listing holds reads. */
  commentHeads(scope: CommentScope): Promise<CommentHead[]>
  /** These comments whole, oldest first. */
  commentsByIds(ids: readonly string[]): Promise<ReviewComment[]>
  /** Sets (or replaces) one reviewer's verdict on one assessment of a snapshot. */
  setVerdict(verdict: ReviewVerdictRecord): Promise<void>
  /** False when the reviewer had no verdict there. */
  deleteVerdict(snapshotId: string, assessmentId: string, reviewerId: string): Promise<boolean>
  verdicts(snapshotId: string): Promise<ReviewVerdictRecord[]>
  /** Sets (or replaces) one reviewer's sign-off of a snapshot. */
  setSignoff(signoff: ReviewSignoff): Promise<void>
  signoffs(snapshotId: string): Promise<ReviewSignoff[]>
  /**
   * Every sign-off of each board's snapshots, with the snapshot's label and
   * time, oldest first: what a board's review status is read from. Every
   * board asked about has an entry; the board list asks about all of its
   * boards at once.
   */
  boardSignoffs(boardIds: readonly string[]): Promise<Map<string, BoardSignoff[]>>
}

/**
 * Which deployment the database belongs to: what every Redis key and channel
 * is named after (server/redis-namespace.ts), so that two deployments sharing
 * one Redis, a restored copy and its original among them, never hear each
 * other's edits; and what each held change's file names
 * (server/relay/held-change-spool.ts), so that a start on another database
 * leaves it for its own.
 */
export interface DeploymentStore {
  /**
   * The same for every instance on this database, and another for any other
   * database: the id stored with it (made at the first start, afresh by
   * `assay restore`), and on PostgreSQL the database's own identity, which a
   * copy made with pg_restore does not share.
   */
  identity(): Promise<string>
}

/**
 * The rules a board's content was last found within as it loaded (`bounds`,
 * server/relay/checked-bounds.ts) and the items it held then (`stateVector`,
 * a Yjs state vector): every item under it was checked, so a load under the
 * same rules checks only those written since (server/relay/load-repair.ts).
 */
export type BoundsCheck = { bounds: string; stateVector: Uint8Array }

export interface BoundsCheckStore {
  /** The board's last check, or null when it was never checked (or loaded before checks were kept). */
  get(boardId: string): Promise<BoundsCheck | null>
  /**
   * Keeps `check` as the board's last, in place of any before (each is sound
   * on its own: two instances loading the board at once may both write). No
   * row is written for a board that is gone, deleted meanwhile perhaps.
   */
  record(boardId: string, check: BoundsCheck): Promise<void>
}

export interface Storage {
  readonly dialect: Dialect
  readonly boards: BoardRecordStore
  readonly log: UpdateLogStore
  readonly history: HistoryStore
  readonly snapshots: SnapshotStore
  readonly reviews: ReviewStore
  readonly users: UserStore
  readonly sessions: SessionStore
  readonly tokens: ApiTokenStore
  readonly members: MemberStore
  readonly invites: InviteStore
  readonly audit: AuditStore
  readonly exclusiveWrites: ExclusiveWriteStore
  readonly deployment: DeploymentStore
  readonly boundsChecks: BoundsCheckStore
  /** Resolves once the database has answered a trivial query (readiness); rejects when it cannot. */
  ping(): Promise<void>
  /** SQLite only: the bytes its write-ahead log file takes on disk now (0 when there is none). */
  walBytes?(): Promise<number>
  /** Where a worker thread reads a board's past with a read-only connection of its own, off the relay's thread (history/past-log-job.ts). */
  readonly pastSource: PastLogSource
  close(): Promise<void>
}
