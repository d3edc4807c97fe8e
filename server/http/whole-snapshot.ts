/**
 * A snapshot sent whole (its state, or its model's JSON): the steps both
 * routes take, in the order that makes a refusal cheapest. The person's right
 * to the board was checked by the route's middleware, on every request, before
 * anything kept is served.
 */
import type { Context } from 'hono'
import type { SnapshotRecord } from '../storage/storage.ts'
import type { BoardEnv } from './app-env.ts'
import { snapshotRead } from './board-history-read.ts'
import { alreadyHeld } from './content-tag.ts'
import { ApiError } from './errors.ts'
import { loadingPayer } from './loaded-bytes.ts'

export const snapshotNotFound = (snapshotId: string) => new ApiError(404, 'not_found', `Snapshot ${snapshotId} not found on this board.`)

/**
 * The bytes to send, or null when the request's If-None-Match names the
 * snapshot's content hash (answer 304). `read` runs once for every reader
 * while its answer is kept (history-reads.ts); what is sent counts against
 * what the person may load a minute (loaded-bytes.ts).
 */
export async function wholeSnapshot<T extends Uint8Array>(
  c: Context<BoardEnv>,
  kind: 'snapshot-state' | 'snapshot-model',
  snapshotId: string,
  read: (snapshot: SnapshotRecord) => Promise<T | undefined>,
): Promise<T | null> {
  const snapshot = await c.var.services.storage.snapshots.get(c.var.board.id, snapshotId)
  if (!snapshot) throw snapshotNotFound(snapshotId)
  if (alreadyHeld(c, snapshot.contentHash)) return null
  const payer = loadingPayer(c)
  const bytes = await snapshotRead(c, kind, snapshot, () => read(snapshot))
  // Deleted since it was looked up.
  if (!bytes) throw snapshotNotFound(snapshotId)
  payer?.didLoad(bytes.byteLength)
  return bytes
}
