/**
 * How changes enter a room's doc. A member's update is checked against the
 * very doc it is applied to, in the same step, and applied with the stamp
 * that names its sender as the author of what they create. What waits for
 * content the doc lacks, a member's or the update log's, is held apart
 * (HeldUpdates), never in the doc, and applied once it can be, a member's
 * checked again then (a relayed update's rest is dropped, and caught up from
 * the log: remote-updates.ts). Never during a commit: the room's commit log runs what arrives
 * meanwhile once it completes. An update dear to check, arriving or held,
 * is checked in a worker thread while the room applies nothing else
 * (update-checks.ts), then applied here.
 */
import * as Y from 'yjs'
import { REMOTE_ORIGIN } from '../../shared/change-origin.ts'
import type { RelayLimits } from '../../shared/limits.ts'
import { boardFullMessage, CLOSE, type BoardFullNotice, type CloseEvent } from '../../shared/protocol.ts'
import { checkCostInBytes } from './check-cost.ts'
import { integrationWrittenBytes } from './integration-cost.ts'
import type { ClientWriters } from './client-writers.ts'
import type { CommitLog } from './commit-log.ts'
import type { Connection } from './connection.ts'
import { DeletedEntries } from './deleted-entries.ts'
import type { FreshIdCheck } from './fresh-id-claims.ts'
import { deletionsWithin } from './deletions-within.ts'
import { deletionsTaken } from './full-board-splits.ts'
import { HELD_CLIENTS_MAX, HeldUpdates } from './held-updates.ts'
import { entryStamp } from './stamped-fields.ts'
import { transactionLeftUnfinished } from './unfinished-transaction.ts'
import type { ScannedUpdate } from './inserted-values-scan.ts'
import type { CheckedUpdate } from './update-check-job.ts'
import { checkedElsewhere, uncheckedEvent, type UpdateChecks } from './update-checks.ts'
import { refusedByScan, scanWithinBounds, validateUpdate, type UpdateVerdict } from './validate-update.ts'

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
  /** Parts that together hold exactly the doc as it stands (WholeState), for a check elsewhere. */
  wholeState(): Uint8Array[]
  /** Held changes were merged, reading this many bytes (HeldUpdates). */
  heldMerged(bytes: number): void
}

export type UpdateIntakeOptions = {
  boardId: string
  /** When the board was made (its record's ISO time): no entry a websocket client creates is dated before it (stamped-fields.ts). */
  boardCreatedAt: string
  limits: Pick<RelayLimits, 'pendingUpdateBytes'>
  commits: CommitLog
  /** Who wrote which client ids (client-writers.ts): an update advancing another's is refused. */
  clientWriters: ClientWriters
  host: UpdateIntakeHost
  /** Where an update dear to check is checked, off the relay's thread (update-checks.ts); without it, every update is checked here. */
  checks?: UpdateChecks
  /** Where the client ids an arriving update is the first to write under are checked across instances (fresh-id-claims.ts); without it, on this instance only. */
  freshIds?: FreshIdCheck
}

type AdmittedVerdict = Extract<UpdateVerdict, { refused: null }>

/** What the scan of an update read, and what its check costs (check-cost.ts), paid for by its sender. */
type PaidCheck = { scanned: ScannedUpdate | null; checkCost: number }

/** How an update comes to be checked, for the log, and how much of it its sender paid for already. */
type Arrival = { what: string; paidBytes: (update: Uint8Array) => number }

/** An update as it arrives: its bytes were counted then (Room.receive). */
const ARRIVING: Arrival = { what: 'update', paidBytes: (update) => update.byteLength }

/** Held changes tried again: paid for whole, as if sent again, since their bytes were counted only as they first arrived. */
const TRIED_AGAIN: Arrival = { what: 'held changes, tried again,', paidBytes: () => 0 }

/** The part of an update a full board takes (takenWhileFull), checked itself: paid for whole, as if its sender had sent it. */
const TAKEN_PART: Arrival = { what: 'the part of an update a full board takes', paidBytes: () => 0 }

