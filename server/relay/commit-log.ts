/**
 * A room's way to the update log: what its doc applied waits in one batch,
 * committed in one transaction once a turn of the event loop (`setImmediate`),
 * and kept in memory and retried with a growing pause while commits fail.
 *
 * While a commit is in flight nothing new is applied: what arrives meanwhile
 * waits (`betweenCommits`), and is applied in order once it completes. So the
 * moment a commit completes, the doc holds exactly what is stored, and that is
 * when what waits for that is answered (`whenCommitted`, `whenSaved`).
 *
 * Saving is late once the oldest change not yet committed has waited
 * `commitFailingNoticeMs`, whatever holds it up: commits failing, one that
 * hangs, or a slow database link on which each commit succeeds but crawls
 * (no statement times out, so nothing fails). Then the board counts as
 * failing (readiness, metrics) and its clients are told; it clears once a
 * commit leaves nothing waiting for more than half that long.
 */
import { randomUUID } from 'node:crypto'
import { isChangeOrigin } from '../../shared/change-origin.ts'
import { errorMessage } from '../../shared/error-message.ts'
import type { RelayLimits } from '../../shared/limits.ts'
import { CLOSE } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import { BoardRowGone, ClientIdTaken } from '../storage/storage-errors.ts'
import type { AuditedEntries, BatchMark, FirstWrites, LogEntry, NewAuditRecord, TurnHolder, UpdateLogStore } from '../storage/storage.ts'
import { BoardDeleted, RoomUnloaded } from './commit-errors.ts'
import { batchRows, type BatchRows } from './batch-rows.ts'
import { Connection } from './connection.ts'
import { mergeInGroups } from './merge-in-groups.ts'

/**
 * `author`: the person whose connection made the change, when it was one
 * signed in; `sender`: that connection, if any; `batch`: on the first of a
 * batch tried (BatchMark).
 */
type PendingUpdate = LogEntry & { author: string | null; sender: Connection | null }

/** The first retry of a failed commit; each next one waits twice as long, up to `commitRetryMaxMs`. */
const COMMIT_RETRY_FIRST_MS = 200

/**
 * A batch of changes stored in one transaction: their merged update (as
 * broadcast), how many updates, how many log rows hold them (batch-rows.ts),
 * how long it took, the people whose
 * connections made them (none for server-side changes and anonymous sockets),
 * and who the transaction stored as the first writer of each client id it
 * wrote first (storage.ts, FirstWrites): the server's own ids included, which
 * a member's update and the stamp it carries share with that member.
 */
export type Commit = { update: Uint8Array; updates: number; rows: number; seconds: number; authors: string[]; firstWrites: FirstWrites[] }

/** What the room does when its commits reach it. */
export interface CommitLogHost {
  /** A batch was committed: it is broadcast, and the relay's extensions told. */
  committed(commit: Commit): void
  /** A commit failed with `error`; it is retried. */
  commitFailed(error: unknown): void
  /** `savingFailingSince` changed (saving became late, or caught up): the board's clients are told. */
  savingNoticeChanged(): void
  /** What was applied from `pendingBefore` on cannot be committed as it is (`cause`): the room resets. */
  uncommittable(cause: string, error: unknown, pendingBefore: number): void
  /**
   * A commit was refused as `sender`'s change writes under a client id that
   * another instance stored as another account's: that change, and what
   * `sender` sent after it, are dropped; the rest is committed.
   */
  clientIdTaken(taken: ClientIdTaken, sender: Connection | null): void
  /** The changes that waited for the commit are applied: so may be those that wait for content. */
  changesResumed(): void
  /** Nothing waits to be committed. */
  settled(): void
  /** The log refused a commit because the board's row is gone: whoever is on it is closed for good. */
  boardRowGone(): void
}

export type CommitLogOptions = {
  boardId: string
  log: UpdateLogStore
  logger: Logger
  limits: Pick<RelayLimits, 'commitRetryMaxMs' | 'commitFailingNoticeMs'>
  host: CommitLogHost
}

