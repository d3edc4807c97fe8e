/**
 * A board's presence (y-protocols awareness) as the server keeps it.
 *
 * Each client id belongs to the connection that introduced it: only that
 * connection may change or remove it (or a later connection of the same
 * person, e.g. a reconnect whose old socket has not closed yet), and closing a
 * connection removes exactly what it owned. The id stays its person's for as
 * long as the room lives and a while in the board's next room
 * (presence-claims.ts, presence-handover.ts), for the same page reconnecting
 * with it however long it was away; so does one relayed by another instance,
 * its stamped person's, and one whose document updates a person wrote
 * (client-writers.ts). A connection refused an id because it is another's is
 * told so, and the app's page then takes a new one. Every state is stamped
 * with the signed-in identity, so nobody can appear as someone else. A connection's
 * changes are applied at most N times a second, the latest per client id
 * winning, and the room's changes go out in batches, so the stock client's
 * habit of sending back every presence change it receives cannot snowball.
 */
import { Awareness, encodeAwarenessUpdate, applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import type { RelayLimits } from '../../shared/limits.ts'
import { presenceIdTakenMessage, type ServerPresence } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import { Connection } from './connection.ts'
import { awarenessMessage, permissionDeniedMessage } from './messages.ts'
import {
  encodePresenceUpdate,
  readPresenceUpdate,
  readRelayedPresence,
  relayedPresence,
  relayedPresenceJson,
  stampedUserId,
  stampPresence,
  type EntryVerdict,
  type PresenceEntry,
  type PresenceRead,
} from './presence-state.ts'
import { PresenceClaims, type ClaimList } from './presence-claims.ts'
import { Throttle } from './throttle.ts'
import { errorMessage } from '../../shared/error-message.ts'

/** The origin of presence relayed by another instance, which checked and stamped it. */
const REMOTE = Symbol('another instance')
/** A client id whose presence another instance relays: the account its stamp names. */
type RemoteOwner = { readonly stampedUserId: string | null }
type Owner = Connection | RemoteOwner

/** The room's changes go out at most this often (the first at once), one frame for all of them. */
const BROADCAST_INTERVAL_MS = 50

/**
 * Who holds each client id: the ids held now or removed moments ago, each
 * with when (performance.now()), and every id's account.
 */
export type ClientIdHolders = { readonly removed: ReadonlyMap<number, number>; readonly claims: ClaimList }
/** A presence change as applied and relayed: its state stamped, as JSON. */
type WireEntry = { clientId: number; clock: number; json: string }
type Outgoing = WireEntry & { publish: boolean }
/** A connection's changes waiting their turn; how many were refused; the ids it was told are another's (presenceIdTakenMessage). */
type Inbound = { entries: Map<number, WireEntry>; throttle: Throttle; refused: number; told: Set<number> }

export type RoomPresenceOptions = {
  boardId: string
  logger: Logger
  limits: Pick<RelayLimits, 'presenceBytes' | 'presenceDepth' | 'presenceUpdatesPerSecond' | 'presenceClientsPerConnection' | 'presenceRememberRemovedMs'>
  broadcast: (frame: Uint8Array) => void
  /** Sends one connection a frame of its own: that a client id it announced under is another's. */
  tell: (connection: Connection, frame: Uint8Array) => void
  /** Sends this instance's presence changes to the other instances. */
  publish?: (update: Uint8Array) => void
  /** Who held the client ids in the board's room before this one (reset): each stays theirs while their pages reconnect. */
  previousHolders?: ClientIdHolders
  /** The account whose document updates used the client id, if the room knows. */
  writerOf: (clientId: number) => string | null
}

export class RoomPresence {
  readonly awareness: Awareness
  private readonly owners = new Map<number, Owner>()
  private readonly owned = new Map<Connection, Set<number>>()
  private readonly inbound = new Map<Connection, Inbound>()
  private outgoing = new Map<number, Outgoing>()
  private readonly broadcastThrottle: Throttle
  /** Client ids removed for good, with when: their clocks are forgotten once presenceRememberRemovedMs has passed. */
  private readonly removed = new Map<number, number>()
  private readonly claims: PresenceClaims
  private readonly sweeper: NodeJS.Timeout
  /** Everyone's presence as sent to joiners and queries, and to whom, until presence next changes. */
  private everyone: { frame: Uint8Array; sentTo: WeakSet<Connection> } | null = null

  constructor(
    doc: Y.Doc,
    private readonly options: RoomPresenceOptions,
  ) {
    this.awareness = new Awareness(doc)
    // The server is not a participant: its own entry exists only to say that saving is failing.
    this.awareness.setLocalState(null)
    this.awareness.on('update', this.onUpdate)
    this.broadcastThrottle = new Throttle(BROADCAST_INTERVAL_MS, () => this.sendOutgoing(), this.logFailure)
    for (const [clientId, at] of options.previousHolders?.removed ?? []) this.removed.set(clientId, at)
    this.claims = new PresenceClaims(options.previousHolders?.claims)
    this.sweeper = setInterval(() => this.sweepRemoved(), options.limits.presenceRememberRemovedMs / 2)
    this.sweeper.unref()
  }

  /**
   * Everyone's presence as one frame, for a joiner or a query; null for a
   * connection it was sent to since presence last changed, which the
   * broadcasts have told every change since: a query from it has nothing to
   * learn. Encoded once a change, however many ask.
   */
  everyoneFrameFor(connection: Connection): Uint8Array | null {
    this.everyone ??= { frame: awarenessMessage(encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()])), sentTo: new WeakSet() }
    if (this.everyone.sentTo.has(connection)) return null
    this.everyone.sentTo.add(connection)
    return this.everyone.frame
  }

  /**
   * Takes a connection's awareness update: throws (PresenceRefused, or a
   * decoding error) when the connection must be closed for it; drops, with a
   * log line, what touches presence the connection does not own, its state
   * unread. Returns what it read and skipped: the bytes of what it sent back
   * of the room's presence, changing nothing, among them.
   */
  receive(connection: Connection, update: Uint8Array): PresenceRead {
    const read = readPresenceUpdate(update, this.options.limits, (clientId, clock, removal) => this.admission(connection, clientId, clock, removal))
    let queue: Inbound | undefined
    for (const entry of read.entries) {
      const admitted = this.stamped(connection, entry)
      queue ??= this.inboundOf(connection)
      const waiting = queue.entries.get(entry.clientId)
      if (!waiting || waiting.clock <= admitted.clock) queue.entries.set(entry.clientId, admitted)
    }
    queue?.throttle.request()
    return read
  }

  /**
   * Applies presence another instance relayed (already checked and stamped
   * there), entry by entry: one this instance cannot take is dropped alone,
   * and each state is held to what this instance's stamp keeps (`relayedPresence`).
   */
  applyRemote(update: Uint8Array): void {
    const { entries, refused } = readRelayedPresence(update, this.options.limits)
    if (refused.length > 0) {
      this.options.logger.warn({ boardId: this.options.boardId, refused: refused.length, err: refused[0] }, 'presence relayed by another instance refused; the rest applied')
    }
    const accepted: PresenceEntry[] = []
    for (const entry of entries) {
      if (entry.clientId === this.awareness.clientID) continue
      const owner = this.owners.get(entry.clientId)
      const userId = stampedUserId(entry.state)
      if (owner instanceof Connection) {
        // Only the same person, reconnected to another instance before this one saw the old socket go.
        if (!this.wouldChange(entry) || userId === null || userId !== owner.identity.userId) continue
        this.owned.get(owner)?.delete(entry.clientId)
      } else if (entry.state !== null && !this.mayHold(entry.clientId, userId)) {
        // Another instance that never heard of the id's person (it loaded the board later) gave it to someone else.
        continue
      }
      if (entry.state !== null) this.own(entry.clientId, { stampedUserId: userId })
      accepted.push({ ...entry, state: entry.state && relayedPresence(entry.state) })
    }
    if (accepted.length === 0) return
    applyAwarenessUpdate(this.awareness, encodePresenceUpdate(accepted.map(toWire)), REMOTE)
    for (const entry of accepted) {
      if (entry.state === null && !(this.owners.get(entry.clientId) instanceof Connection)) this.forget(entry.clientId)
    }
  }

  /** The connection has gone: its waiting changes are dropped and what it owned is removed for everyone. */
  release(connection: Connection): void {
    const queue = this.inbound.get(connection)
    this.inbound.delete(connection)
    queue?.throttle.cancel()
    if (queue && queue.refused > 1) {
      this.options.logger.warn({ boardId: this.options.boardId, connection: connection.id, refused: queue.refused }, 'presence changes refused from this connection')
    }
    const mine = this.owned.get(connection)
    this.owned.delete(connection)
    if (!mine || mine.size === 0) return
    removeAwarenessStates(this.awareness, [...mine].filter((clientId) => this.awareness.states.has(clientId)), connection)
    for (const clientId of mine) this.forget(clientId)
  }

  /** Who holds each client id now, or held it moments ago, and whose each is: for the board's next room after a reset or an idle unload. */
  holders(): ClientIdHolders {
    const now = performance.now()
    const removed = new Map(this.removed)
    for (const clientId of this.owners.keys()) removed.set(clientId, now)
    return { removed, claims: this.claims.list() }
  }

  /** The server's own entry: tells the clients that saving is failing (null clears it). */
  setServerState(state: ServerPresence | null): void {
    this.awareness.setLocalState(state)
  }

  /** Sends what is still waiting (the removals of the last connections, too) before letting go. */
  destroy(): void {
    if (this.awareness.getLocalState() !== null) this.awareness.setLocalState(null)
    clearInterval(this.sweeper)
    this.broadcastThrottle.cancel()
    try {
      this.sendOutgoing()
    } catch (error) {
      this.logFailure(error)
    }
    for (const queue of this.inbound.values()) queue.throttle.cancel()
    this.inbound.clear()
    this.awareness.off('update', this.onUpdate)
    this.awareness.destroy()
  }

  /**
   * Whether `connection` may apply an entry, known by its client id, its
   * clock and whether it is a removal, before its state is read: the room's
   * own presence sent back (`echo`: one this connection does not own, which
   * someone else holds, held moments ago, or is the server's own, at a clock
   * that changes nothing), one dropped (`drop`), or one to read and take
   * (`read`), its id claimed for the connection when it was nobody's.
   */
  private admission(connection: Connection, clientId: number, clock: number, removal: boolean): EntryVerdict {
    const owner = this.owners.get(clientId)
    if (owner === connection) return 'read'
    const known = owner !== undefined || clientId === this.awareness.clientID || this.removed.has(clientId)
    // The stock client sends back every change it receives: that changes nothing and is ignored.
    if (known && !this.changesClock(clientId, clock, removal)) return 'echo'
    if (owner !== undefined || clientId === this.awareness.clientID) {
      if (owner === undefined || !this.samePerson(owner, connection)) {
        this.refuseTaken(connection, clientId, 'the client id belongs to another connection')
        return 'drop'
      }
    } else if (removal) {
      // Nothing to remove.
      return 'drop'
    } else if (!this.mayHold(clientId, connection.identity.userId)) {
      // Its page reconnects with it, however long it was away: taken meanwhile, it would show someone else under that page's id, and the page nowhere.
      this.refuseTaken(connection, clientId, 'the client id is another person’s in this room')
      return 'drop'
    }
    return this.claim(connection, clientId) ? 'read' : 'drop'
  }

  /** An entry admitted, as it is applied: its state stamped; throws PresenceRefused when that is longer than a relayed one may be. */
  private stamped(connection: Connection, entry: PresenceEntry): WireEntry {
    const { clientId, clock, state } = entry
    if (state === null) return { clientId, clock, json: 'null' }
    const stamped = stampPresence(state, { userId: connection.identity.userId, name: connection.identity.name, readOnly: !connection.canWrite })
    return { clientId, clock, json: relayedPresenceJson(stamped, this.options.limits) }
  }

  private claim(connection: Connection, clientId: number): boolean {
    const mine = this.ownedBy(connection)
    if (mine.size >= this.options.limits.presenceClientsPerConnection) {
      this.refuse(connection, clientId, `a connection may introduce at most ${this.options.limits.presenceClientsPerConnection} client ids`)
      return false
    }
    const previous = this.owners.get(clientId)
    if (previous instanceof Connection) this.owned.get(previous)?.delete(clientId)
    this.own(clientId, connection)
    this.removed.delete(clientId)
    mine.add(clientId)
    return true
  }

  /** Gives the client id to `owner`, and for good to its account. */
  private own(clientId: number, owner: Owner): void {
    this.owners.set(clientId, owner)
    const userId = personOf(owner)
    if (userId !== null) this.claims.claim(clientId, userId)
  }

  private samePerson(owner: Owner, connection: Connection): boolean {
    const userId = connection.identity.userId
    return userId !== null && personOf(owner) === userId
  }

  /**
   * Whether `userId` may hold a client id no connection here holds: the
   * person another instance's stamp names, or whose document updates used it
   * (known across unloads and restarts: client-writers.ts), or who held it
   * before in this room; anyone when nobody did, or when nothing tells people
   * apart (open access).
   */
  private mayHold(clientId: number, userId: string | null): boolean {
    const holder = this.owners.has(clientId) ? this.holderOf(clientId) : (this.options.writerOf(clientId) ?? this.holderOf(clientId))
    return holder === null || holder === userId
  }

  /** The account whose page holds the client id's presence, or held it in this room or the board's previous one, if any. */
  holderOf(clientId: number): string | null {
    const owner = this.owners.get(clientId)
    return owner === undefined ? (this.claims.holderOf(clientId) ?? null) : personOf(owner)
  }

  /** Whether y-protocols would apply the entry: a newer clock, or a removal of a state at the same clock. */
  private wouldChange({ clientId, clock, state }: PresenceEntry): boolean {
    return this.changesClock(clientId, clock, state === null)
  }

  private changesClock(clientId: number, clock: number, removal: boolean): boolean {
    const current = this.awareness.meta.get(clientId)?.clock ?? 0
    return current < clock || (current === clock && removal && this.awareness.states.has(clientId))
  }

  /** No connection holds the client id any more; its clock is kept a while (presenceRememberRemovedMs), then dropped; its account's claim stays. */
  private forget(clientId: number): void {
    const owner = this.owners.get(clientId)
    if (owner instanceof Connection) this.owned.get(owner)?.delete(clientId)
    this.owners.delete(clientId)
    this.removed.set(clientId, performance.now())
  }

  private sweepRemoved(): void {
    const before = performance.now() - this.options.limits.presenceRememberRemovedMs
    for (const [clientId, at] of this.removed) {
      if (at > before) continue
      this.removed.delete(clientId)
      if (!this.owners.has(clientId) && !this.awareness.states.has(clientId)) this.awareness.meta.delete(clientId)
    }
  }

  private refuse(connection: Connection, clientId: number, why: string): void {
    const queue = this.inboundOf(connection)
    if (queue.refused++ > 0) return
    this.options.logger.warn(
      { boardId: this.options.boardId, connection: connection.id, user: connection.identity.userId, clientId },
      `presence change refused: ${why}`,
    )
  }

  /**
   * Refuses a client id someone else holds or claimed, and tells the
   * connection so, once for each id and for at most as many ids as it may
   * hold: a page left unaware would stay connected and be seen by nobody.
   */
  private refuseTaken(connection: Connection, clientId: number, why: string): void {
    this.refuse(connection, clientId, why)
    const { told } = this.inboundOf(connection)
    if (told.has(clientId) || told.size >= this.options.limits.presenceClientsPerConnection) return
    told.add(clientId)
    this.options.tell(connection, permissionDeniedMessage(presenceIdTakenMessage(clientId)))
  }

  private ownedBy(connection: Connection): Set<number> {
    let mine = this.owned.get(connection)
    if (!mine) this.owned.set(connection, (mine = new Set()))
    return mine
  }

  private inboundOf(connection: Connection): Inbound {
    let queue = this.inbound.get(connection)
    if (!queue) {
      const throttle = new Throttle(1000 / this.options.limits.presenceUpdatesPerSecond, () => this.applyFrom(connection), this.logFailure)
      this.inbound.set(connection, (queue = { entries: new Map(), throttle, refused: 0, told: new Set() }))
    }
    return queue
  }

  /**
   * Applies what a connection sent since the last time, as one update, when
   * its person's presence bytes a second hold it; otherwise it waits for the
   * next turn, still taking the latest change of each client id.
   */
  private applyFrom(connection: Connection): void {
    const queue = this.inbound.get(connection)
    if (!queue || queue.entries.size === 0) return
    const entries = [...queue.entries.values()].filter((entry) => this.owners.get(entry.clientId) === connection)
    if (!connection.admitPresence(entries.reduce((bytes, entry) => bytes + Buffer.byteLength(entry.json), 0))) {
      queue.throttle.request()
      return
    }
    queue.entries.clear()
    if (entries.length > 0) applyAwarenessUpdate(this.awareness, encodePresenceUpdate(entries), connection)
  }

  private readonly onUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    this.everyone = null
    try {
      // Other instances hear of their own changes from their own relay, and time out stale states themselves.
      const publish = origin !== REMOTE && origin !== 'timeout'
      for (const clientId of [...added, ...updated, ...removed]) {
        const meta = this.awareness.meta.get(clientId)
        if (!meta) continue
        const previous = this.outgoing.get(clientId)
        const json = JSON.stringify(this.awareness.states.get(clientId) ?? null)
        this.outgoing.set(clientId, { clientId, clock: meta.clock, json, publish: publish || (previous?.publish ?? false) })
      }
      if (origin === 'timeout') for (const clientId of removed) if (isRemote(this.owners.get(clientId))) this.forget(clientId)
      this.broadcastThrottle.request()
    } catch (error) {
      this.logFailure(error)
    }
  }

  private sendOutgoing(): void {
    const entries = [...this.outgoing.values()]
    this.outgoing = new Map()
    if (entries.length === 0) return
    this.options.broadcast(awarenessMessage(encodePresenceUpdate(entries)))
    const local = entries.filter((entry) => entry.publish)
    if (local.length > 0) this.options.publish?.(encodePresenceUpdate(local))
  }

  private readonly logFailure = (error: unknown): void => {
    this.options.logger.error({ boardId: this.options.boardId, err: errorMessage(error) }, 'presence relay failed')
  }
}

function toWire(entry: PresenceEntry): WireEntry {
  return { clientId: entry.clientId, clock: entry.clock, json: JSON.stringify(entry.state) }
}

/** The account behind an owner: the connection's, or the one another instance stamped. */
function personOf(owner: Owner): string | null {
  return owner instanceof Connection ? owner.identity.userId : owner.stampedUserId
}

function isRemote(owner: Owner | undefined): owner is RemoteOwner {
  return owner !== undefined && !(owner instanceof Connection)
}
