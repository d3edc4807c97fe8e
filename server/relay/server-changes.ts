/**
 * Server-side changes and reads of a room's doc: HTTP edits, imports and
 * restores, made between commits and answered once committed; reads of the
 * board as stored, answered once nothing is uncommitted. While the room's
 * commits fail, or once its board is deleted or the room reset, they are
 * refused at once, and none waits longer than `commitWaitMs`.
 */
import type * as Y from 'yjs'
import { errorMessage } from '../../shared/error-message.ts'
import type { RelayLimits } from '../../shared/limits.ts'
import type { BoardFullNotice } from '../../shared/protocol.ts'
import { DeadlineExceeded, withDeadline } from '../health/deadline.ts'
import type { NewAuditRecord, TurnHolder } from '../storage/storage.ts'
import { asSharedWork } from '../workers/job-owner.ts'
import { BoardFull, BoardReloading, ChangeBrokeDocument, CommitsFailing, RoomUnloaded, SavingDelayed } from './commit-errors.ts'
import type { CommitLog } from './commit-log.ts'
import { transactionLeftUnfinished } from './unfinished-transaction.ts'

/**
 * Decides, right before a server-side change is applied, whether it may still
 * be made (whoever asked may have lost the right while it was prepared); throws
 * to refuse it, and then nothing is applied.
 */
export type ChangeCheck = () => Promise<void>

/**
 * `evenWhenFull`: the change only deletes, or is an owner's restore (the way back from a board filled with junk), so a full board takes it.
 * `turn`: the change is made in its board's turn across instances, held by that session (`ServerChanges.changeInTurn`).
 */
export type ChangeOptions = { evenWhenFull?: boolean; turn?: TurnHolder | null }

/**
 * What must be stored before a server-side change is committed (a restore's
 * restore point), given the change's result, resolving with the change's
 * audit entry, which is committed with it; null when nothing need be.
 */
export type StoreFirst<T> = (result: T) => Promise<NewAuditRecord | null> | null

/** What the room decides for its server-side changes and reads. */
export interface ServerChangesHost {
  /** Why the room was reset, once it was: nothing more is applied, read or answered from its doc. */
  resetCause(): string | null
  /** Whether the room was unloaded. */
  unloaded(): boolean
  /** Whether the doc holds a change whose commit was refused (ClientIdTaken), until the reset that takes it away (Room.holdsRefused). */
  holdsRefused(): boolean
  /** Set while the board is past its size limit: it takes only deletions. */
  full(): BoardFullNotice | null
  /** Applying content left the doc in an unknown state (`Room.reset`). */
  reset(cause: string, error: unknown, pendingBefore: number): void
}

export type ServerChangesOptions = {
  boardId: string
  limits: Pick<RelayLimits, 'commitWaitMs'>
  commits: CommitLog
  host: ServerChangesHost
}

export class ServerChanges {
  private readonly boardId: string
  private readonly commits: CommitLog
  /** Answers read from the board as stored (readStored), by what they answer, until the doc next changes. */
  private readonly storedAnswers = new Map<string, Promise<unknown>>()

  constructor(
    private readonly doc: Y.Doc,
    private readonly options: ServerChangesOptions,
  ) {
    this.boardId = options.boardId
    this.commits = options.commits
  }

  /** The doc changed: no answer read from the board as stored holds any more. */
  docChanged(): void {
    this.storedAnswers.clear()
  }

  /**
   * Makes a server-side change (HTTP edit, import, restore) and resolves with
   * `change`'s result once it is committed. The change runs between commits,
   * never during one. `check` runs first, once the work that prepared the
   * change is done: a right taken away meanwhile refuses it, and only the
   * commit in flight (at most `commitWaitMs`) separates the check from the change.
   * `storeFirst` is stored before the change is committed, so that no crash
   * leaves the change stored without it, and the audit entry it resolves with
   * is committed with the change, in one transaction; should either fail, the
   * change is never committed (the room resets, as when a change breaks the
   * document: changeInTurn).
   */
  async change<T>(change: (doc: Y.Doc) => T, check?: ChangeCheck, options: ChangeOptions = {}, storeFirst?: StoreFirst<T>): Promise<T> {
    this.refuseUnserved('changed', options)
    await check?.()
    while (this.commits.committing) {
      await this.withinCommitWait(this.commits.commitDone(), () => new CommitsFailing(`board ${this.boardId}: the commit in flight did not complete within ${this.options.limits.commitWaitMs} ms; nothing was changed`))
    }
    this.refuseUnserved('changed', options)
    if (this.options.host.unloaded()) throw new RoomUnloaded(this.boardId, false)
    if (options.turn || storeFirst) return this.changeInTurn(change, options.turn ?? null, storeFirst)
    const pendingBefore = this.commits.pendingCount
    const result = this.changeNow(change)
    // Taken now: once its commit starts, the batch holding it is no longer pending here.
    const applied = this.commits.appliedSince(pendingBefore)
    const saved = this.commits.whenSaved()
    await this.withinCommitWait(saved, () => new SavingDelayed(this.boardId, saved, applied, this.options.limits.commitWaitMs))
    return result
  }

