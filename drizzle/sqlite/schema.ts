/**
 * SQLite tables. drizzle/pg/schema.ts declares the same tables with the same
 * export names and columns (a test checks it), so one storage layer serves both.
 * Times are ISO 8601 UTC strings in both dialects, so they sort and compare alike.
 */
import { sql } from 'drizzle-orm'
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

const bytes = (name: string) => blob(name, { mode: 'buffer' })

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
  createdAt: text('created_at').notNull(),
  /** Set while the account is deactivated: it cannot sign in and its tokens do not work, but it stays in history. */
  deactivatedAt: text('deactivated_at'),
}, (t) => [uniqueIndex('users_email').on(t.email)])

export const sessions = sqliteTable('sessions', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
}, (t) => [index('sessions_user').on(t.userId)])

export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  revokedAt: text('revoked_at'),
}, (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash), index('api_tokens_user').on(t.userId)])

/**
 * The board list reads this table alone: the title, marking, counts and last
 * change are a summary the server keeps in step with the board document as it
 * commits (null until first counted), so listing never loads a board.
 */
export const boards = sqliteTable('boards', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by'),
  marking: text('marking'),
  assessmentCount: integer('assessment_count'),
  claimCount: integer('claim_count'),
  lastChangeAt: text('last_change_at'),
  /** Set while the board is archived: hidden from the default list and read-only for everyone. */
  archivedAt: text('archived_at'),
  archivedBy: text('archived_by'),
})