type HeldReply = { connection: Connection | null; reply: () => void }

type Waiter<T> = { resolve: (value: T) => void; reject: (error: Error) => void }

export class CommitLog {
  private readonly boardId: string
  private pending: PendingUpdate[] = []
  /**
   * How many entries at the head of `pending` a failed commit tried: they keep
   * their batches' marks, so that a retry finds them stored should that commit
   * have landed, its answer lost (BatchMark); those after them are a new batch.
   */
  private triedCount = 0
  private flushScheduled = false
  private flushing = false
  /** Changes (from sockets and other instances) that arrived while a commit was in flight, applied in order once it completes. */
  private deferred: (() => void)[] = []
  /** Work that must see the doc exactly as stored: answered when nothing is uncommitted. */
  private heldReplies: HeldReply[] = []
  /** Counts of changes applied to the doc and committed, so `whenSaved()` waits only for what came before it. */
  private appliedCount = 0
  private committedCount = 0
  private savedWaiters: (Waiter<void> & { target: number })[] = []
  private idleWaiters: Waiter<void>[] = []
  private retryTimer: NodeJS.Timeout | undefined
  private failedCommits = 0
  private failingSince: number | null = null
  /**
   * When the oldest change not yet committed arrived (applied, or waiting for
   * the commit in flight), or null when nothing waits; `deferredSince`: when
   * the first of those waiting for the commit in flight arrived. Stamped only
   * when unset, so a keystroke costs no clock read while others wait.
   */
  private oldestUncommitted: number | null = null
  private deferredSince: number | null = null
  /** Since when (the oldest waiting change's arrival) saving has been late, or null: what the clients are told. */
  private lateSince: number | null = null
  /** Checks, once the oldest waiting change may have waited too long, whether it has (checkLate): one at a time. */
  private lateTimer: NodeJS.Timeout | undefined
  private destroyed = false
  /** Its board was deleted: nothing is committed any more. */
  private deleted = false

  constructor(private readonly options: CommitLogOptions) {
    this.boardId = options.boardId
  }

  get isSaved(): boolean {
    return this.pending.length === 0 && !this.flushing
  }

  /** A commit is in flight: nothing new is applied meanwhile. */
  get committing(): boolean {
    return this.flushing
  }

  get isDeleted(): boolean {
    return this.deleted
  }

  /** How many changes applied to the doc wait to be committed. */
  get pendingCount(): number {
    return this.pending.length
  }

  /** Since when (epoch ms) the commits have been failing or saving has been late, or null while neither. */
  get commitFailingSince(): number | null {
    if (this.lateSince === null || this.failingSince === null) return this.lateSince ?? this.failingSince
    return Math.min(this.lateSince, this.failingSince)
  }

  /** When (epoch ms) the oldest change not yet committed arrived, or null when nothing waits. */
  get uncommittedSince(): number | null {
    return this.oldestUncommitted
  }

  /** Since when (ISO time) the board's clients are to be told that saving is failing, or null. */
  get savingFailingSince(): string | null {
    return this.lateSince === null ? null : new Date(this.lateSince).toISOString()
  }

  /** The doc applied `update`, made by `origin`: it is committed with the next batch. */
  applied(update: Uint8Array, origin: unknown): void {
    // `batch` there from the start, so that marking an entry does not change its shape (one shape for V8 to see here).
    const sender = origin instanceof Connection ? origin : null
    this.pending.push({ update, origin: describeOrigin(origin), author: sender?.identity.userId ?? null, sender, batch: undefined })
    this.appliedCount++
    this.waiting()
    this.scheduleFlush()
  }

  /**
   * The change the doc applied last is the first under `firstWrites`' client
   * ids: they are stored as their writer's with it (storage.ts, FirstWrites).
   */
  wroteFirst(firstWrites: FirstWrites): void {
    const last = this.pending.at(-1)
    if (last) last.firstWrites = [...(last.firstWrites ?? []), firstWrites]
  }

