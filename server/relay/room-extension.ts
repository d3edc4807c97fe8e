/**
 * What plugs into the relay from outside it: fan-out to other instances,
 * compaction, automatic snapshots, metrics. Each is an extension with hooks
 * (as Hocuspocus has), given to the registry as a list when the server is put
 * together; the registry calls the hooks in the order of that list. A hook
 * that throws or rejects is logged and contained: the others still run, and
 * so does the room.
 */
import type { CloseEvent } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import type { BoardRecord, StoredBoardState } from '../storage/storage.ts'
import type { Connection } from './connection.ts'
import type { ControlMessage } from './control-message.ts'
import type { Commit } from './commit-log.ts'
import type { Room, RoomEvents } from './room.ts'
import { errorMessage } from '../../shared/error-message.ts'

/** What an extension may ask of the registry that runs it. */
export interface RelayControl {
  /**
   * Acts on a control message from another instance, however it came (Redis
   * or PostgreSQL): closes the connections it names here, those still joining
   * as they open; a board it says deleted commits nothing more here. A copy of
   * one already seen is left alone.
   */
  applyControlMessage(message: ControlMessage): void
  /**
   * This instance may have missed control messages: decides again, from the
   * database and in the background, what each open connection may do, and
   * closes those whose rights changed (rights-recheck.ts). `joinsToo`: it was
   * cut off for a while (Redis or PostgreSQL back), so the websocket upgrades
   * in flight, which read their rights before, read them again before they
   * open (closed as they open only if they no longer stand); not at its first
   * subscription or listen, which follows no gap.
   */
  recheckRightsHere(joinsToo: boolean): void
}

export interface RoomExtension {
  /** Names the extension in log lines. */
  readonly name: string
  /** The registry that runs the extension was made; `relay` is what the extension may ask of it. */
  onAttached?(relay: RelayControl): void
  /** A room has loaded `board` from `stored`; it is served once every extension's onLoaded has settled. */
  onLoaded?(room: Room, stored: StoredBoardState, board: BoardRecord): void | Promise<void>
  /** The load repair (load-repair.ts) looked at `examined` entries, settings, acknowledgements and bottom lines of the board as it loaded it: none once it was found within today's bounds and nothing was written since. */
  onCheckedAtLoad?(room: Room, examined: number): void
  /** The server repaired what the board held as it loaded it (load-repair.ts), after onLoaded: a change on its way to the update log. */
  onRepairedAtLoad?(room: Room): void
  /** A batch of changes was committed to the update log, and broadcast. */
  onCommitted?(room: Room, commit: Commit): void
  /** Presence changed on this instance (what its connections sent, or the server's own entry), as an awareness update. */
  onPresence?(room: Room, update: Uint8Array): void
  /** A connection's awareness update was read: the bytes of the states read, and of those skipped unread (once per frame: keep it cheap). */
  onPresenceRead?(readBytes: number, skippedBytes: number): void
  /** Changes held for content the board lacks were merged, reading this many bytes (server/relay/held-updates.ts). */
  onHeldMerged?(bytes: number): void
  /** Nobody holds the room any more and everything is saved; it stays loaded a while (ROOM_IDLE_MS) for whoever comes back. */
  onIdle?(room: Room): void
  /** The room is being unloaded: nobody holds it and everything is saved, or the server is stopping. Its document can still be read. */
  onUnloaded?(room: Room): void
  /** A writer's update arrived (before it is applied and committed). */
  onUpdateReceived?(room: Room, bytes: number): void
  /** A commit failed with `error`; the room keeps the changes and retries. */
  onCommitFailed?(room: Room, error: unknown): void
  /** The server closed a connection, with why. */
  onConnectionClosed?(room: Room, connection: Connection, event: CloseEvent): void
  /** Applying a change left the room's document in an unknown state: it serves no one any more, and unloads once it has saved what it held. */
  onReset?(room: Room): void
  /** A frame of this many bytes was sent to one connection (once per frame and connection: keep it cheap). */
  onRelayed?(bytes: number): void
  /**
   * The connections `message` names are being closed here, because a right was
   * taken away (other instances may hold some too). `toldInCommit`: PostgreSQL
   * sent it with the change's commit already (`tells`, server/storage/pg-audited.ts).
   */
  onClosingConnections?(message: ControlMessage, toldInCommit: boolean): void
  /** The registry is stopping, every room unloaded: finish or drop work in progress and let go of what is held. */
  close?(): Promise<void>
}

