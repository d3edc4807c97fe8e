/**
 * Content another instance has already stored, reaching a room: updates
 * relayed from the other instances and catch-ups read from the update log.
 * Applied, not stored again, and, like every change, never during a commit.
 */
import * as Y from 'yjs'
import { REMOTE_ORIGIN } from '../../shared/change-origin.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import type { ClientIdTaken } from '../storage/storage-errors.ts'
import type { ClientWriter, StoredSince } from '../storage/storage.ts'
import { updateClients, writersOf, type ClientWriters } from './client-writers.ts'
import type { CommitLog } from './commit-log.ts'
import type { ConnectionSelector } from './connection-selector.ts'
import { applyStoredState } from './merge-state.ts'
import type { RelayedWriters } from './relayed-commit.ts'
import type { RewriteResets } from './rewrite-resets.ts'
import { idText, rewrittenId } from './rewritten-ids.ts'
import { checkCostInBytes } from './check-cost.ts'
import { checkedElsewhere, type UpdateChecks } from './update-checks.ts'
import type { UpdateIntake } from './update-intake.ts'
import { decodeWithinBounds, scanWithinBounds, validateDecoded, type DecodedUpdate } from './validate-update.ts'

/** What the room decides for the content other instances stored. */
export interface RemoteUpdatesHost {
  /** Whether the room still applies changes: not unloaded, its board not deleted, and not reset. */
  serving(): boolean
  /** Applying content left the doc in an unknown state (`Room.reset`). */
  reset(cause: string, error: unknown, pendingBefore: number): void
  closeConnections(selector: ConnectionSelector, event: CloseEvent): number
  /** Parts that together hold exactly the doc as it stands (WholeState), for a check elsewhere. */
  wholeState(): Uint8Array[]
}

/** Why a relayed update was not applied: its check refused it, or it could not be checked (no thread, or the check failed). */
export type RelayedDrop = 'refused' | 'unchecked'

/** What becomes of a relayed update besides being applied, told to whoever relayed it. */
export type RelayedUpdateReports = {
  /** It depends on content this instance lacks: a message from the other instances was missed. */
  incomplete(): void
  /** It was not applied, nor sent to anyone (`why`): the board is to be caught up from the update log, which holds what was stored. */
  dropped(reason: RelayedDrop, why: string): void
}

export type RemoteUpdatesOptions = {
  boardId: string
  logger: Logger
  /** When the board may next be reset for a rewrite from another instance, kept across its rooms. */
  rewriteResets: RewriteResets
  commits: CommitLog
  intake: UpdateIntake
  /** Who wrote which client ids (client-writers.ts): a rewrite from another instance names them. */
  clientWriters: ClientWriters
  host: RemoteUpdatesHost
  /** Where a relayed update dear to check is checked, off the relay's thread, as a member's is (update-checks.ts); without it, on the thread. */
  checks?: UpdateChecks
}

/** What the check of a relayed update on the relay's thread decided. */
type RelayedVerdict = { apply: DecodedUpdate } | { rewrites: Y.ID } | { elsewhere: UpdateChecks; decoded: DecodedUpdate } | { dropped: RelayedDrop; why: string }

