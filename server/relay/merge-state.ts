import * as Y from 'yjs'
import type { StoredBoardState } from '../storage/storage.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { BoardDamaged, type DamagedAt } from './damaged-board.ts'
import { isStackOverflow } from '../../shared/stack-overflow.ts'

/**
 * Log rows packed into one buffer, for a worker thread: posting 200,000 rows
 * as arrays of their own held the relay's thread about 110 ms; one buffer and
 * where each row ends cost next to nothing.
 */
export type PackedUpdates = { bytes: Uint8Array; ends: Uint32Array }

/**
 * A board's stored state: its checkpoint and the log rows after it, as arrays
 * or packed, with the rows' sequence numbers where the reader has them (to
 * name a row that cannot be applied), as an array or packed likewise.
 */
export type StoredUpdates = Pick<StoredBoardState, 'checkpoint'> & { updates: Uint8Array[] | PackedUpdates; rowSeqs?: ArrayLike<number> }

export function packUpdates(updates: readonly Uint8Array[]): PackedUpdates {
  const ends = new Uint32Array(updates.length)
  let length = 0
  updates.forEach((update, i) => (ends[i] = length += update.byteLength))
  const bytes = new Uint8Array(length)
  updates.forEach((update, i) => bytes.set(update, ends[i]! - update.byteLength))
  return { bytes, ends }
}

export function* unpacked(updates: Uint8Array[] | PackedUpdates): Iterable<Uint8Array> {
  if (Array.isArray(updates)) return yield* updates
  let start = 0
  for (const end of updates.ends) {
    yield updates.bytes.subarray(start, end)
    start = end
  }
}

/**
 * Applies a board's stored state (its checkpoint, then the log after it) to
 * `doc`, in one transaction. A part Yjs cannot apply throws BoardDamaged
 * naming it, for the caller to name the board.
 */
export function applyStoredState(doc: Y.Doc, stored: StoredUpdates, origin?: unknown): void {
  doc.transact(() => {
    if (stored.checkpoint) applyStoredPart(doc, stored.checkpoint, 'checkpoint')
    let index = 0
    for (const update of unpacked(stored.updates)) {
      applyStoredPart(doc, update, stored.rowSeqs?.[index] ?? null)
      index++
    }
  }, origin)
}

/**
 * Applies one stored part of a board (its checkpoint or the log row `at`); one Yjs cannot apply throws BoardDamaged
 * naming it. A stack that ran out is not damage: the part nests deeper than this thread follows (a worker's stack is
 * smaller than the relay's), and is refused as too deep where it is thrown (worker-errors.ts).
 */
export function applyStoredPart(doc: Y.Doc, part: Uint8Array, at: DamagedAt): void {
  try {
    Y.applyUpdate(doc, part)
  } catch (error) {
    if (error instanceof Error && isStackOverflow(error)) throw error
    throw new BoardDamaged(at, errorMessage(error))
  }
}

/**
 * Folds a checkpoint and the log rows after it into one state. Going through a
 * Y.Doc (rather than Y.mergeUpdates) lets Yjs garbage-collect deleted content,
 * so a checkpoint is smaller than the updates it replaces.
 */
export function mergeBoardState(checkpoint: Uint8Array | null, updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc()
  try {
    applyStoredState(doc, { checkpoint, updates })
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}
