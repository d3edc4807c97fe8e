/**
 * A room: one board's live Y.Doc and presence, and the connections editing it.
 *
 * Durable before visible: an update is applied to the doc as it arrives, but it
 * is broadcast (and echoed to its sender, whose client reads the echo as
 * "saved") only after the batch holding it has been committed to the update
 * log (commit-log.ts). Whatever arrived during one event-loop turn is committed in one
 * transaction and sent as one merged frame.
 *
 * While a commit is in flight nothing new is applied: updates from sockets and
 * from other instances wait (`CommitLog.betweenCommits`), server-side changes in `change()`. So the moment a
 * commit completes, the doc holds exactly what is stored, and that is when
 * joiners' sync replies and `read()`s are answered: nobody sees state that is
 * not stored, and under steady editing nobody waits for a quiet moment.
 * While commits fail, server-side reads and changes are refused at once
 * (CommitsFailing) and none waits longer than `commitWaitMs`; a joiner's sync
 * reply waits for the next successful commit, as its client keeps its edits.
 * Changes whose dependencies the doc lacks are held apart per connection
 * (HeldUpdates), never in the doc, so no sync reply carries them.
 * While its board is being deleted here (`deleteWhileHeld`) nothing is
 * committed; once it is deleted (`markDeleted`), nothing more is applied or
 * committed, and whoever still holds the room is refused (BoardDeleted).
 * While its board is past its size limit (`setFull`, board-size-limit.ts),
 * only deletions are applied: what adds content is dropped (the deletions of
 * what the board holds that come with it are applied), its sender told once,
 * and a server-side change refused (BoardFull) unless it may pass.
 *
 * Nothing a client sends can throw out of here: each frame is decoded in
 * `receive()`, and an update is checked in the same step as it is applied,
 * against the doc it is applied to (at once, or once the commit in flight
 * completes); a failure closes that one connection.
 * Should applying content to the doc throw all the same, the doc's state is
 * no longer known, and one unknown fault must not leave the board deaf for
 * everyone: the room resets (`reset`), and its board is loaded again from storage.
 */
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { writtenCostInBytes } from './written-cost.ts'
import { structsAddedAtMost } from './load-cost.ts'
import { piecesOf } from './transaction-pieces.ts'
import { isChangeOrigin, LOAD_ORIGIN } from '../../shared/change-origin.ts'
import type { RelayLimits } from '../../shared/limits.ts'
import {
  CLOSE,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  type BoardFullNotice,
  type CloseEvent,
  type RestoreNotice,
} from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import { SERVER_WRITER, type ClientWriter, type StoredBoardState, type StoredSince, type UpdateLogStore } from '../storage/storage.ts'
import type { Admission } from './connection-limits.ts'
import { Connection, type ConnectionGrant, type ConnectionIdentity, type RelaySocket } from './connection.ts'
import { closeFor, selects, type ConnectionSelector } from './connection-selector.ts'
import { applyStoredState } from './merge-state.ts'
import { permissionDeniedMessage, updateMessage } from './messages.ts'
import type { OutboundBudget } from './outbound-budget.ts'
import type { EncodingBudget } from './encoding-budget.ts'
import { PresenceRefused } from './presence-state.ts'
import { RoomPresence, type ClientIdHolders } from './room-presence.ts'
import { ClientWriters } from './client-writers.ts'
import type { FreshIdCheck } from './fresh-id-claims.ts'
import { reusable, writtenUnder, type ServerClientIds } from './server-client-ids.ts'
import { stampClientIdOf, useStampClientId } from './stamped-fields.ts'
import type { RewriteResets } from './rewrite-resets.ts'
import { withinDoc, withinStateVectorSize } from './state-vector.ts'
import { SyncAnswers } from './sync-answers.ts'
import { CommitLog, type Commit } from './commit-log.ts'
import { UpdateIntake } from './update-intake.ts'
import type { UpdateChecks } from './update-checks.ts'
import type { RelayedWriters } from './relayed-commit.ts'
import { RemoteUpdates, type RelayedUpdateReports } from './remote-updates.ts'
import { ServerNotices } from './server-notices.ts'
import { ServerChanges, type ChangeCheck, type ChangeOptions, type StoreFirst } from './server-changes.ts'
import { errorMessage } from '../../shared/error-message.ts'