type Hook = Exclude<keyof RoomExtension, 'name'>

/** The extensions of one registry, called in order; the room sees them as its events. */
export class RoomExtensions implements RoomEvents {
  /** The extensions that have each hook (`having`). */
  private readonly withHook = new Map<Hook, readonly RoomExtension[]>()
  /** The hot path's hook, ready to call without a lookup per frame. */
  readonly relayed: (bytes: number) => void

  constructor(
    private readonly extensions: readonly RoomExtension[],
    private readonly logger: Logger,
  ) {
    const relaying = extensions.filter((extension) => extension.onRelayed)
    this.relayed = relaying.length === 0 ? () => {} : (bytes) => this.each('onRelayed', (extension) => extension.onRelayed!(bytes))
  }

  attached(relay: RelayControl): void {
    this.each('onAttached', (extension) => extension.onAttached!(relay))
  }

  /** Awaits every extension's onLoaded; a failure is logged, and the board is served all the same. */
  async loaded(room: Room, stored: StoredBoardState, board: BoardRecord): Promise<void> {
    for (const extension of this.extensions) {
      if (!extension.onLoaded) continue
      try {
        await extension.onLoaded(room, stored, board)
      } catch (error) {
        this.failed(extension, 'onLoaded', error, room)
      }
    }
  }

  checkedAtLoad(room: Room, examined: number): void {
    this.each('onCheckedAtLoad', (extension) => extension.onCheckedAtLoad!(room, examined), room)
  }

  repairedAtLoad(room: Room): void {
    this.each('onRepairedAtLoad', (extension) => extension.onRepairedAtLoad!(room), room)
  }

  committed(room: Room, commit: Commit): void {
    this.each('onCommitted', (extension) => extension.onCommitted!(room, commit), room)
  }

  presenceChanged(room: Room, update: Uint8Array): void {
    this.each('onPresence', (extension) => extension.onPresence!(room, update), room)
  }

  presenceRead(readBytes: number, skippedBytes: number): void {
    this.each('onPresenceRead', (extension) => extension.onPresenceRead!(readBytes, skippedBytes))
  }

  heldMerged(bytes: number): void {
    this.each('onHeldMerged', (extension) => extension.onHeldMerged!(bytes))
  }

  idle(room: Room): void {
    this.each('onIdle', (extension) => extension.onIdle!(room), room)
  }

  unloaded(room: Room): void {
    this.each('onUnloaded', (extension) => extension.onUnloaded!(room), room)
  }

  updateReceived(room: Room, bytes: number): void {
    this.each('onUpdateReceived', (extension) => extension.onUpdateReceived!(room, bytes), room)
  }

  commitFailed(room: Room, error: unknown): void {
    this.each('onCommitFailed', (extension) => extension.onCommitFailed!(room, error), room)
  }

  connectionClosed(room: Room, connection: Connection, event: CloseEvent): void {
    this.each('onConnectionClosed', (extension) => extension.onConnectionClosed!(room, connection, event), room)
  }

  reset(room: Room): void {
    this.each('onReset', (extension) => extension.onReset!(room), room)
  }

  closingConnections(message: ControlMessage, toldInCommit: boolean): void {
    this.each('onClosingConnections', (extension) => extension.onClosingConnections!(message, toldInCommit))
  }

  /** Closes every extension, in order; a failure is logged and the next one is closed all the same. */
  async close(): Promise<void> {
    for (const extension of this.extensions) {
      try {
        await extension.close?.()
      } catch (error) {
        this.failed(extension, 'close', error)
      }
    }
  }

  private each(hook: Hook, call: (extension: RoomExtension) => void, room?: Room): void {
    for (const extension of this.having(hook)) {
      try {
        call(extension)
      } catch (error) {
        this.failed(extension, hook, error, room)
      }
    }
  }

  /**
   * The extensions that have `hook`, listed at its first call and kept (an
   * extension's hooks are set as it is made): every keystroke calls two
   * hooks, which looked themselves up on each extension by name at every call.
   */
  private having(hook: Hook): readonly RoomExtension[] {
    let having = this.withHook.get(hook)
    if (having === undefined) this.withHook.set(hook, (having = this.extensions.filter((extension) => extension[hook] !== undefined)))
    return having
  }

  private failed(extension: RoomExtension, hook: Hook, error: unknown, room?: Room): void {
    this.logger.error({ extension: extension.name, hook, boardId: room?.boardId, err: errorMessage(error) }, 'a relay extension failed')
  }
}