/** What of an admitted update a board applies, and the verdict it is applied under. */
type Taken = { update: Uint8Array; verdict: AdmittedVerdict }

export class UpdateIntake {
  /** Changes waiting for content the doc lacks, per connection (or read from the update log: 'remote'). */
  private readonly held: HeldUpdates<Connection | 'remote'>
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
    this.held = new HeldUpdates((bytes) => options.host.heldMerged(bytes))
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
   * hour of written bytes. An update dear to check is checked elsewhere
   * (checkElsewhere), the room applying nothing meanwhile.
   */
  checkAndApply(connection: Connection, update: Uint8Array): void {
    // Refused updates count against the hour's written bytes too: a person past them is refused before anything is checked.
    if (!connection.mayWrite(0)) {
      connection.close(CLOSE.writtenTooMuch, new Error('an update from a person past what they may add to boards this hour, refused unchecked'))
      return
    }
    // Its bytes were counted as it arrived (Room.receive).
    const paid = this.paidCheck(connection, update, ARRIVING)
    if (paid === null) return
    const checks = this.checksFor(paid)
    if (checks) this.checkElsewhere(checks, connection, update, paid.checkCost)
    else this.applyArriving(connection, update, this.admitted(connection, this.verdictOn(connection, validateUpdate(update, this.doc, paid.scanned)), paid.checkCost, ARRIVING))
  }

  /**
   * Applies an arriving update admitted; one writing under client ids nobody
   * wrote before has them checked across instances first (fresh-id-claims.ts),
   * holding the room's commit path meanwhile as a check elsewhere does, so
   * that it is applied to the doc it was checked against, and what arrives
   * meanwhile after it.
   */
  private applyArriving(connection: Connection, update: Uint8Array, verdict: AdmittedVerdict | null): void {
    const fresh = this.freshToCheck(connection, verdict)
    if (fresh === null) {
      this.applyChecked(connection, update, verdict)
      return
    }
    const held = this.options.commits.holdWhile(async () => {
      try {
        if (!(await this.freshRefused(connection, fresh))) this.applyChecked(connection, update, verdict)
      } catch (error) {
        connection.close(CLOSE.malformedMessage, error)
      }
    })
    held.catch((error: unknown) => connection.close(CLOSE.internalError, error))
  }

  /** The check across instances and the ids it is to decide, when an admitted update writes under ids nobody wrote before and there is one; else null. */
  private freshToCheck(connection: Connection, verdict: AdmittedVerdict | null): { check: FreshIdCheck; userId: string; clients: number[] } | null {
    const { freshIds } = this.options
    const { userId } = connection.identity
    if (!freshIds || verdict === null || userId === null) return null
    const clients = this.options.clientWriters.freshIn(this.doc, verdict.runEnds)
    return clients.length > 0 ? { check: freshIds, userId, clients } : null
  }

  /** Decides `fresh` across instances; true when the update is not to be applied: refused (its connection closed), or its connection or the room gone meanwhile. */
  private async freshRefused(connection: Connection, { check, userId, clients }: { check: FreshIdCheck; userId: string; clients: number[] }): Promise<boolean> {
    const refusal = await check(this.options.boardId, userId, clients)
    if (connection.closed || this.options.host.wasReset()) return true
    if (refusal === null) return false
    this.stopHolding(connection, CLOSE.updateRejected, new Error(`update: ${refusal}`))
    return true
  }

  /** Where an update whose check costs `checkCost` is checked elsewhere, or null when here: what the scan refuses costs nothing more to refuse here. */
  private checksFor({ checkCost, scanned }: PaidCheck): UpdateChecks | null {
    const { checks } = this.options
    return checks && checkedElsewhere(checkCost) && refusedByScan(scanned) === null ? checks : null
  }

