/**
 * How changes enter a room's doc. A member's update is checked against the
 * very doc it is applied to, in the same step, and applied with the stamp
 * that names its sender as the author of what they create. What waits for
 * content the doc lacks, a member's or another instance's, is held apart
 * (HeldUpdates), never in the doc, and applied once it can be, checked again
 * then. Never during a commit: the room's commit log runs what arrives
 * meanwhile once it completes.
 */
import * as Y from 'yjs'
import { REMOTE_ORIGIN } from '../../shared/change-origin.ts'
import type { RelayLimits } from '../../shared/limits.ts'
import { boardFullMessage, CLOSE, type BoardFullNotice, type CloseEvent } from '../../shared/protocol.ts'
import { checkCostInBytes } from './check-cost.ts'
import type { ClientWriters } from './client-writers.ts'
import type { CommitLog } from './commit-log.ts'
import type { Connection } from './connection.ts'
import { DeletedEntries } from './deleted-entries.ts'
import { deletionsWithin } from './deletions-within.ts'
import { HeldUpdates } from './held-updates.ts'
import type { UpdateCounts } from './inserted-values-scan.ts'
import { entryStamp } from './stamped-fields.ts'
import { transactionLeftUnfinished } from './unfinished-transaction.ts'
import { scanWithinBounds, validateUpdate, type UpdateVerdict } from './validate-update.ts'

/** What the room decides for the changes it takes in. */
export interface UpdateIntakeHost {
  /** Whether the room was reset: nothing more is applied. */
  wasReset(): boolean
  /** Set while the board is past its size limit: it takes only deletions. */
  full(): BoardFullNotice | null
  /** Applying content left the doc in an unknown state (`Room.reset`). */
  reset(cause: string, error: unknown, pendingBefore: number, sender?: Connection): void
  /** Tells a connection why its changes are dropped, once. */
  denyOnce(connection: Connection, why: string): void
}

export type UpdateIntakeOptions = {
  /** When the board was made (its record's ISO time): no entry a websocket client creates is dated before it (stamped-fields.ts). */
  boardCreatedAt: string
  limits: Pick<RelayLimits, 'pendingUpdateBytes'>
  commits: CommitLog
  /** Who wrote which client ids (client-writers.ts): an update advancing another's is refused. */
  clientWriters: ClientWriters
  host: UpdateIntakeHost
}

export class UpdateIntake {
  /** Changes waiting for content the doc lacks, per connection (or from other instances). */
  private readonly held = new HeldUpdates<Connection | 'remote'>()
  /** Held changes that could apply wait for their turn (HeldUpdates): then they are tried again. */
  private heldRetryTimer: NodeJS.Timeout | undefined
  /** What each entry deleted from the board held of what it keeps if an undo brings it back (deleted-entries.ts). */
  private readonly deletedEntries: DeletedEntries
  /** Stamps what a connection's update creates (stamped-fields.ts), made in the first transaction that applies one and kept: the maps it resolves stay the doc's. */
  private stamp: ((transaction: Y.Transaction, sender: string) => void) | undefined

  constructor(
    private readonly doc: Y.Doc,
    private readonly options: UpdateIntakeOptions,
  ) {
    this.deletedEntries = new DeletedEntries(doc)
  }

  /**
   * An update that waited for a commit, checked only now. It is dropped, never
   * applied, should its connection have closed meanwhile (a right taken away);
   * a throw closes its connection, as in `Room.receive()`, and never reaches the
   * commit path that runs this.
   */
  checkAndApplyDeferred(connection: Connection, update: Uint8Array): void {
    if (connection.closed) return
    try {
      this.checkAndApply(connection, update)
    } catch (error) {
      connection.close(CLOSE.malformedMessage, error)
    }
  }