  /**
   * A change made in its board's turn across instances, or with what must be
   * stored first and its audit entry, is made and committed in one
   * transaction (of the log that first sees the turn still held:
   * UpdateLogStore.appendInTurn), in the commit path's place (nothing else is
   * applied or committed meanwhile), with whatever waited to be committed and
   * its audit entry. A
   * turn lost before is refused there (TurnLost) with the doc untouched: its
   * change was worked out on the board as it was before another instance may
   * have taken the turn and changed it. Not bounded by the commit wait: a
   * change answered as kept (SavingDelayed) must not be refused later; each
   * statement is bounded by the database's statement timeout instead. Should
   * the transaction fail once the change is made, whether it was stored is
   * not known here, and a retry could store it with the turn lost: the room
   * is reset, so its board is loaded again as stored, and what waited to be
   * committed before the change is committed first.
   */
  private async changeInTurn<T>(change: (doc: Y.Doc) => T, turn: TurnHolder | null, storeFirst?: StoreFirst<T>): Promise<T> {
    const made: { outcome?: { result: T } | { error: unknown } } = {}
    await this.commits.commitInTurn(turn, async () => {
      const pendingBefore = this.commits.pendingCount
      try {
        made.outcome = { result: this.changeNow(change) }
      } catch (error) {
        // What it made before refusing is committed, as any change's is (changeNow).
        made.outcome = { error }
      }
      // Stored before the transaction commits (nothing is applied meanwhile: the room is committing); should it fail, the
      // transaction is rolled back and the room reset, as for any failure once the change is made.
      if (!('result' in made.outcome) || this.commits.pendingCount === pendingBefore) return null
      return (await storeFirst?.(made.outcome.result)) ?? null
    })
    const { outcome } = made
    if (!outcome) throw new Error(`board ${this.boardId}: the log committed a change in its turn without making it`)
    if ('error' in outcome) throw outcome.error
    return outcome.result
  }

  /**
   * Runs a server-side change on the doc. It is our own code, which refuses by
   * throwing (BoardError), and Yjs then finishes its transaction, storing what
   * was applied: only a throw that leaves the transaction unfinished (see
   * transactionLeftUnfinished) leaves the doc in an unknown state, and resets the room.
   * Refused, nothing made, while the doc holds a change the database refused
   * (ClientIdTaken) until its reset: worked out on content the board never
   * holds, it would be stored against the other account's content under the
   * same ids (a judgment rewritten over HTTP deleted the text the other
   * account stored there). The board loaded afresh takes it.
   */
  private changeNow<T>(change: (doc: Y.Doc) => T): T {
    if (this.options.host.holdsRefused()) {
      throw new BoardReloading(`board ${this.boardId} cannot be changed here: its document holds a change refused as its client id is another account's, until it is loaded again from storage`)
    }
    const pendingBefore = this.commits.pendingCount
    try {
      return change(this.doc)
    } catch (error) {
      if (!transactionLeftUnfinished(this.doc)) throw error
      this.options.host.reset('a server-side change', error, pendingBefore)
      throw new ChangeBrokeDocument(`board ${this.boardId}: the change left the document in an unknown state (${errorMessage(error)}); nothing of it was saved, and the board is loaded again from storage`)
    }
  }

  /**
   * `make`'s answer from the board as stored (read from storage, worked out in
   * a worker thread), once the changes applied so far are committed: it holds
   * at least what `read` would. Kept by `what` until the doc next changes, and
   * shared by everyone asking meanwhile, so that readers asking again and
   * again cost nothing more; a failed answer is not kept.
   */
  readStored<T>(what: string, make: () => Promise<T>): Promise<T> {
    const kept = this.storedAnswers.get(what)
    if (kept) return kept as Promise<T>
    // Shared by everyone asking meanwhile: the first of them leaving must not stop it for the others.
    const answer = this.read(() => undefined).then(() => asSharedWork(make))
    this.storedAnswers.set(what, answer)
    answer.catch(() => {
      if (this.storedAnswers.get(what) === answer) this.storedAnswers.delete(what)
    })
    return answer
  }

  /** Reads the doc as it is stored: at once when nothing is uncommitted, else right after the next commit. */
  read<T>(read: (doc: Y.Doc) => T): Promise<T> {
    this.refuseUnserved('read')
    const answered = new Promise<T>((resolve, reject) =>
      this.commits.whenCommitted(null, () => {
        try {
          if (this.options.host.resetCause() !== null) throw this.reloadingError('read')
          resolve(read(this.doc))
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)))
        }
      }),
    )
    return this.withinCommitWait(answered, () => new CommitsFailing(`board ${this.boardId}: its changes were not saved within ${this.options.limits.commitWaitMs} ms, so it cannot be read as stored`))
  }

  /** Resolves once the doc is exactly what is stored, for work that reads the store instead of the doc; refused and bounded as `read()` is. */
  whenStored(): Promise<void> {
    return this.read(() => undefined)
  }

  /**
   * A deleted board is gone for whoever still holds its room. While commits
   * fail the doc holds what is not stored: nothing server-side reads it or adds to it.
   * A full board takes only the changes that may pass it.
   */
  private refuseUnserved(what: 'read' | 'changed', options: ChangeOptions = {}): void {
    if (this.commits.isDeleted) throw this.commits.deletedError(what)
    if (this.options.host.resetCause() !== null) throw this.reloadingError(what)
    const full = this.options.host.full()
    if (what === 'changed' && full && !options.evenWhenFull) throw new BoardFull(full)
    const failingSince = this.commits.commitFailingSince
    if (failingSince === null) return
    throw new CommitsFailing(`board ${this.boardId} cannot be ${what}: its changes have not been saved since ${new Date(failingSince).toISOString()}`)
  }

  private reloadingError(what: 'read' | 'changed'): BoardReloading {
    return new BoardReloading(`board ${this.boardId} cannot be ${what} here: ${this.options.host.resetCause()} left its document in an unknown state, and it is being loaded again from storage`)
  }

  /** `waiting`'s result, or `late()` thrown once `commitWaitMs` have passed (the work carries on: a late commit still saves). */
  private withinCommitWait<T>(waiting: Promise<T>, late: () => Error): Promise<T> {
    return withDeadline(waiting, this.options.limits.commitWaitMs, 'the commit').catch((error: unknown) => {
      throw error instanceof DeadlineExceeded ? late() : error
    })
  }
}
