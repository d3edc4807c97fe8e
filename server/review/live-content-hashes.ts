/**
 * The live board's content hash, as the review status compares it with the
 * signed-off snapshot's to say whether the board has changed since: the board
 * as stored, rebuilt in a worker thread, and kept per board for as long as
 * its stored log stays as it was. The header asks every 10 s and the board
 * list for every reviewed board, so an unchanged board costs one read of what
 * names its log (the checkpoint, how many rows follow it, the last one: see
 * tail-changes.ts), never a rebuild. A working-out that fails is not kept.
 */
import { captureStoredBoard, type StoredBoards } from '../snapshots/stored-board.ts'

/** Boards whose hash is kept; the longest unasked goes first (64 hex characters each). */
const BOARDS_KEPT = 4096

type Entry = { state: string; hash: Promise<string | null> }

export class LiveContentHashes {
  private readonly kept = new Map<string, Entry>()

  constructor(private readonly parts: StoredBoards) {}

  /** The hash of the board's content as stored now; null when there is no such board. */
  async of(boardId: string): Promise<string | null> {
    // Named before the board is read: a change meanwhile leaves a name older than the hash, which the next ask works out again.
    const state = JSON.stringify(await this.parts.storage.history.tailState(boardId))
    const kept = this.kept.get(boardId)
    this.kept.delete(boardId)
    if (kept?.state === state) {
      this.kept.set(boardId, kept)
      return kept.hash
    }
    const entry: Entry = { state, hash: captureStoredBoard(this.parts, boardId).then((captured) => captured?.contentHash ?? null) }
    this.kept.set(boardId, entry)
    entry.hash.catch(() => {
      if (this.kept.get(boardId) === entry) this.kept.delete(boardId)
    })
    while (this.kept.size > BOARDS_KEPT) this.kept.delete(this.kept.keys().next().value!)
    return entry.hash
  }
}
