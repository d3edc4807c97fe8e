/**
 * The rooms this process has loaded: at most one per board. Concurrent first
 * joins share one load; a room unloads once nobody has held it for
 * `idleRoomMs` and everything is saved (the one idle longest at once when more
 * than `idleRooms` are idle, or their stored bytes pass `idleRoomBytes`). What
 * else happens around a room (fan-out to other instances, compaction,
 * automatic snapshots, metrics) is an extension given from outside; the
 * registry calls their hooks in order and knows none of them. A room that
 * was reset (room.ts) is retired: its board is loaded afresh for whoever
 * comes next, once the old room has saved what it held.
 */
import * as Y from 'yjs'
import { migrateBoardDoc } from '../../shared/board-doc.ts'
import { textFromPlainFields } from '../../shared/plain-fields.ts'
import { dropNonStringContentEverywhere } from '../../shared/plain-text.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { RelayLimits } from '../../shared/limits.ts'
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'
import type { BoardRecord, BoundsCheck, Storage, StoredBoardState } from '../storage/storage.ts'
import { BoardDamaged } from './damaged-board.ts'
import { loadCostInBytes } from './load-cost.ts'
import { ColdLoads, LoadingTooMuch } from './cold-loads.ts'
import { ConnectionLimits, type Admission, type AdmissionRefusal } from './connection-limits.ts'
import type { IncomingRates } from './incoming-rates.ts'
import type { ConnectionGrant, ConnectionIdentity } from './connection.ts'
import type { ConnectionSelector } from './connection-selector.ts'
import { newControlMessage, RecentControlMessages, type ControlMessage } from './control-message.ts'
import { JoinsInFlight, type JoinInFlight } from './joins-in-flight.ts'
import { OutboundBudget } from './outbound-budget.ts'
import { encodingBudget, type EncodingBudget } from './encoding-budget.ts'
import { DEFAULT_RELAY_LIMITS } from './relay-limits.ts'
import { RewriteResets } from './rewrite-resets.ts'
import { RoomExtensions, type RelayControl, type RoomExtension } from './room-extension.ts'
import { RightsRecheck, type RightsCheck } from './rights-recheck.ts'
import { PresenceHandover } from './presence-handover.ts'
import { HeldHttpChanges } from './held-http-changes.ts'
import { repairStoredBoard } from './load-repair.ts'
import { checkedBefore, checkedBounds, checkToKeep } from './checked-bounds.ts'
import { Room } from './room.ts'
import { ServerClientIdKeeper } from './server-client-ids.ts'
import type { UpdateChecks } from './update-checks.ts'
import type { FreshIdCheck } from './fresh-id-claims.ts'

export type RoomRegistryOptions = {
  /** What one connection may cost; the defaults of shared/limits.ts otherwise. */
  limits?: RelayLimits
  /** Called in this order at each hook (server/services.ts puts the server's together). */
  extensions?: readonly RoomExtension[]
  /** How open connections' rights are decided again when this instance may have missed a change of them (server/access/open-socket-rights.ts); never without it. */
  rightsCheck?: RightsCheck
  /** Where an update dear to check is checked, off the relay's thread (update-checks.ts); on it without. */
  checks?: UpdateChecks
  /** Where the client ids an update is the first to write under are checked across instances (fresh-id-claims.ts); on this instance only without. */
  freshIds?: FreshIdCheck
}

/**
 * For readiness and metrics: how many loaded boards cannot commit (failing,
 * or late: CommitLog), since when the oldest has been, and when the oldest
 * change still waiting to be committed on any of them arrived.
 */
export type CommitHealth = { failingRooms: number; oldestFailingSince: number | null; oldestUncommittedSince: number | null }

/** A board's room as its stored state made it: whether the load repaired it, how much the repair looked at, and the check to keep (checked-bounds.ts). */
type AppliedStored = { room: Room; stored: StoredBoardState; board: BoardRecord; repaired: boolean; examined: number; checked: BoundsCheck | null }

/** A room held for its caller, who calls `release` once done with it. */
export type HeldRoom = { room: Room; release: () => void }

/** A socket's upgrade that never completes must not pin its room in memory forever. */
const UNCLAIMED_HOLD_MS = 30_000