export const boardMembers = sqliteTable('board_members', {
  boardId: text('board_id').notNull().references(() => boards.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  role: text('role').notNull(),
  addedAt: text('added_at').notNull(),
}, (t) => [primaryKey({ columns: [t.boardId, t.userId] }), index('board_members_user').on(t.userId)])

/**
 * An owner's last decision about a member of a board, which outranks the
 * invite links made before it. `removed`: an owner removed them, and no link,
 * old or new, lets them in until an owner adds them again. Otherwise an owner
 * added them or set their role: a link made up to `linksUpTo` (the newest link
 * the board had then; null when it had none) raises them no more, while one
 * made later, the owners' later intent, does. When, the audit log says.
 */
export const memberDecisions = sqliteTable('member_decisions', {
  boardId: text('board_id').notNull().references(() => boards.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  removed: integer('removed', { mode: 'boolean' }).notNull(),
  linksUpTo: text('links_up_to'),
}, (t) => [primaryKey({ columns: [t.boardId, t.userId] })])

export const boardInvites = sqliteTable('board_invites', {
  tokenHash: text('token_hash').primaryKey(),
  /** What owners list and revoke an invite by: the token's hash never leaves the server. */
  id: text('id').notNull().unique(),
  boardId: text('board_id').notNull().references(() => boards.id, { onDelete: 'cascade' }),
  role: text('role').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
})

/**
 * The update log: every update a writer sent, in commit order. `seq` orders all
 * boards' rows; `createdAt` is the commit's time and `origin` who sent it. Rows
 * are kept after compaction, as the board's history, until thinned.
 * `batchId` is PostgreSQL's (drizzle/pg/schema.ts), left empty here: SQLite
 * commits in the server's own process, so no COMMIT's answer is lost and no
 * retried batch can have been stored before.
 */
export const boardUpdates = sqliteTable('board_updates', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  boardId: text('board_id').notNull(),
  update: bytes('update').notNull(),
  origin: text('origin').notNull(),
  createdAt: text('created_at').notNull(),
  batchId: text('batch_id'),
}, (t) => [index('board_updates_board_seq').on(t.boardId, t.seq), uniqueIndex('board_updates_batch').on(t.batchId).where(sql`${t.batchId} is not null`)])

/**
 * Who wrote under each Yjs client id of a board: the account whose update
 * first advanced it, written in the transaction that stores that update's
 * row, and loaded with the board's room. Yjs ties nothing to a client id, so
 * whoever sends the next clock of someone's id takes their place; the relay
 * refuses an update advancing an id written by another account
 * (server/relay/client-writers.ts), across idle unloads, restarts and
 * instances: the key lets only one account have an id, whichever instance
 * stored it first. `seq` is the log row that first wrote under it: each
 * account keeps its newest (storage.ts, WRITER_IDS_PER_ACCOUNT).
 */
export const boardClientWriters = sqliteTable('board_client_writers', {
  boardId: text('board_id').notNull(),
  clientId: integer('client_id').notNull(),
  userId: text('user_id').notNull(),
  seq: integer('seq').notNull(),
}, (t) => [primaryKey({ columns: [t.boardId, t.clientId] }), index('board_client_writers_account').on(t.boardId, t.userId, t.seq)])

/**
 * The bounds a board's content was last found within at a load (the load
 * repair's, server/relay/load-repair.ts): `bounds` names the rules it was
 * checked under (server/relay/checked-bounds.ts), `stateVector` (a Yjs state
 * vector) the items checked, every one the board held as it was loaded. A
 * later load under the same rules checks only the items written since;
 * nothing when there are none. Kept per board, deleted with it.
 */
export const boardBoundsChecks = sqliteTable('board_bounds_checks', {
  boardId: text('board_id').primaryKey().references(() => boards.id, { onDelete: 'cascade' }),
  bounds: text('bounds').notNull(),
  stateVector: bytes('state_vector').notNull(),
})

/**
 * Checkpoints of a board: each is its whole state covering its log up to and
 * including `throughSeq`. The newest is where loading starts; older ones are
 * the board's history, kept on a schedule (server/history/). `at` is the time
 * of the last row it covers; `rowsKept` says that every row after it is still
 * stored, so any moment from it on can be rebuilt exactly.
 */
export const boardCheckpoints = sqliteTable('board_checkpoints', {
  boardId: text('board_id').notNull(),
  state: bytes('state').notNull(),
  throughSeq: integer('through_seq').notNull(),
  at: text('at').notNull(),
  rowsKept: integer('rows_kept', { mode: 'boolean' }).notNull().default(true),
  createdAt: text('created_at').notNull(),
}, (t) => [primaryKey({ columns: [t.boardId, t.throughSeq] })])

/**
 * Who changed which field of an assessment, when: worked out from the log's
 * rows when they are folded into a checkpoint, and kept after the rows are
 * thinned away. `author` is the row's origin (set by the server from the
 * signed-in principal); `fromValue` and `toValue` are JSON: a long title's or
 * judgment's the part that changed (shared/text-excerpt.ts), tags' and
 * links' the items removed and added (shared/list-excerpt.ts), whole in rows
 * recorded before that.
 */
export const boardChanges = sqliteTable('board_changes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  boardId: text('board_id').notNull(),
  assessmentId: text('assessment_id').notNull(),
  field: text('field').notNull(),
  fromValue: text('from_value').notNull(),
  toValue: text('to_value').notNull(),
  author: text('author').notNull(),
  firstAt: text('first_at').notNull(),
  at: text('at').notNull(),
  seq: integer('seq').notNull(),
}, (t) => [index('board_changes_board_assessment').on(t.boardId, t.assessmentId, t.seq, t.id, t.at), index('board_changes_board_at').on(t.boardId, t.at), index('board_changes_board_seq').on(t.boardId, t.seq, t.id, t.at)])

export const snapshots = sqliteTable('snapshots', {
  id: text('id').primaryKey(),
  boardId: text('board_id').notNull().references(() => boards.id, { onDelete: 'cascade' }),
  label: text('label').notNull(),
  kind: text('kind').notNull(),
  state: bytes('state').notNull(),
  contentHash: text('content_hash').notNull(),
  authorId: text('author_id'),
  authorName: text('author_name').notNull(),
  createdAt: text('created_at').notNull(),
  previousId: text('previous_id'),
  // What orders a board's snapshots of one time (dated back together): one past the board's highest when made. Null on
  // those stored before it and by instances not yet upgraded, which count as 0 (snapshot-rows.ts): only the rows that tied
  // were numbered when it was added (drizzle/*/..._snapshot_order.sql), sparing a rewrite of every stored state.
  seq: integer('seq'),
  // The past moment a snapshot holds the board of, when made of one (`asOf`); null when made of the live board, whose
  // content is of `created_at`. Nullable so that instances not yet upgraded, which leave it out, store what they did.
  asOf: text('as_of'),
}, (t) => [
  // Holds every column but the state, so that a snapshot's record (get, latest, list) is read from it: the state comes
  // before the columns after it in each row, and reading those from the row walks the state's whole chain of overflow
  // pages (some 4 ms for 14 MB, on the relay's thread, for each record read).
  index('snapshots_board_created').on(t.boardId, t.createdAt, t.seq, t.id, t.label, t.kind, t.contentHash, t.authorId, t.authorName, t.previousId, t.asOf),
  uniqueIndex('snapshots_board_seq').on(t.boardId, t.seq),
])