/**
 * What a room tells the relay's extensions (through the registry, which calls
 * them in order). The room knows nothing of what they do.
 */
export interface RoomEvents {
  /** A batch was committed and broadcast. */
  committed(room: Room, commit: Commit): void
  /** A commit failed with `error`; it is retried. */
  commitFailed(room: Room, error: unknown): void
  /** A writer's update arrived (before it is applied and committed). */
  updateReceived(room: Room, bytes: number): void
  /** Presence changed on this instance: what its connections sent, or the server's own entry. */
  presenceChanged(room: Room, update: Uint8Array): void
  /** A connection's awareness update was read: the bytes of the states read, and of those skipped unread (RoomPresence.receive). */
  presenceRead(readBytes: number, skippedBytes: number): void
  /** Changes held for content the board lacks were merged, reading this many bytes (HeldUpdates). */
  heldMerged(bytes: number): void
  /** The server closed a connection, with why. */
  connectionClosed(room: Room, connection: Connection, event: CloseEvent): void
  /** Applying content left the doc in an unknown state: the room serves no one any more, and its board is loaded again. */
  reset(room: Room): void
  /** Frames of this many bytes in all were sent (a broadcast is told once, not once a connection). */
  relayed(bytes: number): void
}

export type RoomOptions = {
  boardId: string
  /** When the board was made (its record's ISO time): no entry a websocket client creates is dated before it (stamped-fields.ts). */
  boardCreatedAt: string
  log: UpdateLogStore
  logger: Logger
  limits: RelayLimits
  /** Bytes queued to slow readers, shared by every room of the process. */
  outbound: OutboundBudget
  /** Boards encoded for sync replies of their own, shared by every room of the process. */
  encodings: EncodingBudget
  events: RoomEvents
  /** Nobody holds the room any more and everything is saved: it may be unloaded. */
  onIdle: (room: Room) => void
  /** The room was reset: it serves no one any more; once what it applied before is saved (`whenSaved`), it is to be unloaded and its board loaded afresh. */
  onReset: (room: Room) => void
  /** When the board may next be reset for a rewrite from another instance, kept across its rooms. */
  rewriteResets: RewriteResets
  /** Who held the presence client ids in the board's previous room, reset or unloaded idle: they stay theirs while their pages reconnect. */
  presenceHolders?: ClientIdHolders
  /** Who wrote under the board's client ids, as stored (UpdateLogStore.writers): nobody else may write under them. */
  clientWriters?: readonly ClientWriter[]
  /** Where an update dear to check is checked, off the relay's thread (update-checks.ts); without it, every update is checked on it. */
  checks?: UpdateChecks
  /** The client ids the board's previous room in this process wrote under, saved: written under again where the board as loaded allows (server-client-ids.ts). */
  serverClientIds?: ServerClientIds
  /** Where the client ids an update is the first to write under are checked across instances (fresh-id-claims.ts); on this instance only without. */
  freshIds?: FreshIdCheck
}

export type { ChangeCheck, ChangeOptions, StoreFirst } from './server-changes.ts'

