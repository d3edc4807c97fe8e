/**
 * A room: one board's live Y.Doc and awareness, and the connections editing it.
 *
 * Durable before visible: an update is applied to the doc as it arrives, but it
 * is broadcast (and echoed to its sender, whose client reads the echo as
 * "saved") only after the batch holding it has been committed to the update
 * log. Whatever arrived during one event-loop turn is committed in one
 * transaction and sent as one merged frame.
 *
 * While a commit is in flight nothing new is applied: updates from sockets wait
 * in `deferred` and server-side changes wait in `change()`. So the moment a
 * commit completes, the doc holds exactly what is stored, and that is when
 * joiners' sync replies and `read()`s are answered: nobody sees state that is
 * not stored, and under steady editing nobody waits for a quiet moment.
 */
import * as decoding from 'lib0/decoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { CLOSE, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import type { UpdateLogStore } from '../storage/storage.ts'
import { Connection, type ConnectionIdentity, type RelaySocket, type Role } from './connection.ts'
import { awarenessMessage, permissionDeniedMessage, syncStep1Message, syncStep2Message, updateMessage } from './messages.ts'
import { validateUpdate } from './validate-update.ts'

/** Where a change to the doc came from decides whether it is stored and relayed. */
export type ChangeOrigin =
  | Connection
  | { source: 'load' }
  | { source: 'server'; by: string }
  | { source: 'remote' }

export const LOAD_ORIGIN: ChangeOrigin = { source: 'load' }

type PendingUpdate = { update: Uint8Array; origin: string }

/** Retry a failed commit after this long; the updates stay in memory meanwhile. */
const COMMIT_RETRY_MS = 1000

export type RoomOptions = {
  boardId: string
  log: UpdateLogStore
  logger: Logger
  /** Log rows already stored after the last checkpoint, to know when to compact. */
  logRows: number
  /** Compaction threshold in log rows. */
  compactAfterRows: number
  onCompactionDue: (room: Room) => void
  onIdle: (room: Room) => void
  /** Called with each committed update, to publish it to other instances. */
  onCommitted?: (room: Room, update: Uint8Array) => void
  /** Called with each presence change made on this instance, to publish it to other instances. */
  onLocalAwareness?: (room: Room, update: Uint8Array) => void
}

export class Room {
  readonly boardId: string
  readonly doc = new Y.Doc()
  readonly awareness: awarenessProtocol.Awareness
  readonly connections = new Set<Connection>()
  /** Holders other than sockets (HTTP requests, imports) that keep the room loaded. */
  private holds = 0
  private pending: PendingUpdate[] = []
  private flushScheduled = false
  private flushing = false
  /** Updates from sockets that arrived while a commit was in flight, applied once it completes. */
  private deferred: { connection: Connection; update: Uint8Array }[] = []
  /** Work that must see the doc exactly as stored: answered when nothing is uncommitted. */
  private heldReplies: (() => void)[] = []
  /** Counts of changes applied to the doc and committed, so `whenSaved()` waits only for what came before it. */
  private appliedCount = 0
  private committedCount = 0
  private savedWaiters: (Waiter<void> & { target: number })[] = []
  private idleWaiters: Waiter<void>[] = []
  private logRows: number
  private retryTimer: NodeJS.Timeout | undefined
  private destroyed = false

  constructor(private readonly options: RoomOptions) {
    this.boardId = options.boardId
    this.logRows = options.logRows
    this.awareness = new awarenessProtocol.Awareness(this.doc)
    // The server is not a participant: it announces no presence of its own.
    this.awareness.setLocalState(null)
    this.doc.on('update', this.onDocUpdate)
    this.awareness.on('update', this.onAwarenessUpdate)
  }

  get isSaved(): boolean {
    return this.pending.length === 0 && !this.flushing
  }

  get isIdle(): boolean {
    return this.connections.size === 0 && this.holds === 0 && this.isSaved
  }