  /** The updates applied from the `from`th pending one on, as the log is to store them (a server-side change's, kept should its commit be late: held-change-spool.ts). */
  appliedSince(from: number): { update: Uint8Array; origin: string }[] {
    return this.pending.slice(from).map(({ update, origin }) => ({ update, origin }))
  }

  /** Runs `change` now, or, while a commit is in flight, once it completes. */
  betweenCommits(change: () => void): void {
    if (this.flushing) {
      this.deferred.push(change)
      this.deferredSince ??= Date.now()
      this.waiting()
    } else change()
  }

  /** Resolves once the commit in flight has ended (rejects if the room is destroyed first). */
  commitDone(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.idleWaiters.push({ resolve, reject }))
  }

  /** Resolves once every change applied so far is committed (rejects if the room is destroyed, or its board deleted, first). */
  whenSaved(): Promise<void> {
    if (this.deleted) return Promise.reject(this.deletedError('saved'))
    const target = this.appliedCount
    if (this.committedCount >= target) return Promise.resolve()
    return new Promise((resolve, reject) => this.savedWaiters.push({ target, resolve, reject }))
  }

  /** Runs `reply` now if nothing is uncommitted, else once the next commit completes. */
  whenCommitted(connection: Connection | null, reply: () => void): void {
    if (this.isSaved) this.answer({ connection, reply })
    else this.heldReplies.push({ connection, reply })
  }

  /** Runs every held reply now, as the doc will not be committed as it is: each learns why itself. */
  answerHeldReplies(): void {
    for (const held of this.heldReplies.splice(0)) this.answer(held)
  }

  /** Drops what was applied from `pendingBefore` on, and whatever waits for the commit in flight. */
  dropSince(pendingBefore: number): void {
    this.appliedCount -= this.pending.length - pendingBefore
    this.pending.length = pendingBefore
    this.triedCount = Math.min(this.triedCount, pendingBefore)
    this.deferred = []
  }

  deletedError(what: 'read' | 'changed' | 'saved'): BoardDeleted {
    return new BoardDeleted(`board ${this.boardId} was deleted; nothing more is ${what}`)
  }

  /**
   * Its board is being deleted: from now on nothing is committed, and whoever
   * waits for a change to be saved is refused (BoardDeleted). Resolves once a
   * commit already in flight has ended, so that the board's rows go after
   * what it stored.
   */
  async markDeleted(): Promise<void> {
    this.deleted = true
    this.deferred = []
    while (this.flushing) await this.commitDone()
    // A failed commit in flight was put back to be retried: it is dropped with the rest.
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    this.pending = []
    this.triedCount = 0
    this.oldestUncommitted = null
    this.caughtUp()
    const deleted = this.deletedError('saved')
    for (const waiter of this.savedWaiters.splice(0)) waiter.reject(deleted)
    // Readers waiting for a commit get the board as it was last stored.
    this.answerHeldReplies()
  }

  /**
   * Runs `work` while holding the commit path, as a commit in flight does:
   * nothing else is applied meanwhile (what arrives waits, `betweenCommits`),
   * so that an update checked elsewhere against the doc's state as `work`
   * began is applied to that very doc. What `work` applied is then committed
   * before anything that waited is let in: in a batch of its own, not merged
   * with what arrived meanwhile. `work` must not throw.
   */
  async holdWhile(work: () => Promise<void>): Promise<void> {
    while (this.flushing) await this.commitDone()
    this.flushing = true
    try {
      await work()
    } finally {
      this.flushing = false
    }
    if (this.destroyed) return
    // A commit failing waits its retry's turn, as after any change (scheduleFlush).
    if (this.pending.length > 0 && !this.deleted && this.retryTimer === undefined) {
      await this.flush()
      return
    }
    // Nothing to commit: the doc is what is stored, as after a commit, for what asked meanwhile (a joiner's sync reply).
    if (this.pending.length === 0 && this.heldReplies.length > 0) this.answerHeldReplies()
    this.resumeAfterCommit()
  }

  /**
   * Deletes its board with `remove` while holding the commit path: nothing is
   * applied or committed meanwhile (what arrives waits, as during a commit),
   * so no edit is acknowledged that the deletion then takes away. Once
   * `remove` resolves, the board is marked deleted (markDeleted). Should it
   * fail, the commit path resumes: what waited is applied and committed, and
   * nothing is lost.
   */
  async deleteWhileHeld(remove: () => Promise<void>): Promise<void> {
    while (this.flushing) await this.commitDone()
    this.flushing = true
    try {
      await remove()
    } catch (error) {
      this.flushing = false
      if (!this.destroyed) this.resumeAfterCommit()
      throw error
    }
    this.flushing = false
    await this.markDeleted()
    // Server-side changes that waited for the hold to end learn the board is gone.
    if (!this.destroyed) this.resumeAfterCommit()
  }

  /**
   * Commits what `make` applies, with whatever waited to be committed and the
   * audit entry `make` resolves with, in one transaction: with `turn`, of the
   * log that first sees it still held; in the commit path's place (nothing
   * else is applied or committed meanwhile). Should the transaction fail once
   * `make` has run, the change is never committed: whether it was stored is
   * not known here, a retry could store it with the turn lost, and one whose
   * entry storage refuses would be retried for ever, holding up the board's
   * other edits. So the room resets (`uncommittable`), and what waited to be
   * committed before is committed first.
   */
  async commitInTurn(turn: TurnHolder | null, make: () => Promise<NewAuditRecord | null>): Promise<void> {
    const log = this.options.log
    const append = turn === null ? appendAfter(log, this.boardId) : appendInTurnOf(log, this.boardId, turn)
    this.flushing = true
    let made = false
    let batch: PendingUpdate[] = []
    let rows: BatchRows = { rows: [], starts: [] }
    let pendingBefore = 0
    const started = performance.now()
    try {
      await append(async () => {
        pendingBefore = this.pending.length
        made = true
        const audited = await make()
        batch = this.takeBatch()
        rows = batchRows(batch)
        return { entries: rows.rows, audited }
      })
    } catch (error) {
      this.flushing = false
      if (!made) {
        if (error instanceof BoardRowGone) this.boardRowGone()
        else this.resumeAfterCommit()
        throw error
      }
      this.putBack(batch)
      this.options.host.uncommittable('a change made in its board’s turn whose commit failed', error, pendingBefore)
      this.resumeAfterCommit()
      throw error
    }
    this.flushing = false
    // Unloaded meanwhile, it answers no one, as after any commit (flush).
    if (!this.destroyed) {
      if (batch.length > 0) this.committedBatch(batch, rows.rows, started)
      else this.resumeAfterCommit()
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || this.retryTimer !== undefined || this.destroyed || this.deleted) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flush().catch((error: unknown) => this.options.logger.error({ boardId: this.boardId, err: errorMessage(error) }, 'commit path failed'))
    })
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false
    if (this.destroyed || this.deleted || this.flushing || this.pending.length === 0) return
    this.flushing = true
    const batch = this.takeBatch()
    const started = performance.now()
    const { rows, starts } = batchRows(batch)
    try {
      await this.options.log.append(this.boardId, rows)
    } catch (error) {
      if (error instanceof BoardRowGone) {
        this.flushing = false
        this.boardRowGone()
        return
      }
      if (error instanceof ClientIdTaken) {
        this.flushing = false
        this.putBack(batch)
        // Never to be stored, and retried it would hold up every edit after it; the others' edits in the batch are kept and retried.
        const sender = this.dropTaken(starts[error.entry]!)
        this.options.host.clientIdTaken(error, sender)
        this.resumeAfterCommit()
        return
      }
      // Keep the batch in memory, ahead of anything newer, and try again; never drop it.
      this.putBack(batch)
      this.flushing = false
      this.commitFailed(error, batch.length)
      this.resumeAfterCommit()
      return
    }
    this.flushing = false
    if (!this.destroyed) this.committedBatch(batch, rows, started)
  }

  /**
   * Everything pending, to be committed: what a failed commit tried, its
   * marks kept, and after it what came since, marked as a batch of its own
   * (its id drawn when a log first reads it, then kept across its retries:
   * MarkDrawnOnRead).
   */
  private takeBatch(): PendingUpdate[] {
    const batch = this.pending
    this.pending = []
    const fresh = batch[this.triedCount]
    if (fresh) fresh.batch = new MarkDrawnOnRead()
    return batch
  }

  /** A commit of `batch` failed: it waits ahead of anything newer, each of its batches marked tried. */
  private putBack(batch: PendingUpdate[]): void {
    // Nothing taken (a change in a turn failing before it was): what is pending is as it was.
    if (batch.length === 0) return
    for (const { batch: mark } of batch) if (mark) mark.tried = true
    this.pending = batch.concat(this.pending)
    this.triedCount = batch.length
  }

  /**
   * Drops the pending change at `entry`, which writes under a client id
   * another account holds (ClientIdTaken), and every later one from its
   * sender, which may build on it; returns that sender. The rest stays
   * pending, in order: nobody else saw the change (nothing is broadcast
   * before it is stored), so nothing else builds on it. A dropped change's
   * batch mark passes to the next change kept of its batch, and whoever waits
   * to be saved (`whenSaved`) waits for as many changes fewer as were dropped
   * before theirs.
   */
  private dropTaken(entry: number): Connection | null {
    const sender = this.pending[entry]?.sender ?? null
    const dropped = (index: number) => index === entry || (index > entry && sender !== null && this.pending[index]!.sender === sender)
    const kept: PendingUpdate[] = []
    let tried = this.triedCount
    let orphanedMark: PendingUpdate['batch']
    this.pending.forEach((update, index) => {
      if (dropped(index)) {
        orphanedMark ??= update.batch
        if (index < this.triedCount) tried--
        this.appliedCount--
        const position = this.committedCount + kept.length
        for (const waiter of this.savedWaiters) if (waiter.target > position) waiter.target--
        return
      }
      if (orphanedMark && index < this.triedCount) update.batch ??= orphanedMark
      orphanedMark = undefined
      kept.push(update)
    })
    this.pending = kept
    this.triedCount = tried
    return sender
  }

  /** What follows a batch's commit: it is broadcast, and what waited for it answered. */
  private committedBatch(batch: PendingUpdate[], rows: readonly LogEntry[], started: number): void {
    const seconds = (performance.now() - started) / 1000
    this.triedCount = 0
    this.commitSucceeded()
    this.committedUpTo()
    this.committedCount += batch.length
    // Each row holds a run of the batch merged already: under load, one row holds most of it.
    const merged = rows.length === 1 ? rows[0]!.update : mergeInGroups(rows.map((row) => row.update))
    this.options.host.committed({ update: merged, updates: batch.length, rows: rows.length, seconds, authors: authorsOf(batch), firstWrites: batch.flatMap((entry) => entry.firstWrites ?? []) })
    // Nothing was applied during the commit, so the doc is exactly what is stored: answer what waits for that.
    if (this.heldReplies.length > 0) this.answerHeldReplies()
    if (this.savedWaiters.length > 0) this.resolveSavedWaiters()
    this.resumeAfterCommit()
  }

  /** Resolves whoever waited for what is now committed (whenSaved). */
  private resolveSavedWaiters(): void {
    const stillWaiting = this.savedWaiters.filter((waiter) => waiter.target > this.committedCount)
    for (const waiter of this.savedWaiters) if (waiter.target <= this.committedCount) waiter.resolve()
    this.savedWaiters = stillWaiting
  }

  /** Retries with a growing pause (the clients are told once its changes have waited long enough: checkLate). */
  private commitFailed(error: unknown, updates: number): void {
    this.options.host.commitFailed(error)
    this.failedCommits++
    const now = Date.now()
    this.failingSince ??= now
    const retryInMs = Math.min(COMMIT_RETRY_FIRST_MS * 2 ** (this.failedCommits - 1), this.options.limits.commitRetryMaxMs)
    this.options.logger.error(
      { boardId: this.boardId, err: errorMessage(error), updates, attempt: this.failedCommits, failingForMs: now - this.failingSince, retryInMs },
      'commit failed; changes kept in memory, retrying',
    )
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.scheduleFlush()
    }, retryInMs)
  }

  private commitSucceeded(): void {
    if (this.failingSince === null) return
    this.options.logger.info({ boardId: this.boardId, failedForMs: Date.now() - this.failingSince, attempts: this.failedCommits }, 'commits succeed again')
    this.failingSince = null
    this.failedCommits = 0
  }

  /** Something waits to be committed: a check is due once the oldest of it may have waited too long (none while one is due, or saving is late already). */
  private waiting(): void {
    this.oldestUncommitted ??= this.deferredSince ?? Date.now()
    if (this.lateTimer !== undefined || this.lateSince !== null || this.destroyed) return
    this.armLateCheck(this.oldestUncommitted + this.options.limits.commitFailingNoticeMs - Date.now())
  }

  private armLateCheck(inMs: number): void {
    this.lateTimer = setTimeout(() => {
      this.lateTimer = undefined
      // A timer's throw would end the process: whatever goes wrong stays with this board, and is logged.
      try {
        this.checkLate()
      } catch (error) {
        this.options.logger.error({ boardId: this.boardId, err: errorMessage(error) }, 'checking whether saving is late failed')
      }
    }, Math.max(0, inMs))
  }

  /** Saving is late if the oldest change waiting has waited `commitFailingNoticeMs`: logged, and the clients told; else checked again once it may be. */
  private checkLate(): void {
    const since = this.oldestUncommitted
    if (since === null || this.lateSince !== null || this.destroyed || this.deleted) return
    const waitedMs = Date.now() - since
    const noticeMs = this.options.limits.commitFailingNoticeMs
    if (waitedMs < noticeMs) {
      this.armLateCheck(noticeMs - waitedMs)
      return
    }
    this.lateSince = since
    const cause = this.failingSince !== null ? 'commits failing' : 'commits slow or hanging'
    this.options.logger.error(
      { boardId: this.boardId, since: new Date(since).toISOString(), waitedMs, cause, failedCommits: this.failedCommits },
      'saving is late: changes have waited too long to be committed; telling the board’s clients',
    )
    this.options.host.savingNoticeChanged()
  }

  /**
   * A commit stored a batch: what waits now is what arrived during it. Saving
   * stops being late once that has waited less than half the notice's time
   * (so that a link as slow as the threshold does not make the notice flicker).
   */
  private committedUpTo(): void {
    this.oldestUncommitted = this.deferredSince
    if (this.lateSince === null) return
    if (this.oldestUncommitted !== null && Date.now() - this.oldestUncommitted >= this.options.limits.commitFailingNoticeMs / 2) return
    this.caughtUp()
  }

  /** Saving is no longer late: logged, and the clients told. */
  private caughtUp(): void {
    if (this.lateSince === null) return
    this.options.logger.info({ boardId: this.boardId, lateForMs: Date.now() - this.lateSince }, 'saving caught up')
    this.lateSince = null
    this.options.host.savingNoticeChanged()
    if (this.oldestUncommitted !== null) this.waiting()
  }

  /**
   * The log refused a commit because the board's row is gone: another
   * instance deleted it, and its word of that (on Redis) has not come or
   * never will. Not a database failing, so nothing is retried: the board is
   * marked deleted (what waits to be saved is refused, BoardDeleted) and its
   * sockets close for good, as on the instance that deleted it.
   */
  private boardRowGone(): void {
    this.options.logger.warn({ boardId: this.boardId }, 'the board was deleted elsewhere: its changes here are dropped and its sockets closed')
    // No commit is in flight, so this is done before it returns.
    this.markDeleted().catch((error: unknown) => this.options.logger.error({ boardId: this.boardId, err: errorMessage(error) }, 'could not mark a deleted board'))
    this.resumeAfterCommit()
    this.options.host.boardRowGone()
  }

  /** Lets in what waited for the commit to end: deferred socket updates, held changes, then server-side changes. */
  private resumeAfterCommit(): void {
    const deferred = this.deferred
    const deferredSince = this.deferredSince
    this.deferred = []
    this.deferredSince = null
    let next = 0
    while (next < deferred.length && !this.flushing) deferred[next++]!()
    // One of them holds the commit path again (holdWhile): the rest wait on, in order, for it to end, their wait counted from when the first came.
    if (this.flushing) {
      this.deferred = deferred.slice(next).concat(this.deferred)
      if (this.deferred.length > 0) this.deferredSince = deferredSince ?? this.deferredSince
      return
    }
    this.options.host.changesResumed()
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve()
    if (this.pending.length > 0) this.scheduleFlush()
    else {
      // What waited for the commit may have applied nothing to commit (another instance's changes): nothing waits now.
      this.oldestUncommitted = null
      this.caughtUp()
      this.options.host.settled()
    }
  }

  /** Runs a held reply; a failure closes the connection it was for, never the commit path. */
  private answer({ connection, reply }: HeldReply): void {
    if (connection?.closed) return
    try {
      reply()
    } catch (error) {
      if (connection) connection.close(CLOSE.malformedMessage, error)
      else this.options.logger.error({ boardId: this.boardId, err: errorMessage(error) }, 'a read of the stored board failed')
    }
  }

  /** Nothing more is committed: whoever waits is refused. */
  destroy(): void {
    this.destroyed = true
    clearTimeout(this.retryTimer)
    clearTimeout(this.lateTimer)
    // Waiting to be saved, a change was applied; waiting for the commit in flight to end, it was not yet.
    for (const waiter of this.savedWaiters.splice(0)) waiter.reject(new RoomUnloaded(this.boardId, true))
    for (const waiter of this.idleWaiters.splice(0)) waiter.reject(new RoomUnloaded(this.boardId, false))
  }
}

