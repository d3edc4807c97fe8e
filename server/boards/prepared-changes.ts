/**
 * Changes worked out in a worker thread on the board as stored (an import, a
 * restore) and then applied as one update take their turn, one board at a
 * time (board-turns.ts; across instances on PostgreSQL): each is worked out on
 * what the one before it stored, never on the same state as another one,
 * whose update it would then be merged with (the same import sent to two
 * instances would be applied twice). The server's services own one, so two
 * servers in one process keep their turns apart, as two processes would.
 */
import * as Y from 'yjs'
import { LoadingTooMuch } from '../relay/cold-loads.ts'
import type { IncomingRates } from '../relay/incoming-rates.ts'
import type { Room } from '../relay/room.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import type { Storage, StoredBoardState, TurnHolder } from '../storage/storage.ts'
import type { BoardTurns } from './board-turns.ts'

type BoardParts = { storage: Pick<Storage, 'log'>; rooms: RoomRegistry }

/** A board's stored log: its checkpoint and the rows after it. */
export type LoadedLog = Pick<StoredBoardState, 'checkpoint' | 'updates' | 'completeThrough'>

export class PreparedChanges {
  constructor(private readonly turns: BoardTurns) {}

  /**
   * Runs `change` once it holds the board's turn, with the board's room and
   * its log as stored, read once all the room has applied (its layout
   * migration on load, too) is stored, and the session holding the turn:
   * `change` makes its changes with it (`Room.change`'s `turn`), so that they
   * are committed only while the turn is still held. Null when there is no such board.
   * `payer` (the person asking) pays for the board's load, if nobody holds it
   * here, and for the log's read (see storedLog).
   */
  onStoredBoard<T>(
    parts: BoardParts,
    boardId: string,
    change: (room: Room, log: LoadedLog, turn: TurnHolder | null) => Promise<T>,
    payer?: IncomingRates,
  ): Promise<T | null> {
    return this.turns.take(boardId, (turn) => parts.rooms.withRoom(boardId, async (room) => change(room, await storedLog(parts, room, payer), turn), payer))
  }

  close(): Promise<void> {
    return this.turns.close()
  }
}

/**
 * The room's board as stored, once what the room applied is. A `payer`'s
 * read counts its bytes against what they may load a minute
 * (LOADED_BYTES_PER_MINUTE_PER_PERSON), as a snapshot sent to them does: the
 * whole log is read for them (on PostgreSQL on a connection of the pool, on
 * SQLite on the relay's thread), whether the room is loaded or not. Refused
 * (LoadingTooMuch) before anything is read once that is spent; counted once
 * read, so one read may go past what was left.
 */
export async function storedLog(parts: Pick<BoardParts, 'storage'>, room: Room, payer?: IncomingRates): Promise<LoadedLog> {
  await room.whenStored()
  return paidLog(parts.storage, room.boardId, payer)
}

/**
 * The board as stored, for a preview: once what its room applied is stored
 * when it is loaded here; when nobody holds it here, read from the log without
 * loading the room, which would apply the whole board on the relay's thread
 * (seconds for a board of 15 MB) for a preview that changes nothing. Paid for
 * as storedLog's. Null when there is no such board.
 */
export async function previewedLog(parts: { storage: Pick<Storage, 'log' | 'boards'>; rooms: RoomRegistry }, boardId: string, payer?: IncomingRates): Promise<LoadedLog | null> {
  const room = parts.rooms.loadedRooms.get(boardId)
  if (room) return room.isDeleted ? null : storedLog(parts, room, payer)
  if (!(await parts.storage.boards.get(boardId))) return null
  return paidLog(parts.storage, boardId, payer)
}

async function paidLog(storage: Pick<Storage, 'log'>, boardId: string, payer: IncomingRates | undefined): Promise<LoadedLog> {
  if (payer && !payer.mayLoad()) throw new LoadingTooMuch(`board ${boardId} read as stored for a person who has loaded as much as they may this minute`)
  const { checkpoint, updates, completeThrough } = await storage.log.load(boardId)
  payer?.didLoad(logBytes(checkpoint, updates))
  return { checkpoint, updates, completeThrough }
}

/** The bytes of a board's stored log, as a read of it is paid for. */
export function logBytes(checkpoint: Uint8Array | null, updates: readonly Uint8Array[]): number {
  return updates.reduce((bytes, update) => bytes + update.byteLength, checkpoint?.byteLength ?? 0)
}

/**
 * Brings the room up to the log when the log holds content the room lacks:
 * other instances' updates reach it over Redis, and may not have yet. A
 * change worked out on the log is then applied onto what it was worked out
 * on. `logSnapshot` is the log's Yjs snapshot (state vector and deletions),
 * from the worker that rebuilt it, so the relay's thread decodes the log only
 * when it must. Deletions are compared too: they leave a state vector as it
 * was, so a room that had missed only another instance's deletion of a card
 * took an import, or a restore, onto a board still holding the card (the
 * restore then answered that nothing changed, and the card stayed deleted).
 */
export function catchUp(room: Room, log: LoadedLog, logSnapshot: Y.Snapshot): void {
  if (lacksContent(room.doc, logSnapshot.sv) || lacksDeletions(room.doc, logSnapshot.ds)) room.applyStored(log)
}

function lacksContent(doc: Y.Doc, logClocks: Map<number, number>): boolean {
  for (const [client, clock] of logClocks) if (Y.getState(doc.store, client) < clock) return true
  return false
}

/** Whether an item the log's deletions name still stands in the doc, which holds every item they name (lacksContent). */
function lacksDeletions(doc: Y.Doc, deletions: Y.Snapshot['ds']): boolean {
  for (const [client, ranges] of deletions.clients) {
    const structs = doc.store.clients.get(client)
    if (!structs) continue
    for (const { clock, len } of ranges) {
      for (let index = Y.findIndexSS(structs, clock); index < structs.length && structs[index]!.id.clock < clock + len; index++) {
        if (!structs[index]!.deleted) return true
      }
    }
  }
  return false
}