  /**
   * Checks a connection's update and applies it in one step, so that it is
   * checked against the very document it is applied to. Checked as it arrived
   * and applied after the commit in flight, it was checked against a document
   * that lacked what arrived meanwhile: where an item placed beside another
   * update's item lands could not be told, so no check read it, and an embed
   * sent right after a character of a judgment, both waiting, landed in the
   * judgment once both were applied. What the check costs is counted before
   * it runs (check-cost.ts), and a refused update's cost against its sender's
   * hour of written bytes.
   */
  checkAndApply(connection: Connection, received: Uint8Array): void {
    let update = received
    // Refused updates count against the hour's written bytes too: a person past them is refused before anything is checked.
    if (!connection.mayWrite(0)) {
      connection.close(CLOSE.writtenTooMuch, new Error('an update from a person past what they may add to boards this hour, refused unchecked'))
      return
    }
    // Its bytes were counted as it arrived (Room.receive).
    const verdict = this.paidVerdict(connection, update, { what: 'update', paidBytes: update.byteLength })
    if (verdict === null) return
    const full = this.options.host.full()
    if (full && verdict.addsContent) {
      this.options.host.denyOnce(connection, boardFullMessage(full))
      // Deleting is how a full board makes room, and a page's sync may carry deletions with its additions.
      const deletions = deletionsWithin(update, this.doc)
      if (deletions === null) return
      update = deletions
    }
    if (!connection.mayWrite(update.byteLength)) {
      connection.close(CLOSE.writtenTooMuch, new Error(`an update of ${update.byteLength} bytes, past what its sender may still add to boards this hour`))
      return
    }
    this.applyFrom(connection, update, verdict.runEnds)
  }

  /** Applies held changes whose missing content has arrived since; never during a commit. */
  retryHeld(): void {
    if (this.options.commits.committing || this.options.host.wasReset()) return
    // One `now` for the whole run: a source is then taken at most once, so the loop ends.
    const now = performance.now()
    for (;;) {
      const { ready, nextInMs } = this.held.takeReady(this.doc, now)
      if (nextInMs !== null && this.heldRetryTimer === undefined) {
        this.heldRetryTimer = setTimeout(() => {
          this.heldRetryTimer = undefined
          this.retryHeld()
        }, nextInMs)
      }
      if (ready.length === 0) return
      for (const [source, update] of ready) {
        // Checked again now that what it waited for is here: where its items land could not be told before.
        let runEnds: ReadonlyMap<number, number> = new Map()
        if (source !== 'remote') {
          // Paid for whole, as if sent again: its bytes were counted only as they first arrived.
          const verdict = this.paidVerdict(source, update, { what: 'held changes, tried again,', paidBytes: 0 })
          if (verdict === null) continue
          runEnds = verdict.runEnds
        }
        const pendingBefore = this.options.commits.pendingCount
        try {
          if (source === 'remote') Y.applyUpdate(this.doc, update, REMOTE_ORIGIN)
          else this.applyAsAuthor(source, () => Y.applyUpdate(this.doc, update, source), runEnds)
        } catch (error) {
          // Stored already by another instance: a board that could not take it lacks what is stored.
          if (source === 'remote') this.options.host.reset('held changes from another instance', error, pendingBefore)
          else this.connectionContentFailed(source, `held changes from connection ${source.id}`, error, pendingBefore)
          if (this.options.host.wasReset()) return
          continue
        }
        const { heldBytes, stalled } = this.held.retried(this.doc, source, update.byteLength)
        // Another instance stored it already: what it lacks is on its way, however long it waits.
        if (source === 'remote' || !stalled) continue
        this.stopHolding(source, CLOSE.missingDependencies, new Error(`held changes of ${update.byteLength} bytes applied in parts: ${heldBytes} bytes still wait`))
      }
    }
  }

  /** Takes what stored or relayed content left pending out of the doc and holds it; its bytes. */
  holdRemoteRemainder(): number {
    return this.held.takeFrom(this.doc, 'remote')
  }

  /** Drops what a connection whose socket has closed had held: its client sends it again when it reconnects. */
  dropHeld(connection: Connection): void {
    this.held.drop(connection)
  }

  /** Nothing held is tried again: the room serves no one any more. */
  stopRetries(): void {
    clearTimeout(this.heldRetryTimer)
  }