export class Room {
  readonly boardId: string
  readonly doc: Y.Doc
  readonly presence: RoomPresence
  readonly connections = new Set<Connection>()
  /** Holders other than sockets (HTTP requests, imports) that keep the room loaded. */
  private holds = 0
  /** What the doc applied, on its way to the update log, and what waits for it to be stored (commit-log.ts). */
  private readonly commits: CommitLog
  /** How members' updates, and content held for what the doc lacks, enter the doc (update-intake.ts). */
  private readonly intake: UpdateIntake
  /** What other instances stored: relayed updates and catch-ups (remote-updates.ts). */
  private readonly remote: RemoteUpdates
  /** What the server tells everyone on the board through its own presence entry (server-notices.ts). */
  private readonly notices: ServerNotices
  /** Our answers in the sync protocol, kept encoded until the doc changes (sync-answers.ts). */
  private readonly syncAnswers: SyncAnswers
  /** HTTP edits, imports and restores, and reads of the board as stored (server-changes.ts). */
  private readonly serverSide: ServerChanges
  private destroyed = false
  /** Why the room was reset, once it was: nothing more is applied, read or answered from its doc. */
  private resetCause: string | null = null
  /** The bytes the board was loaded from and has committed or taken from other instances since. */
  private storedByteCount = 0
  /** Each change's structsAddedAtMost (load-cost.ts), summed: it only grows. */
  private structsAddedCount = 0
  /** Who wrote which client ids (client-writers.ts): an update advancing another's is refused, and a rewrite from another instance names them. */
  private readonly clientWriters: ClientWriters
  /**
   * Set once the doc holds a change whose commit was refused (ClientIdTaken)
   * until the reset that takes it away: a page synced from it would keep
   * content the board never holds, and be refused for good once it sent it
   * back. So a page's sync is answered only by the board loaded afresh, and
   * no server-side change is made on it (ServerChanges.changeNow).
   */
  private holdsRefused = false

  constructor(private readonly options: RoomOptions) {
    this.boardId = options.boardId
    // Named after its board: otherwise Yjs draws a random guid for every doc, which cost more than the rest of loading a small board.
    this.doc = new Y.Doc({ guid: options.boardId })
    this.clientWriters = new ClientWriters(options.clientWriters, (clientId) => this.presence.holderOf(clientId))
    this.commits = new CommitLog({
      boardId: options.boardId,
      log: options.log,
      logger: options.logger,
      limits: options.limits,
      host: {
        committed: (commit) => this.committed(commit),
        commitFailed: (error) => options.events.commitFailed(this, error),
        savingNoticeChanged: () => this.notices.publish(),
        uncommittable: (cause, error, pendingBefore) => {
          // A change that broke the doc reset the room already (ServerChanges.changeNow).
          if (this.resetCause === null) this.reset(cause, error, pendingBefore)
        },
        clientIdTaken: (taken, sender) => {
          // Its change can never be stored, as its next under that id would not be: closed for good, as an update refused on arrival.
          sender?.close(CLOSE.updateRejected, taken)
          if (this.resetCause !== null) return
          this.remote.clientIdTaken(taken, sender?.identity.userId ?? null)
          // Not reset yet (RewriteResets): the doc holds what the board never will, and no joiner is to take it.
          if (this.resetCause === null) this.holdsRefused = true
        },
        changesResumed: () => this.intake.retryHeld(),
        settled: () => this.checkIdle(),
        boardRowGone: () => this.closeConnections({ boardId: this.boardId }, CLOSE.boardDeleted),
      },
    })
    this.intake = new UpdateIntake(this.doc, {
      boardId: options.boardId,
      checks: options.checks,
      freshIds: options.freshIds,
      boardCreatedAt: options.boardCreatedAt,
      limits: options.limits,
      commits: this.commits,
      clientWriters: this.clientWriters,
      host: {
        wasReset: () => this.resetCause !== null,
        full: () => this.notices.full,
        reset: (cause, error, pendingBefore, sender) => this.reset(cause, error, pendingBefore, sender),
        denyOnce: (connection, why) => this.denyOnce(connection, why),
        wholeState: () => this.syncAnswers.wholeStateParts(),
        heldMerged: (bytes) => options.events.heldMerged(bytes),
      },
    })
    this.remote = new RemoteUpdates(this.doc, {
      boardId: options.boardId,
      logger: options.logger,
      rewriteResets: options.rewriteResets,
      commits: this.commits,
      intake: this.intake,
      clientWriters: this.clientWriters,
      checks: options.checks,
      host: {
        serving: () => !this.destroyed && !this.commits.isDeleted && this.resetCause === null,
        reset: (cause, error, pendingBefore) => this.reset(cause, error, pendingBefore),
        closeConnections: (selector, event) => this.closeConnections(selector, event),
        wholeState: () => this.syncAnswers.wholeStateParts(),
      },
    })
    this.notices = new ServerNotices({
      savingFailingSince: () => this.commits.savingFailingSince,
      setServerState: (state) => this.presence.setServerState(state),
    })
    this.serverSide = new ServerChanges(this.doc, {
      boardId: options.boardId,
      limits: options.limits,
      commits: this.commits,
      host: {
        resetCause: () => this.resetCause,
        unloaded: () => this.destroyed,
        holdsRefused: () => this.holdsRefused,
        full: () => this.notices.full,
        reset: (cause, error, pendingBefore) => this.reset(cause, error, pendingBefore),
      },
    })
    this.syncAnswers = new SyncAnswers(this.doc, { encodings: options.encodings, send: (connection, frame) => this.send(connection, frame) })
    this.presence = new RoomPresence(this.doc, {
      boardId: options.boardId,
      logger: options.logger,
      limits: options.limits,
      broadcast: (frame) => this.broadcastPresence(frame),
      tell: (connection, frame) => this.send(connection, frame),
      publish: (update) => options.events.presenceChanged(this, update),
      previousHolders: options.presenceHolders,
      writerOf: (clientId) => this.clientWriters.writerOf(clientId),
    })
    this.doc.on('update', this.onDocUpdate)
  }