  /**
   * Checks a connection's update in a worker thread (update-checks.ts) against
   * the doc's state as the check begins, holding the room's commit path
   * meanwhile (CommitLog.holdWhile): nothing else is applied to the doc until
   * the verdict is acted on, so the update is applied to the very doc it was
   * checked against, and what the connection (or anyone on the board) sends
   * meanwhile waits its turn, as during a commit. An update applied so is
   * committed in a batch of its own. Every other board goes on.
   */
  private checkElsewhere(checks: UpdateChecks, connection: Connection, update: Uint8Array, checkCost: number): void {
    const { commits, host, boardId } = this.options
    const held = commits.holdWhile(async () => {
      if (connection.closed || host.wasReset()) return
      const full = host.full() !== null
      let checked: CheckedUpdate
      try {
        checked = await checks(connection.identity.userId, { boardId, state: host.wholeState(), update, full })
      } catch (error) {
        connection.close(uncheckedEvent(error), error)
        return
      }
      // Its socket closed meanwhile (a right taken away): dropped, never applied, as after a commit (checkAndApplyDeferred).
      if (connection.closed || host.wasReset()) return
      // The deletions were worked out for the board full or not as the check began; should that have changed, here.
      const deletions = full === (host.full() !== null) ? checked.deletions : undefined
      try {
        const verdict = this.admitted(connection, this.verdictOn(connection, checked.verdict), checkCost, ARRIVING)
        const fresh = this.freshToCheck(connection, verdict)
        // The commit path is held already: decided here, as applyArriving does.
        if (fresh !== null && (await this.freshRefused(connection, fresh))) return
        const taken = verdict && (await this.takenChecked(checks, connection, update, verdict, deletions))
        if (taken) this.applyTaken(connection, taken)
      } catch (error) {
        connection.close(CLOSE.malformedMessage, error)
      }
    })
    held.catch((error: unknown) => connection.close(CLOSE.internalError, error))
  }

  /**
   * Applies a connection's update admitted (`admitted`; null: refused, nothing
   * to do), or what a full board takes of it, checked here (takenHere).
   */
  private applyChecked(connection: Connection, received: Uint8Array, verdict: AdmittedVerdict | null): void {
    const taken = verdict && this.takenHere(connection, received, verdict)
    if (taken) this.applyTaken(connection, taken)
  }

  private applyTaken(connection: Connection, { update, verdict }: Taken): void {
    if (!connection.mayWrite(update.byteLength)) {
      connection.close(CLOSE.writtenTooMuch, new Error(`an update of ${update.byteLength} bytes, past what its sender may still add to boards this hour`))
      return
    }
    this.applyFrom(connection, update, verdict.runEnds)
  }

  /**
   * What a full board takes of an update checked here (takenWhileFull), its
   * part checked itself here too: the part costs no more to check than the
   * whole (fewer ranges, covering no more of the board, in fewer bytes),
   * which was cheap enough to check here. Null when nothing is taken.
   */
  private takenHere(connection: Connection, received: Uint8Array, verdict: AdmittedVerdict): Taken | null {
    const update = this.takenWhileFull(connection, received, verdict)
    if (update === null || update === received) return update && { update, verdict }
    const paid = this.paidCheck(connection, update, TAKEN_PART)
    return paid && this.partCheckedHere(connection, update, paid)
  }

  /** The part of an update a full board takes, paid for, checked here: what is applied of it, or null when it is refused. */
  private partCheckedHere(connection: Connection, update: Uint8Array, paid: PaidCheck): Taken | null {
    const verdict = this.partAdmitted(connection, validateUpdate(update, this.doc, paid.scanned), paid.checkCost)
    return verdict && { update, verdict }
  }