export class RoomRegistry implements RelayControl {
  private readonly rooms = new Map<string, Room>()
  private readonly loading = new Map<string, Promise<Room | null>>()
  /** Rooms nobody has held since they went idle, each with the timer that unloads it; the longest idle first. */
  private readonly idle = new Map<Room, NodeJS.Timeout>()
  private readonly limits: RelayLimits
  /** When each board may next be reset here for a rewrite from another instance. */
  private readonly rewriteResets: RewriteResets
  private readonly extensions: RoomExtensions
  private readonly connectionLimits: ConnectionLimits
  /** Bytes queued to slow readers, across every room. */
  readonly outbound: OutboundBudget
  /** Boards encoded for sync replies of their own, across every room. */
  private readonly encodings: EncodingBudget
  /** Decides open connections' rights again when this instance may have missed a change of them. */
  private readonly rightsRecheck: RightsRecheck | null
  private readonly joins = new JoinsInFlight()
  /** Control messages seen lately, made here or told by another instance: one comes both through Redis and PostgreSQL. */
  private readonly controlMessages = new RecentControlMessages()
  /** Boards loaded for nobody who held them: one at a time, within the instance's bytes a minute. */
  private readonly coldLoads: ColdLoads
  /** Boards deleted while this process ran: never loaded again, whoever asks (their rows may not all be gone yet). */
  private readonly deletedBoards = new Set<string>()
  /** Rooms reset and out of service, by board, each with its unloading once it has saved what it held: its board loads again only then. */
  private readonly retiring = new Map<string, { room: Room; unloaded: Promise<void> }>()
  /** Who held the presence client ids of each room reset or unloaded lately, for the board's next room. */
  private readonly presenceHandover: PresenceHandover
  /** The client ids each room unloaded saved lately wrote under, for the board's next room here (server-client-ids.ts). */
  private readonly serverClientIds = new ServerClientIdKeeper()
  private readonly checks: UpdateChecks | undefined
  private readonly freshIds: FreshIdCheck | undefined
  /** The name of the rules the load repair checks boards under (checked-bounds.ts): worked out here, not at the first load. */
  private readonly bounds = checkedBounds()
  /** HTTP changes answered 202, held here until saved: named at shutdown, when they are lost (close). */
  readonly heldHttpChanges = new HeldHttpChanges()

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    options: RoomRegistryOptions = {},
  ) {
    this.limits = options.limits ?? DEFAULT_RELAY_LIMITS
    this.checks = options.checks
    this.freshIds = options.freshIds
    this.rewriteResets = new RewriteResets(this.limits.rewriteResetIntervalMs)
    this.presenceHandover = new PresenceHandover()
    this.extensions = new RoomExtensions(options.extensions ?? [], logger)
    this.connectionLimits = new ConnectionLimits({ perPerson: this.limits.connectionsPerPerson, total: this.limits.connections, rates: this.limits })
    this.coldLoads = new ColdLoads(this.limits.instanceLoadedBytesPerMinute)
    this.encodings = encodingBudget(this.limits.instanceEncodedBytesPerSecond)
    this.outbound = new OutboundBudget({ perConnection: this.limits.queuedBytesPerConnection, total: this.limits.queuedBytes })
    this.rightsRecheck = options.rightsCheck
      ? new RightsRecheck({
          check: options.rightsCheck,
          rooms: () => this.rooms.values(),
          doubtJoins: () => this.joins.doubtAll(),
          boardGone: (boardId) => this.boardDeletedElsewhere(boardId),
          logger,
        })
      : null
    this.extensions.attached(this)
  }

  get loadedRooms(): ReadonlyMap<string, Room> {
    return this.rooms
  }

  /** Loaded rooms that nobody holds, kept for a holder who comes back. */
  get idleRoomCount(): number {
    return this.idle.size
  }

  /** Open websockets on this instance, counted from their upgrade. */
  get connectionCount(): number {
    return this.connectionLimits.connections
  }

  /**
   * Counts a websocket about to open for a person (null: a server without
   * accounts, where only the total applies), or says which limit refuses it.
   */
  admit(personId: string | null): Admission | AdmissionRefusal {
    return this.connectionLimits.admit(personId)
  }

  /** What a person may still send and add to boards on this instance (their sockets' budget, which their HTTP changes share). */
  ratesOf(personId: string): IncomingRates {
    return this.connectionLimits.ratesOf(personId)
  }

  /** A websocket upgrade begins deciding its rights: see JoinsInFlight; end() it once its socket joined or never will. */
  beginJoin(boardId: string): JoinInFlight {
    return this.joins.begin(boardId)
  }

  /** An upgrade's rights are decided (`identity`, `grant`): should a re-check have doubted them meanwhile, they are read again before its socket opens. */
  async settleJoin(join: JoinInFlight, identity: ConnectionIdentity, grant: ConnectionGrant): Promise<void> {
    const recheck = this.rightsRecheck
    if (recheck) await join.settle(() => recheck.verify({ boardId: join.boardId, identity, grant }))
  }

  commitHealth(): CommitHealth {
    let failingRooms = 0
    let oldestFailingSince: number | null = null
    let oldestUncommittedSince: number | null = null
    for (const room of [...this.rooms.values(), ...[...this.retiring.values()].map((retired) => retired.room)]) {
      const waiting = room.uncommittedSince
      if (waiting !== null && (oldestUncommittedSince === null || waiting < oldestUncommittedSince)) oldestUncommittedSince = waiting
      const since = room.commitFailingSince
      if (since === null) continue
      failingRooms++
      if (oldestFailingSince === null || since < oldestFailingSince) oldestFailingSince = since
    }
    return { failingRooms, oldestFailingSince, oldestUncommittedSince }
  }

  /**
   * The room of a board, held for the caller (call the returned release once
   * done), or null when there is no such board (or it is being deleted). A
   * caller that has just read the board's record passes it, so that a load
   * does not read it again; a socket's upgrade passes its join, which ends
   * with the hold. A person's socket or change passes their rates: a board
   * that nobody holds here is loaded on them and on the instance (ColdLoads;
   * LoadingTooMuch once either has loaded too much lately), and its stored
   * bytes counted; a board loaded or loading already costs nothing.
   */
  async acquire(boardId: string, board?: BoardRecord, join?: JoinInFlight, payer?: IncomingRates): Promise<HeldRoom | null> {
    const loadsHere = payer !== undefined && !this.rooms.has(boardId) && !this.loading.has(boardId)
    if (loadsHere && !this.coldLoads.mayLoad(payer)) throw new LoadingTooMuch(`board ${boardId} is not loaded, and its person or this instance has loaded as much as they may this minute`)
    let room = await this.load(boardId, board, payer)
    // While a load awaits its extensions, its room is served to others already; they may come and go and the room
    // unload, destroyed. A socket joined to it would be served by nothing: load the board again, its record read anew
    // (it may have been deleted meanwhile).
    while (room && this.rooms.get(boardId) !== room) room = await this.load(boardId, undefined)
    if (!room || room.isDeleted) return null
    this.stopIdling(room)
    room.hold()
    let released = false
    const release = () => {
      if (released) return
      released = true
      clearTimeout(timer)
      join?.end()
      room.release()
    }
    const timer = setTimeout(release, UNCLAIMED_HOLD_MS)
    timer.unref()
    return { room, release }
  }

  /** Runs `use` with the board's room held; null when there is no such board. `payer` as for `acquire`. */
  async withRoom<T>(boardId: string, use: (room: Room) => T | Promise<T>, payer?: IncomingRates): Promise<T | null> {
    const held = await this.acquire(boardId, undefined, undefined, payer)
    if (!held) return null
    try {
      return await use(held.room)
    } finally {
      held.release()
    }
  }

  /**
   * Closes the matching connections (a right was taken away): here at once,
   * and wherever the extensions reach (other instances). Returns how many
   * closed here.
   */
  closeConnections(selector: ConnectionSelector, event: CloseEvent): number {
    const message = newControlMessage(selector, event)
    // Seen here now: PostgreSQL's notification reaches this instance too, and its copy must not close again what
    // opened since (a join made after the sign-out), as only a word told in a commit is acted on from the own copy.
    this.controlMessages.firstSight(message)
    this.extensions.closingConnections(message, false)
    return this.closeConnectionsHere(selector, event)
  }

  /**
   * The word that closes the matching connections for a change about to be
   * stored, told in its commit: it goes in the `tells` of the change's audit
   * entry, and once the change committed closeConnectionsToldInCommit closes
   * them. Not known here as seen until then: PostgreSQL brings this instance
   * its own copy as the change commits, and that copy closes them when it
   * arrives first, whether the commit's answer is on its way or was lost (the
   * connection dropping during COMMIT: the change committed, its request
   * failed, and nothing else here would close them before the periodic re-check).
   */
  closingToTell(selector: ConnectionSelector, event: CloseEvent): ControlMessage {
    return newControlMessage(selector, event)
  }

  /**
   * As closeConnections, for a change that told `message` (closingToTell) in
   * its commit: PostgreSQL sent it then, and it is not sent that way again.
   * The connections are closed here unless the message's copy from PostgreSQL did first.
   */
  closeConnectionsToldInCommit(message: ControlMessage): number {
    const first = this.controlMessages.firstSight(message)
    this.extensions.closingConnections(message, true)
    return first ? this.closeConnectionsHere(message.selector, message.event) : 0
  }

  applyControlMessage(message: ControlMessage): void {
    if (!this.controlMessages.firstSight(message)) return
    const { selector, event } = message
    this.closeConnectionsHere(selector, event)
    // The instance deleting the board stops its own room once the deletion is answered; any other must stop committing
    // too, as must the deleting one when its own copy comes first (the answer late, or lost as the deletion committed).
    if (event.code === CLOSE.boardDeleted.code && selector.boardId !== undefined) this.boardDeletedElsewhere(selector.boardId)
  }

  /** Closes the matching connections of this instance, those still joining as they open. */
  private closeConnectionsHere(selector: ConnectionSelector, event: CloseEvent): number {
    this.joins.revoke(selector, event)
    let closed = 0
    for (const room of this.rooms.values()) closed += room.closeConnections(selector, event)
    return closed
  }

  recheckRightsHere(joinsToo: boolean): void {
    this.rightsRecheck?.request(joinsToo)
  }

  /**
   * Not remembered as deleted here (boardDeleted is, on the instance deleting
   * it): should that deletion fail, the board loads again from its row. A room
   * loaded after it was deleted commits nothing either, as the log refuses it.
   */
  private boardDeletedElsewhere(boardId: string): void {
    const room = this.rooms.get(boardId)
    if (!room) return
    room.markDeleted().then(
      () => this.unloadIfIdle(room),
      (error: unknown) => this.logger.error({ boardId, err: errorMessage(error) }, 'could not mark a board deleted elsewhere'),
    )
  }

  /**
   * Saves what is pending, then unloads every room, closing its sockets with
   * 1001, and closes the extensions. Once `deadline` settles it stops waiting:
   * what a room could not save stays in its clients, which send it again when
   * they reconnect.
   */
  async close(deadline: Promise<unknown> = new Promise(() => {})): Promise<void> {
    this.rightsRecheck?.stop()
    const settled = (work: Iterable<Promise<unknown>>) => Promise.race([Promise.allSettled(work), deadline])
    await settled(this.loading.values())
    const retired = [...this.retiring.values()].map(({ room }) => room)
    await settled([...this.rooms.values(), ...retired].map((room) => room.whenSaved()))
    const unsaved = [...this.rooms.values(), ...retired].filter((room) => !room.isSaved).map((room) => room.boardId)
    if (unsaved.length > 0) this.logger.warn({ boards: unsaved }, 'closing with edits not saved; their websocket clients keep them and resend them when they reconnect')
    for (const boardId of unsaved) {
      const changes = this.heldHttpChanges.of(boardId)
      if (changes.length > 0) {
        this.logger.error(
          { boardId, changes },
          'closing with HTTP changes answered 202 not saved: they are kept in DATA_DIR/held-changes and stored when a server next starts on this DATA_DIR (their senders were told not to send them again)',
        )
      }
    }
    for (const room of [...this.rooms.values()]) this.unload(room)
    for (const { room } of [...this.retiring.values()]) this.unloadRetired(room)
    this.presenceHandover.clear()
    this.serverClientIds.clear()
    await settled([this.extensions.close()])
  }

  /** The board's room, loaded if it is not, on `payer` if this starts its load (see acquire). */
  private load(boardId: string, board: BoardRecord | undefined, payer?: IncomingRates): Promise<Room | null> {
    if (this.deletedBoards.has(boardId)) return Promise.resolve(null)
    const loaded = this.rooms.get(boardId)
    if (loaded) return Promise.resolve(loaded)
    let loading = this.loading.get(boardId)
    if (!loading) {
      const retired = this.retiring.get(boardId)
      const read = retired ? retired.unloaded.then(() => this.readRoom(boardId, board, payer)) : this.readRoom(boardId, board, payer)
      loading = read.finally(() => this.loading.delete(boardId))
      this.loading.set(boardId, loading)
    }
    return loading
  }

  private async readRoom(boardId: string, known: BoardRecord | undefined, payer: IncomingRates | undefined): Promise<Room | null> {
    const read = await this.coldLoads.inTurn(payer, () => this.applyStored(boardId, known), (applied) => (applied ? loadCostInBytes(applied.room.storedBytes, applied.room.doc) : 0))
    if (!read) return null
    const { room, stored, board, repaired, examined, checked } = read
    this.rooms.set(boardId, room)
    this.extensions.checkedAtLoad(room, examined)
    await Promise.all([this.extensions.loaded(room, stored, board), checked !== null && this.keepCheck(boardId, checked)])
    if (repaired) this.extensions.repairedAtLoad(room)
    return room
  }

  /** A check not kept costs the board's next load a look at what this one looked at: logged, never thrown. */
  private async keepCheck(boardId: string, check: BoundsCheck): Promise<void> {
    try {
      await this.storage.boundsChecks.record(boardId, check)
    } catch (error) {
      this.logger.warn({ boardId, err: errorMessage(error) }, 'could not keep that the board was found within the relay’s bounds: its next load checks it again')
    }
  }

  /** Reads the board and applies what is stored of it to a new room, on the relay's thread. */
  private async applyStored(boardId: string, known: BoardRecord | undefined): Promise<AppliedStored | null> {
    const board = known ?? (await this.storage.boards.get(boardId))
    if (!board) return null
    const [stored, clientWriters, lastCheck] = await Promise.all([this.storage.log.load(boardId), this.storage.log.writers(boardId), this.storage.boundsChecks.get(boardId)])
    const room = new Room({
      boardId,
      boardCreatedAt: board.createdAt,
      log: this.storage.log,
      logger: this.logger,
      limits: this.limits,
      outbound: this.outbound,
      encodings: this.encodings,
      events: this.extensions,
      onIdle: (idle) => this.keepIdle(idle),
      onReset: (reset) => this.retire(reset),
      rewriteResets: this.rewriteResets,
      presenceHolders: this.presenceHandover.take(boardId),
      serverClientIds: this.serverClientIds.take(boardId),
      clientWriters,
      checks: this.checks,
      freshIds: this.freshIds,
    })
    try {
      room.load(stored)
    } catch (error) {
      throw error instanceof BoardDamaged ? error.ofBoard(boardId) : error
    }
    // What storage holds, before this load's own changes: those are looked at by the next load, once stored.
    const loaded = Y.encodeStateVector(room.doc)
    migrateBoardDoc(room.doc, serverOrigin('schema-migration'))
    // Stored before the relay refused it (relay/text-content.ts); removed as an edit, so stored and sent like one.
    const dropped = dropNonStringContentEverywhere(room.doc, serverOrigin('text-cleanup'))
    if (dropped > 0) this.logger.warn({ boardId, items: dropped }, 'removed content other than characters from the board’s shared texts, stored before the relay refused it')
    // Stored before the relay refused it (relay/board-shape.ts): nobody could type into such a field until it was given a text.
    const fields = textFromPlainFields(room.doc, serverOrigin('text-fields'))
    if (fields > 0) this.logger.warn({ boardId, fields }, 'gave assessments’ titles and judgments stored as other values a shared text, stored before the relay refused them')
    // Stored before the relay refused them (load-repair.ts): read by nobody, downloaded by everyone, or past today's bounds, and
    // set again by an undo, which the relay refuses; an XML type under a collection's key passed for an entry, and filled the board.
    // Only what was written since the board was last found within today's bounds is looked at (checked-bounds.ts).
    const repair = repairStoredBoard(room.doc, { hidden: serverOrigin('entry-keys'), bounds: serverOrigin('value-bounds') }, checkedBefore(lastCheck, this.bounds))
    const { keys, entries, values, texts } = repair
    if (keys > 0) this.logger.warn({ boardId, keys }, 'deleted keys of entries that their schema does not name, stored before the relay refused them')
    if (entries > 0) this.logger.warn({ boardId, entries }, 'deleted entries of collections that are shared types other than an entry’s map (an XML type), stored before the relay refused them')
    if (values > 0 || texts > 0) this.logger.warn({ boardId, values, texts }, 'brought values and texts past the relay’s bounds within them, stored before the relay refused them')
    return { room, stored, board, repaired: keys + entries + values + texts > 0, examined: repair.examined, checked: checkToKeep(this.bounds, loaded, lastCheck, repair, stored) }
  }

  /**
   * Deletes the board with `remove` (its rows and audit entry, in one
   * transaction) while its rooms here, the live one and one retired still
   * saving, commit nothing (Room.deleteWhileHeld): no edit lands meanwhile,
   * and nothing is appended after the rows go. No room of it is loaded here
   * meanwhile (a load under way is waited for). Once `remove` resolves, its
   * room refuses every later change (those who still hold it, such as an
   * import that was being planned, get BoardDeleted) and unloads as soon as
   * nobody holds it, and the board is not loaded again here. Should `remove`
   * fail, its rooms go on as they were, their members editing, and it may be
   * loaded again. Its sockets are left open: the caller closes them once this
   * resolves.
   */
  async deleteBoard(boardId: string, remove: () => Promise<void>): Promise<void> {
    this.deletedBoards.add(boardId)
    try {
      await this.loading.get(boardId)?.catch(() => null)
      const rooms = [this.retiring.get(boardId)?.room, this.rooms.get(boardId)].filter((room) => room !== undefined)
      const removeHeld = rooms.reduce((inner, room) => () => room.deleteWhileHeld(inner), remove)
      await removeHeld()
    } catch (error) {
      this.deletedBoards.delete(boardId)
      throw error
    }
    const room = this.rooms.get(boardId)
    if (room) this.unloadIfIdle(room)
  }

  /**
   * Keeps a room nobody holds loaded for `idleRoomMs`, within `idleRooms` and
   * `idleRoomBytes`; then unloads it unless someone holds it again. A deleted
   * board's room unloads at once.
   */
  private keepIdle(room: Room): void {
    if (this.rooms.get(room.boardId) !== room) return
    this.stopIdling(room)
    this.extensions.idle(room)
    if (room.isDeleted || this.limits.idleRoomMs === 0 || this.limits.idleRooms === 0 || room.storedBytes > this.limits.idleRoomBytes) {
      this.unload(room)
      return
    }
    const timer = setTimeout(() => {
      this.idle.delete(room)
      this.unloadIfIdle(room)
    }, this.limits.idleRoomMs)
    timer.unref()
    this.idle.set(room, timer)
    let idleBytes = 0
    for (const kept of this.idle.keys()) idleBytes += kept.storedBytes
    for (const longest of this.idle.keys()) {
      if (this.idle.size <= this.limits.idleRooms && idleBytes <= this.limits.idleRoomBytes) break
      idleBytes -= longest.storedBytes
      this.stopIdling(longest)
      this.unloadIfIdle(longest)
    }
  }

  private stopIdling(room: Room): void {
    clearTimeout(this.idle.get(room))
    this.idle.delete(room)
  }

  /** A failure is logged, never thrown: this runs from timers, and for a room other than the caller's. */
  private unloadIfIdle(room: Room): void {
    try {
      if (room.isIdle) this.unload(room)
    } catch (error) {
      this.logger.error({ boardId: room.boardId, err: errorMessage(error) }, 'could not unload an idle board')
    }
  }

  private unload(room: Room): void {
    this.stopIdling(room)
    if (this.rooms.get(room.boardId) !== room) return
    this.rooms.delete(room.boardId)
    if (!room.isDeleted) this.presenceHandover.keep(room.boardId, room.presence.holders())
    this.keepServerClientIds(room)
    // The extensions hear of it while the document can still be read (the board list's summary is written from it).
    this.extensions.unloaded(room)
    room.destroy()
  }

  /**
   * A reset room serves no one any more: whoever asks for its board next waits
   * until it has saved what it applied before it was reset (a deleted board's
   * room saves nothing more), and then gets the board loaded afresh from storage.
   */
  private retire(room: Room): void {
    if (this.rooms.get(room.boardId) !== room) return
    this.rooms.delete(room.boardId)
    this.stopIdling(room)
    this.presenceHandover.keep(room.boardId, room.presence.holders())
    const unloaded = room
      .whenSaved()
      .catch(() => undefined)
      .then(() => this.unloadRetired(room))
    this.retiring.set(room.boardId, { room, unloaded })
  }

  private unloadRetired(room: Room): void {
    if (this.retiring.get(room.boardId)?.room !== room) return
    this.retiring.delete(room.boardId)
    this.keepServerClientIds(room)
    this.extensions.unloaded(room)
    room.destroy()
  }

  /**
   * Only once everything the room applied is stored: the board's next room
   * then finds every id at the clock kept, unless something else wrote under
   * it (server-client-ids.ts). After a reset that dropped changes never
   * stored, the next room finds the board behind the clocks kept, and draws
   * fresh ids.
   */
  private keepServerClientIds(room: Room): void {
    if (!room.isDeleted && room.isSaved) this.serverClientIds.keep(room.boardId, room.serverClientIds())
  }
}
