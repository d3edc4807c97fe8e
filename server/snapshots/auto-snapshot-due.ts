/**
 * Whether a changed board is due an automatic snapshot, the whole board again:
 * once what was written to it since its latest snapshot earns a copy of its
 * size (history/earned-copies.ts), so a few keystrokes on a large board no
 * longer store megabytes every interval; and, however little was written, once
 * its latest snapshot is ANYWAY_AFTER_INTERVALS intervals old (a day at the
 * default), so a board edited a little still has a recent one to compare and
 * restore. Reads sizes only, never the board: a skipped board costs no rebuild.
 */
import { contentTime } from '../../shared/snapshot-model.ts'
import { asOfPosition } from '../history/as-of-position.ts'
import { earnsCopy } from '../history/earned-copies.ts'
import type { Storage } from '../storage/storage.ts'

export const ANYWAY_AFTER_INTERVALS = 24

export async function autoSnapshotDue(storage: Pick<Storage, 'snapshots' | 'history' | 'log'>, boardId: string, now: number, intervalMs: number): Promise<boolean> {
  const latest = await storage.snapshots.latest(boardId)
  if (!latest) return true
  const since = contentTime(latest)
  if (now - Date.parse(since) >= ANYWAY_AFTER_INTERVALS * intervalMs) return true
  // The rows after the newest one the snapshot holds (rows thinned away count as unwritten: ANYWAY_AFTER_INTERVALS then takes one).
  const afterSeq = (await asOfPosition(storage.history, boardId, since)) ?? 0
  return earnsCopy(await storage.log.bytes(boardId), await storage.history.writtenAfter(boardId, afterSeq))
}