  /**
   * What a full board takes of an update checked elsewhere (takenWhileFull),
   * its part checked itself, elsewhere too when that is dear (a page's sync
   * carries every deletion the board holds). The room applies nothing
   * meanwhile (its commit path is held). Null when nothing is taken.
   */
  private async takenChecked(checks: UpdateChecks, connection: Connection, received: Uint8Array, verdict: AdmittedVerdict, deletions?: Uint8Array | null): Promise<Taken | null> {
    const update = this.takenWhileFull(connection, received, verdict, deletions)
    if (update === null || update === received) return update && { update, verdict }
    const paid = this.paidCheck(connection, update, TAKEN_PART)
    if (paid === null) return null
    if (this.checksFor(paid) === null) return this.partCheckedHere(connection, update, paid)
    const { host, boardId } = this.options
    let checked: CheckedUpdate
    try {
      checked = await checks(connection.identity.userId, { boardId, state: host.wholeState(), update, full: false })
    } catch (error) {
      this.stopHolding(connection, uncheckedEvent(error), error)
      return null
    }
    if (connection.closed || host.wasReset()) return null
    const partVerdict = this.partAdmitted(connection, checked.verdict, paid.checkCost)
    return partVerdict && { update, verdict: partVerdict }
  }

  /**
   * The verdict on the part of an update a full board takes: the whole was
   * checked, but a part can break a rule the whole kept (deleting the letter
   * between two runs of 20 marks and 15 marks of the first, or the letter
   * with another typed in its place: the part deleting only the letter
   * joins a run of 40). Refused, nothing of it is applied and its sender,
   * told already that the board is full, stays connected: its client sent
   * an update the rules allow, and keeps its deletions to send again once
   * there is room; what checking it cost counts against their hour, as a
   * refused update's does, so that sending it again and again ends.
   */
  private partAdmitted(connection: Connection, verdict: UpdateVerdict, checkCost: number): AdmittedVerdict | null {
    if (!verdict.refused) return this.admitted(connection, verdict, checkCost, TAKEN_PART)
    const walkCostBytes = verdict.walkCostBytes ?? 0
    connection.wrote(checkCost + walkCostBytes)
    if (!connection.chargeWork(walkCostBytes)) this.stopHolding(connection, CLOSE.rateLimited, new Error(`${TAKEN_PART.what}: its walks along runs of marks cost as much as ${walkCostBytes} bytes, more than its sender may send now`))
    return null
  }

  /**
   * What of a connection's admitted update the board takes: all of it unless
   * the board is full; then only its deletions of what the board holds
   * (`deletions` when worked out already, see update-check-job.ts), and of
   * those that split items only as many as the board's headroom allows
   * (full-board-splits.ts), its sender told once of what was dropped; null
   * when nothing is left. One rule for an update as it arrives and for held
   * changes tried again: held while the board had room, they are judged as
   * the board is when they apply.
   */
  private takenWhileFull(connection: Connection, received: Uint8Array, verdict: AdmittedVerdict, deletions?: Uint8Array | null): Uint8Array | null {
    const full = this.options.host.full()
    if (full === null) return received
    let update = received
    if (verdict.addsContent) {
      this.options.host.denyOnce(connection, boardFullMessage(full))
      // Deleting is how a full board makes room, and a page's sync may carry deletions with its additions.
      const within = deletions === undefined ? deletionsWithin(update, this.doc) : deletions
      if (within === null) return null
      update = within
    }
    // Deletions that split items make a full board denser, not smaller: taken only within its headroom.
    const taken = deletionsTaken(update, this.doc, full.limit)
    if (taken !== update) this.options.host.denyOnce(connection, boardFullMessage(full))
    return taken
  }