  get awareness() {
    return this.presence.awareness
  }

  get isSaved(): boolean {
    return this.commits.isSaved
  }

  get isIdle(): boolean {
    return this.connections.size === 0 && this.holds === 0 && this.isSaved
  }

  get isDeleted(): boolean {
    return this.commits.isDeleted
  }

  /** The stored bytes this room's document was built from: a measure of its size, since Yjs reports none. */
  get storedBytes(): number {
    return this.storedByteCount
  }

  /**
   * A running bound on the structs the document gained, the load's not
   * counted: the difference between two readings bounds what it gained
   * between them, without a walk over its clients (board-size-limit.ts).
   */
  get structsAdded(): number {
    return this.structsAddedCount
  }

  /** The board's size past its limit while it takes only deletions, or null. */
  get full(): BoardFullNotice | null {
    return this.notices.full
  }

  /** The board is past its size limit (or back within it, with null): everyone on it is told, on every instance. */
  setFull(notice: BoardFullNotice | null): void {
    if (this.destroyed || (notice === null && this.notices.full === null)) return
    // Writers told of the last time it was full are told again the next time.
    if (notice === null) for (const connection of this.connections) if (connection.canWrite) connection.deniedOnce = false
    this.notices.setFull(notice)
  }

  /** Since when (epoch ms) this room's commits have been failing or late (CommitLog), or null while neither. */
  get commitFailingSince(): number | null {
    return this.commits.commitFailingSince
  }

  /** When (epoch ms) the oldest change this room has not yet committed arrived, or null when nothing waits. */
  get uncommittedSince(): number | null {
    return this.commits.uncommittedSince
  }

  /**
   * The sequence number every log row up to which this room holds: its load's,
   * then its last catch-up's (the fan-out catches changed boards up in the
   * background to keep it near the log: trailing-catch-ups.ts). A catch-up reads
   * only the rows after it. Its own commits do not move it, nor do updates
   * relayed from other instances: a row numbered lower than those may still
   * have been on its way in.
   */
  get completeThrough(): number {
    return this.remote.completeThrough
  }

  /** Applies the board as stored (checkpoint, then the log after it): the room's starting state. */
  load(stored: Pick<StoredBoardState, 'checkpoint' | 'updates' | 'completeThrough'>): void {
    this.remote.loading(stored.completeThrough)
    // Unheard: with a listener, Yjs would encode the whole stored state once more as the load's update, for nothing.
    this.doc.off('update', this.onDocUpdate)
    try {
      applyStoredState(this.doc, stored, LOAD_ORIGIN)
    } finally {
      this.doc.on('update', this.onDocUpdate)
    }
    this.reuseServerClientIds()
    const parts = stored.checkpoint ? [stored.checkpoint, ...stored.updates] : stored.updates
    for (const part of parts) this.storedByteCount += part.byteLength
    const heldApart = this.remote.holdRemainder('stored board')
    this.syncAnswers.loaded(parts, heldApart)
  }