  /** Joins a socket to the room and starts the sync: our step 1, and everyone's presence. */
  connect(socket: RelaySocket, role: Role, identity: ConnectionIdentity): Connection {
    const connection = new Connection(socket, role, identity)
    this.connections.add(connection)
    connection.send(syncStep1Message(this.doc))
    const present = [...this.awareness.getStates().keys()]
    if (present.length > 0) connection.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, present)))
    return connection
  }

  /** Handles one frame from a connection; a frame that cannot be read closes that connection only. */
  receive(connection: Connection, frame: Uint8Array): void {
    if (connection.closed) return
    try {
      const decoder = decoding.createDecoder(frame)
      const type = decoding.readVarUint(decoder)
      if (type === MESSAGE_SYNC) this.receiveSync(connection, decoder)
      else if (type === MESSAGE_AWARENESS) {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), connection)
      } else if (type === MESSAGE_QUERY_AWARENESS) {
        const present = [...this.awareness.getStates().keys()]
        connection.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, present)))
      } else throw new Error(`unknown message type ${type}`)
    } catch (error) {
      this.refuse(connection, CLOSE.malformedMessage, error)
    }
  }

  private receiveSync(connection: Connection, decoder: decoding.Decoder): void {
    const syncType = decoding.readVarUint(decoder)
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder)
      this.whenCommitted(() => connection.send(syncStep2Message(this.doc, stateVector)))
      return
    }
    if (syncType !== syncProtocol.messageYjsSyncStep2 && syncType !== syncProtocol.messageYjsUpdate) {
      throw new Error(`unknown sync message type ${syncType}`)
    }
    const update = decoding.readVarUint8Array(decoder)
    if (!connection.canWrite) {
      // Every client answers our step 1 with its step 2, usually empty: only a real change is denied.
      if (!connection.deniedOnce && !isEmptyUpdate(update)) {
        connection.deniedOnce = true
        connection.send(permissionDeniedMessage('This board is read-only for reviewers; your changes are not saved.'))
      }
      return
    }
    const refusal = validateUpdate(update)
    if (refusal) return this.refuse(connection, refusal.event, refusal.reason)
    if (this.flushing) this.deferred.push({ connection, update })
    else this.applyFrom(connection, update)
  }

  private applyFrom(connection: Connection, update: Uint8Array): void {
    try {
      Y.applyUpdate(this.doc, update, connection)
    } catch (error) {
      this.refuse(connection, CLOSE.updateRejected, error)
    }
  }

  private refuse(connection: Connection, event: { code: number; reason: string }, cause: unknown): void {
    this.options.logger.warn(
      { boardId: this.boardId, connection: connection.id, user: connection.identity.userId, code: event.code, err: describe(cause) },
      `closing connection: ${event.reason}`,
    )
    connection.close(event)
    this.disconnect(connection)
  }

  /** Removes a connection whose socket has closed, and its presence for everyone else. */
  disconnect(connection: Connection): void {
    if (!this.connections.delete(connection)) return
    connection.closed = true
    if (connection.awarenessClients.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...connection.awarenessClients], null)
    }
    this.checkIdle()
  }

  /** Closes the connections `select` picks, e.g. when a person's rights change. */
  closeConnections(select: (connection: Connection) => boolean, event: { code: number; reason: string }): number {
    let closed = 0
    for (const connection of [...this.connections]) {
      if (!select(connection)) continue
      connection.close(event)
      this.disconnect(connection)
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

  /** Resolves once every change applied so far is committed (rejects if the room is destroyed first). */
  whenSaved(): Promise<void> {
    const target = this.appliedCount
    if (this.committedCount >= target) return Promise.resolve()
    return new Promise((resolve, reject) => this.savedWaiters.push({ target, resolve, reject }))
  }

  /**
   * Makes a server-side change (HTTP edit, import, restore) and resolves with
   * `change`'s result once it is committed. The change runs between commits,
   * never during one.
   */
  async change<T>(change: (doc: Y.Doc) => T): Promise<T> {
    while (this.flushing) await new Promise<void>((resolve, reject) => this.idleWaiters.push({ resolve, reject }))
    if (this.destroyed) throw new Error(`board ${this.boardId} was unloaded`)
    const result = change(this.doc)
    await this.whenSaved()
    return result
  }

  /** Reads the doc as it is stored: at once when nothing is uncommitted, else right after the next commit. */
  read<T>(read: (doc: Y.Doc) => T): Promise<T> {
    return new Promise((resolve, reject) =>
      this.whenCommitted(() => {
        try {
          resolve(read(this.doc))
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)))
        }
      }),
    )
  }

  /** Applies an update that another instance has already stored: relayed here, not stored again. */
  applyRemoteUpdate(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, { source: 'remote' } satisfies ChangeOrigin)
  }

  /** Applies remote presence (from another instance). */
  applyRemoteAwareness(update: Uint8Array): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, { source: 'remote' } satisfies ChangeOrigin)
  }

  noteCompacted(mergedRows: number): void {
    this.logRows = Math.max(0, this.logRows - mergedRows)
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    clearTimeout(this.retryTimer)
    for (const connection of [...this.connections]) connection.close(CLOSE.serverShutdown)
    this.connections.clear()
    const unloaded = new Error(`board ${this.boardId} was unloaded before saving`)
    for (const waiter of [...this.savedWaiters.splice(0), ...this.idleWaiters.splice(0)]) waiter.reject(unloaded)
    this.doc.off('update', this.onDocUpdate)
    this.awareness.off('update', this.onAwarenessUpdate)
    this.awareness.destroy()
    this.doc.destroy()
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (isOrigin(origin, 'load')) return
    if (isOrigin(origin, 'remote')) {
      this.broadcast(updateMessage(update))
      return
    }
    this.pending.push({ update, origin: describeOrigin(origin) })
    this.appliedCount++
    this.scheduleFlush()
  }

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = [...added, ...updated, ...removed]
    if (origin instanceof Connection) {
      for (const id of added) origin.awarenessClients.add(id)
      for (const id of removed) origin.awarenessClients.delete(id)
    }
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)
    this.broadcast(awarenessMessage(update))
    if (!isOrigin(origin, 'remote')) this.options.onLocalAwareness?.(this, update)
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || this.retryTimer !== undefined || this.destroyed) return
    this.flushScheduled = true
    setImmediate(() => void this.flush())
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false
    if (this.destroyed || this.flushing || this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    this.flushing = true
    try {
      await this.options.log.append(this.boardId, batch)
    } catch (error) {
      // Keep the batch in memory, ahead of anything newer, and try again; never drop it.
      this.pending = batch.concat(this.pending)
      this.flushing = false
      this.options.logger.error({ boardId: this.boardId, err: describe(error), updates: batch.length }, 'commit failed; retrying')
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined
        void this.flush()
      }, COMMIT_RETRY_MS)
      this.resumeAfterCommit()
      return
    }
    this.flushing = false
    if (this.destroyed) return
    this.committedCount += batch.length
    const merged = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((entry) => entry.update))
    this.broadcast(updateMessage(merged))
    this.options.onCommitted?.(this, merged)
    this.logRows += batch.length
    if (this.logRows >= this.options.compactAfterRows) this.options.onCompactionDue(this)
    // Nothing was applied during the commit, so the doc is exactly what is stored: answer what waits for that.
    for (const reply of this.heldReplies.splice(0)) reply()
    const stillWaiting = this.savedWaiters.filter((waiter) => waiter.target > this.committedCount)
    for (const waiter of this.savedWaiters) if (waiter.target <= this.committedCount) waiter.resolve()
    this.savedWaiters = stillWaiting
    this.resumeAfterCommit()
  }

  /** Lets in what waited for the commit to end: deferred socket updates, then server-side changes. */
  private resumeAfterCommit(): void {
    for (const { connection, update } of this.deferred.splice(0)) this.applyFrom(connection, update)
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve()
    if (this.pending.length > 0) this.scheduleFlush()
    else this.checkIdle()
  }

  private whenCommitted(reply: () => void): void {
    if (this.isSaved) reply()
    else this.heldReplies.push(reply)
  }

  private broadcast(frame: Uint8Array): void {
    for (const connection of this.connections) {
      if (!connection.send(frame)) this.disconnect(connection)
    }
  }

  private checkIdle(): void {
    if (this.isIdle && !this.destroyed) this.options.onIdle(this)
  }
}

/** An update with no structs and no deletions encodes as two zero bytes. */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0
}

type Waiter<T> = { resolve: (value: T) => void; reject: (error: Error) => void }

function isOrigin(origin: unknown, source: 'load' | 'server' | 'remote'): boolean {
  return typeof origin === 'object' && origin !== null && 'source' in origin && origin.source === source
}

/** The origin column of the update log: who made the change. */
function describeOrigin(origin: unknown): string {
  if (origin instanceof Connection) return `ws:${origin.identity.userId ?? 'anonymous'}`
  if (typeof origin === 'object' && origin !== null && 'by' in origin) return `server:${String(origin.by)}`
  return 'server'
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