  /**
   * Applies held changes whose missing content has arrived since; never during
   * a commit. The fresh client ids they write under were claimed across
   * instances as they arrived (applyArriving), held part and all.
   */
  retryHeld(): void {
    // Nothing held, as after nearly every commit: nothing to try.
    if (this.held.size === 0 || this.options.commits.committing || this.options.host.wasReset()) return
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
      const elsewhere: [Connection, Uint8Array, number][] = []
      for (const [source, update] of ready) {
        if (source === 'remote') {
          if (!this.reapply(source, update, new Map())) return
          continue
        }
        // Checked again now that what it waited for is here: where its items land could not be told before.
        const paid = this.paidCheck(source, update, TRIED_AGAIN)
        if (paid === null) continue
        if (this.checksFor(paid)) {
          elsewhere.push([source, update, paid.checkCost])
          continue
        }
        const verdict = this.admitted(source, this.verdictOn(source, validateUpdate(update, this.doc, paid.scanned)), paid.checkCost, TRIED_AGAIN)
        const taken = verdict && this.takenHere(source, update, verdict)
        if (taken && !this.reapply(source, taken.update, taken.verdict.runEnds)) return
      }
      const { checks } = this.options
      if (checks && elsewhere.length > 0) {
        // The rest waits for these to be decided: the room applies nothing meanwhile, and tries again once they are.
        this.retryElsewhere(checks, elsewhere)
        return
      }
    }
  }

  /**
   * Held changes dear to check, checked again elsewhere one after another
   * (checkElsewhere), each against the doc as the ones before left it, while
   * the room applies nothing else; each then applied again as retryHeld does.
   */
  private retryElsewhere(checks: UpdateChecks, held: readonly [source: Connection, update: Uint8Array, checkCost: number][]): void {
    const { commits, host, boardId } = this.options
    const retried = commits.holdWhile(async () => {
      for (const [source, update, checkCost] of held) {
        // A closed source's held changes were dropped: its client sends them again.
        if (source.closed || host.wasReset()) continue
        let checked: CheckedUpdate
        try {
          checked = await checks(source.identity.userId, { boardId, state: host.wholeState(), update, full: false })
        } catch (error) {
          this.stopHolding(source, uncheckedEvent(error), error)
          continue
        }
        if (source.closed || host.wasReset()) continue
        try {
          const verdict = this.admitted(source, this.verdictOn(source, checked.verdict), checkCost, TRIED_AGAIN)
          const taken = verdict && (await this.takenChecked(checks, source, update, verdict))
          if (taken && !this.reapply(source, taken.update, taken.verdict.runEnds)) return
        } catch (error) {
          this.stopHolding(source, CLOSE.malformedMessage, error)
        }
      }
    })
    retried.catch((error: unknown) => {
      for (const [source] of held) this.stopHolding(source, CLOSE.internalError, error)
    })
  }

  /**
   * Applies held changes again, and holds what still waits of them; a
   * connection whose retry applied too little is closed (HeldUpdates.retried).
   * False when applying them reset the room.
   */
  private reapply(source: Connection | 'remote', update: Uint8Array, runEnds: ReadonlyMap<number, number>): boolean {
    const pendingBefore = this.options.commits.pendingCount
    try {
      if (source === 'remote') Y.applyUpdate(this.doc, update, REMOTE_ORIGIN)
      else this.applyAsAuthor(source, () => Y.applyUpdate(this.doc, update, source), runEnds)
    } catch (error) {
      // Stored already by another instance: a board that could not take it lacks what is stored.
      if (source === 'remote') this.options.host.reset('held changes from another instance', error, pendingBefore)
      else this.connectionContentFailed(source, `held changes from connection ${source.id}`, error, pendingBefore)
      return !this.options.host.wasReset()
    }
    const { heldBytes, stalled } = this.held.retried(this.doc, source, update.byteLength)
    // Another instance stored it already: what it lacks is on its way, however long it waits.
    if (source !== 'remote' && stalled) {
      this.stopHolding(source, CLOSE.missingDependencies, new Error(`held changes of ${update.byteLength} bytes applied in parts: ${heldBytes} bytes still wait`))
    }
    return true
  }

  /** Takes what stored content left pending out of the doc and holds it; its bytes. */
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
   * Charges a connection, from what it may send a second, what checking its
   * update costs (check-cost.ts) before it is checked, `paidBytes` of it
   * counted already; null when it cannot pay, which closes the connection
   * and drops what it held (its client still has it).
   */
  private paidCheck(connection: Connection, update: Uint8Array, { what, paidBytes }: Arrival): PaidCheck | null {
    const scanned = scanWithinBounds(update)
    const checkCost = checkCostInBytes(update.byteLength, scanned, this.doc)
    if (connection.admitWork(checkCost - paidBytes(update))) return { scanned, checkCost }
    this.stopHolding(connection, CLOSE.rateLimited, new Error(`${what} of ${update.byteLength} bytes cost as much to check as ${checkCost} bytes, more than its sender may send now`))
    return null
  }

  /**
   * The verdict on a connection's update, as it arrives or as its held
   * changes are tried again, checked here or elsewhere, or null when it is not
   * to be applied: a refused update costs its sender what it cost to check
   * and what its walks along runs of marks cost (walk-cost.ts) against their
   * hour of written bytes, so that sending it again and again, over new
   * sockets too, ends, and its walks from what they may send a second too;
   * an admitted one's splits and walks are paid for from what they may send
   * a second, and the steps Yjs takes placing its items against their hour
   * (integration-cost.ts). The walks are done by now, so they are charged whatever is
   * left, in debt where they pass it (IncomingRates.chargeWork), as the
   * hour's bytes are; the splits, still to be made, only when they can be
   * paid. What cannot be paid for, or is refused, closes the connection and
   * drops what it held.
   */
  private admitted(connection: Connection, verdict: UpdateVerdict, checkCost: number, { what }: Arrival): AdmittedVerdict | null {
    if (verdict.refused) {
      const walkCostBytes = verdict.walkCostBytes ?? 0
      connection.wrote(checkCost + walkCostBytes)
      // Its check was paid for before it ran (paidCheck), its walks only now: closed as too fast when they put its sender in debt.
      const event = connection.chargeWork(walkCostBytes) ? verdict.refused.event : CLOSE.rateLimited
      this.stopHolding(connection, event, new Error(`${what}: ${verdict.refused.reason}`))
      return null
    }
    const { splitCostBytes, walkCostBytes } = verdict
    if (!connection.chargeWork(walkCostBytes) || !connection.admitWork(splitCostBytes)) {
      const cost = `its splits cost as much as ${splitCostBytes} bytes and its walks along runs of marks as ${walkCostBytes}`
      this.stopHolding(connection, CLOSE.rateLimited, new Error(`${what}: ${cost}, more than its sender may send now`))
      return null
    }
    // Taken again at every load of the board: counted against the hour as what the board takes in is (written-cost.ts).
    connection.wrote(integrationWrittenBytes(verdict.integrationSteps))
    return verdict
  }

  /**
   * validateUpdate's verdict on a connection's update, here or elsewhere, with
   * the update also refused when it would advance a client id someone else
   * wrote, or too many nobody wrote before, in it or in its sender's hour
   * (client-writers.ts).
   */
  private verdictOn(connection: Connection, verdict: UpdateVerdict): UpdateVerdict {
    const { userId } = connection.identity
    if (verdict.refused || userId === null) return verdict
    const refusal = this.options.clientWriters.refusal(this.doc, verdict.runEnds, userId, connection.newClientsAllowed())
    return refusal === null ? verdict : { refused: { event: CLOSE.updateRejected, reason: refusal.reason }, walkCostBytes: verdict.walkCostBytes }
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
    } else if (this.held.clientsHeld(connection) > HELD_CLIENTS_MAX) {
      this.stopHolding(connection, CLOSE.missingDependencies, new Error(`changes under more than ${HELD_CLIENTS_MAX} client ids wait for content the server does not have`))
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
    if (userId === null) {
      transact()
      return
    }
    const { fresh, toConfirm } = this.options.clientWriters.record(this.doc, runEnds.keys(), userId, transact)
    if (fresh.length > 0) connection.broughtNewClients(fresh.length)
    if (fresh.length === 0 && toConfirm.length === 0) return
    // Stored with the update's row, in its transaction: known to the board's next rooms, and to other instances; a guessed id, compared with its stored writer.
    this.options.commits.wroteFirst({ userId, clients: [...fresh, ...toConfirm].sort((a, b) => a - b) })
  }
}