export class RemoteUpdates {
  private readonly boardId: string
  private heldThrough = 0
  /** Set while a rewrite from another instance waits for the board's next reset (`rewriteFound`). */
  private rewriteResetTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly doc: Y.Doc,
    private readonly options: RemoteUpdatesOptions,
  ) {
    this.boardId = options.boardId
  }

  /** See `Room.completeThrough`. */
  get completeThrough(): number {
    return this.heldThrough
  }

  /** The room loads the board as stored through `completeThrough`. */
  loading(completeThrough: number): void {
    this.heldThrough = completeThrough
  }

  /**
   * Applies an update that another instance has already stored: relayed here,
   * not stored again. Like every change, it waits for a commit in flight.
   * Redis vouches for nothing (anyone who may PUBLISH on the deployment's
   * Redis can put any bytes on the board's channel), so it is first checked
   * as a member's update is (validateUpdate: decodable, within one update's
   * bounds, the board's layout and the rules of what a member may change),
   * one dear to check in a worker thread while the room applies nothing
   * else, as for a member (update-checks.ts). One that fails is neither
   * applied nor sent to anyone (`reports.dropped`): the board is caught up
   * from the update log instead, which holds whatever was truly stored. An
   * update applied unstored would be sent to every client, which sends it
   * back at its next sync and is refused for it (4422), for good. A server's
   * own change (a restore, a change of yardstick) may fail the members'
   * rules; it reaches the board through that catch-up all the same.
   * `incomplete` is told when it depends on content this instance lacks (a
   * message from the other instances was missed). Should it write, under ids
   * this doc holds, other content than the doc holds there (rewritten-ids.ts:
   * one client id written to two instances at once), the two boards differ
   * and Yjs would keep both as they are: the room resets, so its board is
   * loaded again as the update log holds it, as on the other instance; at
   * most once every `rewriteResetIntervalMs` (`rewriteFound`). `writers`: the
   * people whose connections made it, and who the other instance stored as
   * the first writer of each id it wrote first (relayed-commit.ts).
   */
  applyUpdate(update: Uint8Array, writers: RelayedWriters, reports: RelayedUpdateReports): void {
    this.options.commits.betweenCommits(() => {
      if (!this.options.host.serving()) return
      const verdict = this.checkHere(update)
      const what = 'an update from another instance'
      if ('dropped' in verdict) reports.dropped(verdict.dropped, verdict.why)
      else if ('rewrites' in verdict) this.applyNow(what, () => this.rewriteFound(verdict.rewrites, writers.authors))
      else if ('elsewhere' in verdict) this.checkElsewhere(verdict.elsewhere, update, verdict.decoded, writers, reports)
      else this.applyNow(what, () => this.applyChecked(update, verdict.apply, writers, reports))
    })
  }

  /**
   * Checks a relayed update against the doc as it is now, on the relay's
   * thread, or tells where it is to be checked instead. A rewrite is looked
   * for first: an honest one may fail the members' rules where this doc
   * differs, and a catch-up would never undo what it rewrites.
   */
  private checkHere(update: Uint8Array): RelayedVerdict {
    try {
      const scanned = scanWithinBounds(update)
      const decoded = decodeWithinBounds(update, scanned)
      if ('refused' in decoded) return { dropped: 'refused', why: decoded.refused.reason }
      const rewrites = rewrittenId(decoded, this.doc)
      if (rewrites !== null) return { rewrites }
      const { checks } = this.options
      if (checks && checkedElsewhere(checkCostInBytes(update.byteLength, scanned, this.doc))) return { elsewhere: checks, decoded }
      const verdict = validateDecoded(decoded, this.doc)
      return verdict.refused ? { dropped: 'refused', why: verdict.refused.reason } : { apply: decoded }
    } catch (error) {
      // A check that throws vouches for nothing either.
      return { dropped: 'unchecked', why: errorMessage(error) }
    }
  }

  /**
   * Checks a relayed update dear to check in a worker thread, against the
   * doc's whole state as the check begins, holding the room's commit path
   * meanwhile (CommitLog.holdWhile), as a member's (UpdateIntake): it is then
   * applied to the very doc it was checked against. A check that cannot run
   * (every thread busy) drops it as unchecked. Every failure stays this
   * board's.
   */
  private checkElsewhere(checks: UpdateChecks, update: Uint8Array, decoded: DecodedUpdate, writers: RelayedWriters, reports: RelayedUpdateReports): void {
    const { commits, host } = this.options
    const held = commits.holdWhile(async () => {
      if (!host.serving()) return
      const { verdict } = await checks(null, { boardId: this.boardId, state: host.wholeState(), update, full: false })
      if (!host.serving()) return
      if (verdict.refused) reports.dropped('refused', verdict.refused.reason)
      else this.applyNow('an update from another instance', () => this.applyChecked(update, decoded, writers, reports))
    })
    held.catch((error: unknown) => reports.dropped('unchecked', errorMessage(error)))
  }

  /** Applies a relayed update its check admitted (`decoded`, as read), naming the writers of the ids it brings. */
  private applyChecked(update: Uint8Array, decoded: DecodedUpdate, { authors, firstWrites }: RelayedWriters, reports: RelayedUpdateReports): void {
    // Whatever the doc holds pending came before (stored content, held apart as it came): only what this update leaves is its own.
    this.holdRemainder('stored board')
    const apply = () => Y.applyUpdate(this.doc, update, REMOTE_ORIGIN)
    // Whose client ids these are, as the other instance stored them, so that no one else writes under them here (client-writers.ts).
    if (firstWrites !== null) {
      apply()
      this.options.clientWriters.noteStored(writersOf(firstWrites))
    } else if (authors.length === 1) this.options.clientWriters.guess(this.doc, updateClients(decoded), authors[0]!, apply)
    else apply()
    if (this.dropRemainder()) reports.incomplete()
  }

  /**
   * Drops what a relayed update left pending, content it depends on that this
   * instance lacks (a message from the other instances missed, or a forged
   * one), rather than hold it: held, it would be applied once that content
   * came, and where it then landed could not be told as it was checked. The
   * catch-up it leads to brings it from the update log, as stored, with what
   * it depends on; true when there was some.
   */
  private dropRemainder(): boolean {
    const { pendingStructs, pendingDs } = this.doc.store
    if (!pendingStructs && !pendingDs) return false
    this.doc.store.pendingStructs = null
    this.doc.store.pendingDs = null
    this.options.logger.warn({ boardId: this.boardId }, 'relayed update depends on content this instance does not have; its rest left to the catch-up from the update log')
    return true
  }

  /**
   * Applies what the update log holds (a catch-up after this instance may have
   * missed messages): the rows after `completeThrough`, or the whole board;
   * `writers`, the board's writers as stored once they were read, whose ids
   * nobody else may then write under here.
   */
  applyStored(stored: Pick<StoredSince, 'checkpoint' | 'updates' | 'completeThrough'>, writers: readonly ClientWriter[]): void {
    this.afterCommit('the stored board', () => {
      applyStoredState(this.doc, stored, REMOTE_ORIGIN)
      this.options.clientWriters.noteStored(writers)
      this.heldThrough = Math.max(this.heldThrough, stored.completeThrough)
      this.holdRemainder('stored board')
    })
  }

  /** Takes what stored content left pending out of the doc and holds it apart, applied once it can be; true when there was some. */
  holdRemainder(what: string): boolean {
    if (!this.doc.store.pendingStructs && !this.doc.store.pendingDs) return false
    const bytes = this.options.intake.holdRemoteRemainder()
    this.options.logger.warn({ boardId: this.boardId, bytes }, `${what} depends on content this instance does not have; held apart`)
    return true
  }

  /** No rewrite found waits for a reset any more: the room was reset or unloaded. */
  stopResets(): void {
    clearTimeout(this.rewriteResetTimer)
  }

  /** Applies content another instance stored now, or once the commit in flight completes. */
  private afterCommit(what: string, apply: () => void): void {
    this.options.commits.betweenCommits(() => this.applyNow(what, apply))
  }

  /** Applies content another instance stored, between commits; should that throw, the room resets. */
  private applyNow(what: string, apply: () => void): void {
    if (!this.options.host.serving()) return
    const pendingBefore = this.options.commits.pendingCount
    try {
      apply()
    } catch (error) {
      // It is stored already: the board loaded afresh holds it.
      this.options.host.reset(what, error, pendingBefore)
      return
    }
    this.options.intake.retryHeld()
  }

  /**
   * Another instance stored, under the id `at`, other content
   * than this room holds there: the update is not applied, and the room resets,
   * now or, should it have reset for a rewrite less than
   * `rewriteResetIntervalMs` ago, once then (whatever more is found meanwhile
   * waits for that same reset). Until then this instance serves the board as
   * it holds it: its own sockets' edits are applied and stored, the other
   * instances' are applied as they come unless they too rewrite it, and what
   * depends on what was not applied is left to the catch-up from the log
   * (`dropRemainder`); the board loaded afresh holds them all.
   * Its author, when the other instance names one person and that person
   * wrote the same id here, wrote one id differently to two instances: their
   * sockets on the board are closed for good (4422). Anyone else is only
   * named: someone may write under another's client id to have them blamed.
   * The reset: `resetWithinInterval`.
   */
  private rewriteFound(at: Y.ID, authors: readonly string[]): void {
    const writtenHereBy = this.options.clientWriters.writerOf(at.client)
    const forger = authors.length === 1 && authors[0] === writtenHereBy ? writtenHereBy : null
    const resetInMs = this.options.rewriteResets.waitBefore(this.boardId)
    // Closing someone is written each time (bounded by their sockets); a rewrite naming no one, once an interval (RewriteResets.lineDue).
    const found = forger === null ? this.options.rewriteResets.lineDue(this.boardId) : 1
    if (found !== null) {
      this.options.logger.error(
        { boardId: this.boardId, id: idText(at), relayedFrom: authors, writtenHereBy, closing: forger, resetInMs: Math.ceil(resetInMs), found },
        'an update from another instance writes an id otherwise than this instance holds it: the same client id was written to two instances',
      )
    }
    if (forger !== null) this.options.host.closeConnections({ boardId: this.boardId, userId: forger }, CLOSE.updateRejected)
    this.resetWithinInterval('an update from another instance rewriting what this instance holds', () => new Error(`it writes id ${idText(at)} otherwise than this instance holds it: the same client id was written to two instances`))
  }

  /**
   * The room's commit was refused as it writes under `taken.clientId`, which
   * another instance stored as another account's first (ClientIdTaken): this
   * doc holds, under that id, content the board will never hold. Its sender
   * was closed, and the room resets as for a rewrite (`rewriteFound`): now, or
   * once the interval since its last such reset ends; until then it serves the
   * board as it holds it, and joiners here may be sent that content, which the
   * reset takes away. Two accounts racing one fresh id on two instances round
   * after round reset it once per round otherwise. `sender`: the account
   * whose connection wrote it here, or null.
   */
  clientIdTaken(taken: ClientIdTaken, sender: string | null): void {
    const found = this.options.rewriteResets.lineDue(this.boardId)
    if (found !== null) {
      this.options.logger.error(
        { boardId: this.boardId, clientId: taken.clientId, heldBy: taken.writer, writtenHereBy: sender, resetInMs: Math.ceil(this.options.rewriteResets.waitBefore(this.boardId)), found },
        'a change written here under a client id another instance stored as another account’s was refused: its sender is closed, the board reloaded',
      )
    }
    this.resetWithinInterval('a change written under a client id another instance stored as another account’s', () => taken)
  }

  /**
   * Resets the room (`cause`, `error`), now or, should it have reset for a
   * rewrite less than `rewriteResetIntervalMs` ago, once then: whatever more
   * is found meanwhile waits for that same reset.
   */
  private resetWithinInterval(cause: string, error: () => Error): void {
    const resetInMs = this.options.rewriteResets.waitBefore(this.boardId)
    if (resetInMs === 0) this.resetForRewrite(cause, error)
    else if (this.rewriteResetTimer === undefined) {
      this.rewriteResetTimer = setTimeout(() => {
        try {
          this.resetForRewrite(cause, error)
        } catch (failure) {
          this.options.logger.error({ boardId: this.boardId, err: errorMessage(failure) }, 'the reset for a rewrite from another instance failed')
        }
      }, resetInMs)
      this.rewriteResetTimer.unref()
    }
  }

  /** Resets the room for a rewrite, between commits: what was applied before it is still committed. */
  private resetForRewrite(cause: string, error: () => Error): void {
    const run = () => {
      if (!this.options.host.serving()) return
      this.options.rewriteResets.resetting(this.boardId)
      this.options.host.reset(cause, error(), this.options.commits.pendingCount)
    }
    this.options.commits.betweenCommits(run)
  }
}