/**
 * A batch's mark whose id is drawn the first time a log reads it, then kept
 * for its retries: PostgreSQL's log reads it at every try, SQLite's never
 * (BatchMark), and drawing a UUID for every keystroke's commit cost some
 * 10,000 instructions of the relay's thread (BENCHMARKS.md).
 */
class MarkDrawnOnRead implements BatchMark {
  tried = false
  private drawn: string | undefined

  get id(): string {
    return (this.drawn ??= randomUUID())
  }
}

/** Appends what `take` gives once it has run: a log whose turns are its process' own (SQLite's). */
function appendAfter(log: UpdateLogStore, boardId: string): (take: () => Promise<AuditedEntries>) => Promise<number> {
  return async (take) => {
    const { entries, audited } = await take()
    return log.append(boardId, entries, audited)
  }
}

/** Appends what `take` gives in the transaction that sees `turn` still held (UpdateLogStore.appendInTurn). */
function appendInTurnOf(log: UpdateLogStore, boardId: string, turn: TurnHolder): (take: () => Promise<AuditedEntries>) => Promise<number> {
  const { appendInTurn } = log
  if (!appendInTurn) throw new Error(`board ${boardId}: a change made in a turn reached a log that cannot check the turn`)
  return (take) => appendInTurn.call(log, boardId, turn, take)
}

/** The people whose updates a batch holds, each once, in the order they first come. */
function authorsOf(batch: readonly PendingUpdate[]): string[] {
  const authors = new Set<string>()
  for (const { author } of batch) if (author !== null) authors.add(author)
  return [...authors]
}

/** The origin column of the update log: who made the change. */
function describeOrigin(origin: unknown): string {
  if (origin instanceof Connection) return `ws:${origin.identity.userId ?? 'anonymous'}`
  return isChangeOrigin(origin) && origin.source === 'server' ? `server:${origin.by}` : 'server'
}