  /** Before anything is written: the ids the board's previous room here wrote under, where the board as loaded holds exactly what they wrote (server-client-ids.ts). */
  private reuseServerClientIds(): void {
    const own = reusable(this.doc, this.options.serverClientIds?.own)
    if (own !== null) this.doc.clientID = own
    const stamps = reusable(this.doc, this.options.serverClientIds?.stamps)
    if (stamps !== null) useStampClientId(this.doc, stamps)
  }

  /** The client ids this room wrote under, with their clocks: kept for the board's next room here once this one unloads saved. */
  serverClientIds(): ServerClientIds {
    return { own: writtenUnder(this.doc, this.doc.clientID), stamps: writtenUnder(this.doc, stampClientIdOf(this.doc)) }
  }

  /**
   * Stores the room's own ids as the server's with the update that first
   * wrote under them: no member may then write under them or claim their
   * presence, here or on another instance (server-client-ids.ts). A
   * member's update is written under her ids (ClientWriters.record, once it
   * is applied) and the stamps' alone; a server-side change (an HTTP edit, an
   * import, a restore, a held change replayed) under whatever ids it
   * advanced: an import's and a restore's are those of the worker's copy of
   * the board, which no room holds, and were left unowned for any editor to
   * write under.
   */
  private claimServerClientIds(origin: unknown, transaction: Y.Transaction): void {
    if (!(origin instanceof Connection)) {
      for (const [clientId, clock] of transaction.afterState) if (clock > (transaction.beforeState.get(clientId) ?? 0)) this.claimServerClientId(clientId)
      return
    }
    const stamps = stampClientIdOf(this.doc)
    if (stamps !== undefined) this.claimServerClientId(stamps)
  }

  private claimServerClientId(clientId: number): void {
    if (this.clientWriters.writerOf(clientId) !== null || Y.getState(this.doc.store, clientId) === 0) return
    this.clientWriters.noteServer(clientId)
    this.commits.wroteFirst({ userId: SERVER_WRITER, clients: [clientId] })
  }

  /** Joins a socket to the room and starts the sync: our step 1, and everyone's presence. */
  connect(socket: RelaySocket, grant: ConnectionGrant, identity: ConnectionIdentity, admission: Admission): Connection {
    const connection = new Connection(socket, grant, identity, {
      outbound: this.options.outbound,
      admission,
      onClose: this.onConnectionClosed,
    })
    // Its socket was let in while the room was reset: its client comes back to the board loaded afresh.
    if (this.resetCause !== null) {
      connection.close(CLOSE.boardReloaded)
      return connection
    }
    this.connections.add(connection)
    this.send(connection, this.syncAnswers.step1())
    const everyone = this.awareness.getStates().size > 0 ? this.presence.everyoneFrameFor(connection) : null
    if (everyone) this.sendPresence(connection, everyone)
    return connection
  }

  /** Handles one frame from a connection; a frame that cannot be read, or is refused, closes that connection only. */
  receive(connection: Connection, frame: Uint8Array): void {
    if (connection.closed) return
    if (!connection.admitIncoming(frame.byteLength)) {
      connection.close(CLOSE.rateLimited)
      return
    }
    try {
      const decoder = decoding.createDecoder(frame)
      const type = decoding.readVarUint(decoder)
      if (type === MESSAGE_SYNC) this.receiveSync(connection, decoder)
      else if (type === MESSAGE_AWARENESS) this.receivePresence(connection, decoding.readVarUint8Array(decoder))
      else if (type === MESSAGE_QUERY_AWARENESS) this.answerPresenceQuery(connection)
      else throw new Error(`unknown message type ${type}`)
    } catch (error) {
      connection.close(error instanceof PresenceRefused ? CLOSE.presenceRefused : CLOSE.malformedMessage, error)
    }
  }