export const reviewComments = sqliteTable('review_comments', {
  id: text('id').primaryKey(),
  snapshotId: text('snapshot_id').notNull().references(() => snapshots.id, { onDelete: 'cascade' }),
  boardId: text('board_id').notNull(),
  assessmentId: text('assessment_id').notNull(),
  parentId: text('parent_id'),
  authorId: text('author_id').notNull(),
  authorName: text('author_name').notNull(),
  body: text('body').notNull(),
  createdAt: text('created_at').notNull(),
  resolvedAt: text('resolved_at'),
  resolvedBy: text('resolved_by'),
}, (t) => [index('review_comments_snapshot').on(t.snapshotId), index('review_comments_board').on(t.boardId, t.assessmentId)])

export const reviewVerdicts = sqliteTable('review_verdicts', {
  snapshotId: text('snapshot_id').notNull().references(() => snapshots.id, { onDelete: 'cascade' }),
  assessmentId: text('assessment_id').notNull(),
  reviewerId: text('reviewer_id').notNull(),
  reviewerName: text('reviewer_name').notNull(),
  verdict: text('verdict').notNull(),
  createdAt: text('created_at').notNull(),
}, (t) => [primaryKey({ columns: [t.snapshotId, t.assessmentId, t.reviewerId] })])

export const reviewSignoffs = sqliteTable('review_signoffs', {
  snapshotId: text('snapshot_id').notNull().references(() => snapshots.id, { onDelete: 'cascade' }),
  reviewerId: text('reviewer_id').notNull(),
  reviewerName: text('reviewer_name').notNull(),
  decision: text('decision').notNull(),
  note: text('note').notNull(),
  createdAt: text('created_at').notNull(),
}, (t) => [primaryKey({ columns: [t.snapshotId, t.reviewerId] })])

export const auditLog = sqliteTable('audit_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: text('at').notNull(),
  actorId: text('actor_id'),
  actorLabel: text('actor_label').notNull(),
  action: text('action').notNull(),
  boardId: text('board_id'),
  detail: text('detail').notNull(),
}, (t) => [
  index('audit_log_board').on(t.boardId, t.id),
  // The audit views filtered by action (`?action=export`) find the few entries of it among millions without walking them all.
  index('audit_log_action').on(t.action, t.id),
  index('audit_log_board_action').on(t.boardId, t.action, t.id),
])

/**
 * One row (id 1) counting the times a command wrote the database holding the
 * serving lock exclusive (`assay import`: server/storage/serving-lock.ts),
 * each counted before it writes. A server whose lock lapsed for a moment reads
 * it again once it holds the lock again: a count that moved means a command
 * wrote behind the boards it holds in memory.
 */
export const exclusiveWrites = sqliteTable('exclusive_writes', {
  id: integer('id').primaryKey(),
  count: integer('count').notNull(),
})

/**
 * One row (id 1): the deployment this database belongs to, made at its first
 * start and made afresh by `assay restore`, so that a restored copy is a
 * deployment of its own. Every Redis key and channel the servers use is named
 * after it (server/redis-namespace.ts): two deployments sharing one Redis
 * never hear each other's edits, nor share their counts.
 */
export const deployment = sqliteTable('deployment', {
  id: integer('id').primaryKey(),
  deploymentId: text('deployment_id').notNull(),
})