  /**
   * The verdict on a connection's update, as it arrives or as its held changes
   * are tried again, or null when it is not to be applied: its sender pays,
   * from what it may send a second, what checking it costs (check-cost.ts)
   * before it is checked, `paidBytes` of it already counted, and then its
   * splits; a refused update costs them what it cost to check against their
   * hour of written bytes, so that sending it again and again, over new
   * sockets too, ends. What cannot be paid for, or is refused, closes the
   * connection and drops what it held (its client still has it).
   */
  private paidVerdict(connection: Connection, update: Uint8Array, { what, paidBytes }: { what: string; paidBytes: number }): Extract<UpdateVerdict, { refused: null }> | null {
    const scanned = scanWithinBounds(update)
    const checkCost = checkCostInBytes(update.byteLength, scanned)
    if (!connection.admitWork(checkCost - paidBytes)) {
      this.stopHolding(connection, CLOSE.rateLimited, new Error(`${what} of ${update.byteLength} bytes cost as much to check as ${checkCost} bytes, more than its sender may send now`))
      return null
    }
    const verdict = this.verdictOn(connection, update, scanned)
    if (verdict.refused) {
      connection.wrote(checkCost)
      this.stopHolding(connection, verdict.refused.event, new Error(`${what}: ${verdict.refused.reason}`))
      return null
    }
    if (!connection.admitWork(verdict.splitCostBytes)) {
      this.stopHolding(connection, CLOSE.rateLimited, new Error(`${what}: its splits cost as much as ${verdict.splitCostBytes} bytes, more than its sender may send now`))
      return null
    }
    return verdict
  }

  /**
   * validateUpdate's verdict on a connection's update, which is also refused
   * when it would advance a client id someone else wrote (client-writers.ts).
   */
  private verdictOn(connection: Connection, update: Uint8Array, scanned: UpdateCounts | null): UpdateVerdict {
    const verdict = validateUpdate(update, this.doc, scanned)
    const { userId } = connection.identity
    if (verdict.refused || userId === null) return verdict
    const taken = this.options.clientWriters.otherWriter(this.doc, verdict.runEnds, userId)
    if (taken === null) return verdict
    return { refused: { event: CLOSE.updateRejected, reason: `update writes under client id ${taken.client}, which another member wrote` } }
  }

  /** `runEnds`: for each client whose structs the update lists, the clock after them (validateUpdate). */
  private applyFrom(connection: Connection, update: Uint8Array, runEnds: ReadonlyMap<number, number>): void {
    if (this.options.host.wasReset()) return
    const pendingBefore = this.options.commits.pendingCount
    try {
      this.applyAsAuthor(connection, () => Y.applyUpdate(this.doc, update, connection), runEnds)
    } catch (error) {
      this.connectionContentFailed(connection, `an update from connection ${connection.id}`, error, pendingBefore)
      return
    }
    const heldBytes = this.held.takeFrom(this.doc, connection)
    if (heldBytes > 0 && connection.closed) this.held.drop(connection)
    else if (heldBytes > this.options.limits.pendingUpdateBytes) {
      this.stopHolding(connection, CLOSE.missingDependencies, new Error(`${heldBytes} bytes wait for content the server does not have`))
    }
    this.retryHeld()
  }

  /** Closes a connection and drops what it held: its client still has it, and sends it again should it reconnect. */
  private stopHolding(connection: Connection, event: CloseEvent, error: unknown): void {
    this.held.drop(connection)
    connection.close(event, error)
  }

  /**
   * Applying a connection's changes threw: its sender is closed for good, as
   * for any update that cannot be applied, and what Yjs holds pending of them
   * dropped. The doc is as it was if Yjs finished its transaction without
   * sending out an update: it sends one whenever a transaction added or deleted
   * anything (the splits of existing items it made are merged back as it
   * finishes). Otherwise its state is unknown, and the room resets.
   */
  private connectionContentFailed(connection: Connection, cause: string, error: unknown, pendingBefore: number): void {
    if (this.options.commits.pendingCount !== pendingBefore || transactionLeftUnfinished(this.doc)) {
      this.options.host.reset(cause, error, pendingBefore, connection)
      return
    }
    this.held.takeFrom(this.doc, connection)
    this.stopHolding(connection, CLOSE.updateRejected, error)
  }

  /**
   * Applies a connection's changes in one transaction with the stamp that names
   * its sender as the author of what they create, dated within the board's
   * life as the server's clock allows (stamped-fields.ts): what is stored and broadcast
   * never names anyone else nor a time outside the board's life.
   */
  private applyAsAuthor(connection: Connection, apply: () => void, runEnds: ReadonlyMap<number, number>): void {
    const transact = () =>
      Y.transact(
        this.doc,
        (transaction) => {
          const stamp = (this.stamp ??= entryStamp(this.doc, this.deletedEntries, this.options.boardCreatedAt))
          apply()
          stamp(transaction, connection.identity.name)
        },
        connection,
        // Not local, as Yjs marks a transaction that applies an update.
        false,
      )
    const { userId } = connection.identity
    if (userId === null) transact()
    else this.options.clientWriters.record(this.doc, runEnds.keys(), userId, transact)
  }
}