  private receivePresence(connection: Connection, update: Uint8Array): void {
    const { echoBytes, readBytes, skippedBytes } = this.presence.receive(connection, update)
    connection.echoed(echoBytes)
    this.options.events.presenceRead(readBytes, skippedBytes)
  }

  /**
   * Everyone's presence, once a change of it (RoomPresence.everyoneFrameFor),
   * its bytes counted as if the connection had sent them: a one-byte query
   * must not make the relay send a whole room's presence again and again.
   */
  private answerPresenceQuery(connection: Connection): void {
    const everyone = this.presence.everyoneFrameFor(connection)
    if (!everyone) return
    if (connection.admitWork(everyone.byteLength)) this.sendPresence(connection, everyone)
    else connection.close(CLOSE.rateLimited)
  }

  private receiveSync(connection: Connection, decoder: decoding.Decoder): void {
    const syncType = decoding.readVarUint(decoder)
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      // Decoded now, so a bad state vector closes this connection here rather than failing later in the commit path.
      const clocks = Y.decodeStateVector(withinStateVectorSize(decoding.readVarUint8Array(decoder), this.doc))
      const join = connection.joinSync()
      // Unanswered while the doc holds a refused change, found by then (a reply waits for the commit that finds it): the reset
      // to come closes its socket, and its page syncs with the board loaded afresh.
      const answer = () =>
        this.commits.whenCommitted(connection, () => {
          if (!this.holdsRefused) this.syncAnswers.answerStep1(connection, clocks, join)
        })
      // The join's and a reply kept encoded are answered at once; a later one that may need an encoding of its own waits its turn.
      if (join || this.syncAnswers.answersAtOnce(withinDoc(clocks, this.doc))) answer()
      else connection.paceSync(answer)
      return
    }
    if (syncType !== syncProtocol.messageYjsSyncStep2 && syncType !== syncProtocol.messageYjsUpdate) {
      throw new Error(`unknown sync message type ${syncType}`)
    }
    const update = decoding.readVarUint8Array(decoder)
    // Every client answers our step 1 with its step 2, usually empty: nothing to check, apply or deny.
    if (isEmptyUpdate(update)) return
    if (!connection.canWrite) {
      const why = connection.archived ? 'This board is archived: it is read-only until an owner restores it' : 'This board is read-only for reviewers'
      this.denyOnce(connection, `${why}; your changes are not saved.`)
      return
    }
    this.options.events.updateReceived(this, update.byteLength)
    // Waiting for the commit in flight, it is checked only once that completes.
    if (this.commits.committing) this.commits.betweenCommits(() => this.intake.checkAndApplyDeferred(connection, update))
    else this.intake.checkAndApply(connection, update)
  }

  /** Tells a connection why its changes are dropped, once rather than on every keystroke; it stays open and in sync. */
  private denyOnce(connection: Connection, why: string): void {
    if (connection.deniedOnce) return
    connection.deniedOnce = true
    this.send(connection, permissionDeniedMessage(why))
  }

  /** Removes a connection whose socket has closed, and its presence for everyone else. */
  disconnect(connection: Connection): void {
    connection.ended()
    if (!this.connections.delete(connection)) return
    this.intake.dropHeld(connection)
    this.presence.release(connection)
    this.checkIdle()
  }

  /** Closes the connections the selector picks, e.g. when a person's rights change; returns how many. */
  closeConnections(selector: ConnectionSelector, event: CloseEvent): number {
    let closed = 0
    for (const connection of [...this.connections]) {
      if (!selects(selector, this.boardId, connection.identity)) continue
      connection.close(closeFor(event, connection.identity))
      closed++
    }
    return closed
  }

  hold(): void {
    this.holds++
  }

  release(): void {
    this.holds--
    this.checkIdle()
  }

  /** Resolves once every change applied so far is committed (rejects if the room is destroyed, or its board deleted, first). */
  whenSaved(): Promise<void> {
    return this.commits.whenSaved()
  }

  /** Makes a server-side change and resolves with its result once it is committed (ServerChanges.change). */
  change<T>(change: (doc: Y.Doc) => T, check?: ChangeCheck, options: ChangeOptions = {}, storeFirst?: StoreFirst<T>): Promise<T> {
    return this.serverSide.change(change, check, options, storeFirst)
  }

  /** `make`'s answer from the board as stored, kept until the doc next changes (ServerChanges.readStored). */
  readStored<T>(what: string, make: () => Promise<T>): Promise<T> {
    return this.serverSide.readStored(what, make)
  }

  /** Reads the doc as it is stored: at once when nothing is uncommitted, else right after the next commit. */
  read<T>(read: (doc: Y.Doc) => T): Promise<T> {
    return this.serverSide.read(read)
  }

  /** Resolves once the doc is exactly what is stored, for work that reads the store instead of the doc; refused and bounded as `read()` is. */
  whenStored(): Promise<void> {
    return this.serverSide.whenStored()
  }

  /**
   * Applying content threw, and the doc may no longer be what was applied to
   * it: Yjs integrates an update as it reads it, so a throw can leave part of
   * it applied, or (out of the transaction's cleanup) a doc that emits no
   * change again, however often it is edited; and content another instance
   * stored that could not be applied is missing from it. So the room serves no
   * one any more. What it committed is stored; what it applied before this
   * change and has not committed yet is still committed (its HTTP requests
   * answered as usual), and only then does the registry unload it and load the
   * board afresh (RoomRegistry.retire). What this change applied was never
   * acknowledged, and goes with the doc. The change's own `sender`, if a
   * connection, is closed for good (4422), as for any update that cannot be
   * applied; every other connection with a code on which its client
   * reconnects, to the board loaded afresh, and sends again what it had not
   * seen saved. Changes that waited for a commit or for content go with the
   * doc too: their clients send them again, and other instances' are stored.
   */
  private reset(cause: string, error: unknown, pendingBefore: number, sender?: Connection): void {
    this.resetCause = cause
    this.commits.dropSince(pendingBefore)
    this.intake.stopRetries()
    this.remote.stopResets()
    this.options.logger.error(
      { boardId: this.boardId, cause, err: errorMessage(error) },
      'applying a change left the board’s document in an unknown state; loading the board again from storage, its clients reconnect',
    )
    this.options.events.reset(this)
    // Taken out of service before its sockets close: a room left with no one must not be kept as an idle board.
    this.options.onReset(this)
    sender?.close(CLOSE.updateRejected, error)
    for (const connection of [...this.connections]) connection.close(CLOSE.boardReloaded)
    // Readers waiting for a commit are refused now (ServerChanges.reloadingError) rather than answered from this doc.
    this.commits.answerHeldReplies()
  }

  /**
   * Its board is being deleted: from now on nothing is applied or committed,
   * and whoever waits for a change to be saved is refused (BoardDeleted).
   * Resolves once a commit already in flight has ended, so that the board's
   * rows go after what it stored.
   */
  markDeleted(): Promise<void> {
    return this.commits.markDeleted()
  }

  /**
   * Deletes its board with `remove` while committing nothing, then marks it
   * deleted; should `remove` fail, the room goes on as it was
   * (CommitLog.deleteWhileHeld). Its sockets stay open either way: whoever
   * deletes closes them once the deletion is stored.
   */
  deleteWhileHeld(remove: () => Promise<void>): Promise<void> {
    return this.commits.deleteWhileHeld(remove)
  }

  /**
   * Checks and applies an update another instance relayed, once no commit is
   * in flight (RemoteUpdates.applyUpdate); `reports` is told when it depends
   * on content this instance lacks, or was dropped unapplied. `writers`: the
   * people whose connections made it, and the first writers of the ids it
   * wrote first, as the other instance tells them.
   */
  applyRemoteUpdate(update: Uint8Array, writers: RelayedWriters, reports: RelayedUpdateReports): void {
    this.remote.applyUpdate(update, writers, reports)
  }

  /**
   * Applies what the update log holds (RemoteUpdates.applyStored): the rows
   * after `completeThrough`, or the whole board, and the writers as stored;
   * none when not read (a change brought up to the log in its turn: an id of
   * it then written here first is stored as its writer's, which the database
   * compares with the writer it holds).
   */
  applyStored(stored: Pick<StoredSince, 'checkpoint' | 'updates' | 'completeThrough'>, writers: readonly ClientWriter[] = []): void {
    this.remote.applyStored(stored, writers)
  }

  /** Applies remote presence (from another instance). */
  applyRemoteAwareness(update: Uint8Array): void {
    this.presence.applyRemote(update)
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.intake.stopRetries()
    this.notices.destroy()
    this.remote.stopResets()
    for (const connection of [...this.connections]) connection.close(CLOSE.serverShutdown)
    this.connections.clear()
    this.commits.destroy()
    this.doc.off('update', this.onDocUpdate)
    this.presence.destroy()
    this.doc.destroy()
  }

  private readonly onConnectionClosed = (connection: Connection, event: CloseEvent, cause?: unknown): void => {
    this.options.events.connectionClosed(this, connection, event)
    // A reset says once why it closes everyone (reset), and a shutdown needs no line for each socket.
    if (event.code !== CLOSE.serverShutdown.code && event.code !== CLOSE.boardReloaded.code) {
      const level = event.code === CLOSE.accessChanged.code ? 'info' : 'warn'
      this.options.logger[level](
        { boardId: this.boardId, connection: connection.id, user: connection.identity.userId, code: event.code, err: cause === undefined ? undefined : errorMessage(cause) },
        `closing connection: ${event.reason}`,
      )
    }
    this.disconnect(connection)
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
    // Nothing more is committed for a deleted board: pending work would only keep its room from unloading.
    if (this.commits.isDeleted) return
    this.syncAnswers.docChanged(update)
    this.serverSide.docChanged()
    const pieces = piecesOf(transaction)
    this.structsAddedCount += structsAddedAtMost(pieces)
    // What the doc took in, not what was sent: a client sending again what the board holds spends nothing.
    if (origin instanceof Connection) origin.wrote(writtenCostInBytes(update, transaction, pieces))
    const source = isChangeOrigin(origin) ? origin.source : null
    if (source === 'remote') {
      this.storedByteCount += update.byteLength
      this.broadcast(updateMessage(update))
      return
    }
    this.commits.applied(update, origin)
    this.claimServerClientIds(origin, transaction)
  }

  /** A batch was committed: it is broadcast, and the extensions told. */
  private committed(commit: Commit): void {
    this.storedByteCount += commit.update.byteLength
    this.broadcast(updateMessage(commit.update))
    this.options.events.committed(this, commit)
  }

  /** Tells everyone on the board, for a while, that a restore replaced it (server-notices.ts). */
  announceRestore(notice: RestoreNotice): void {
    if (this.destroyed) return
    this.notices.announceRestore(notice)
  }

  private send(connection: Connection, frame: Uint8Array): void {
    if (connection.send(frame)) this.options.events.relayed(frame.byteLength)
  }

  /** One frame to every connection: counted once for all of them, since this runs for every socket on every edit. */
  private broadcast(frame: Uint8Array): void {
    let sent = 0
    for (const connection of this.connections) if (connection.send(frame)) sent++
    if (sent > 0) this.options.events.relayed(frame.byteLength * sent)
  }

  /** Presence to one connection, whose stock client sends it back: that much of what it sends back is not its own traffic. */
  private sendPresence(connection: Connection, frame: Uint8Array): void {
    connection.sentPresence(frame.byteLength)
    this.send(connection, frame)
  }

  /** Presence to every connection, each owed its echo (sendPresence). */
  private broadcastPresence(frame: Uint8Array): void {
    for (const connection of this.connections) connection.sentPresence(frame.byteLength)
    this.broadcast(frame)
  }

  private checkIdle(): void {
    if (this.isIdle && !this.destroyed) this.options.onIdle(this)
  }
}

/** An update with no structs and no deletions encodes as two zero bytes. */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0
}
