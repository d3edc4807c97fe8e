/**
 * Carries out the retention plan and the byte cap on one board's history,
 * through the few operations each storage dialect provides.
 *
 * It runs on the relay's thread (after a compaction, and for every board in
 * the hourly sweep), and on SQLite every statement blocks that thread: so the
 * history's size is read once (again only after another thinning of the
 * board dropped what this one planned to) and the bytes each step deleted
 * taken off it, rows are dropped one checkpoint's worth at a time (what
 * compaction folds at once)
 * and changes DROP_BATCH (and DROP_BATCH_BYTES) at a time, and the event loop turns between two
 * statements, the relay's work going on in between.
 */
import type { CheckpointInfo, HistoryPolicy, HistorySize, ThinningOps } from '../storage/storage.ts'
import { baseOf, nextCapStep, planRetention } from './retention-plan.ts'

export type ThinningResult = { checkpointsDropped: number; rowsDropped: number; changesDropped: number }

/** Changes one statement drops at most: a few milliseconds of the relay's thread on SQLite. */
export const DROP_BATCH = 2_000
/**
 * Bytes of values one statement drops at most: 2,000 changes recorded whole
 * (before shared/text-excerpt.ts) of a 20,000-character judgment were some
 * 200 MB in one statement.
 */
export const DROP_BATCH_BYTES = 4 * 1024 * 1024

export function historyBytes(size: HistorySize): number {
  return size.rowBytes + size.checkpointBytes + size.changeBytes
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export async function thinHistory(ops: ThinningOps, policy: HistoryPolicy, now: string): Promise<ThinningResult> {
  const result: ThinningResult = { checkpointsDropped: 0, rowsDropped: 0, changesDropped: 0 }
  const nowMs = Date.parse(now)
  const before = await ops.checkpoints()
  const base = baseOf(before, await ops.firstRow())
  let bytes = historyBytes(await ops.size())
  /**
   * Set when a statement dropped less than planned: another thinning of the board (on another instance) dropped it,
   * and `bytes` does not count what that one did; the size is read again before the next step, or two thinnings
   * would each drop the other's share again, past what the cap asks.
   */
  let recount = false
  const bytesLeft = async () => {
    if (recount) bytes = historyBytes(await ops.size())
    recount = false
    return bytes
  }
  await nextTurn()

  // Each statement commits on its own, and a read may come between two (or the process die, or a statement fail,
  // there): every state in between must read true. The rows go first, one checkpoint further each time, while the
  // checkpoints before the boundary still stand: the oldest checkpoint is then older than the first row left, and the
  // board before it is answered as no longer kept (storage keptFrom), not rebuilt from nothing. Dropping an old
  // checkpoint first, while the rows after it and up to the boundary were still there, made them the oldest history
  // kept and the board before them an empty one.
  let rowsThrough = base ?? -1
  /**
   * Through each of the `standing` checkpoints up to `seq` in turn: a statement's rows are those compaction folded at
   * once. False once a checkpoint planned on is gone: a compaction has changed them since, and the next thinning plans again.
   */
  const dropRowsThrough = async (seq: number, standing: readonly CheckpointInfo[]): Promise<boolean> => {
    for (const checkpoint of standing) {
      if (checkpoint.throughSeq <= rowsThrough || checkpoint.throughSeq > seq) continue
      const rows = await ops.dropRowsThrough(checkpoint.throughSeq)
      if (rows === null) return false
      if (rows.count === 0) recount = true
      result.rowsDropped += rows.count
      bytes -= rows.bytes
      rowsThrough = checkpoint.throughSeq
      await nextTurn()
    }
    return true
  }
  /** Whether all of `planned` were deleted. */
  const dropCheckpoints = async (planned: readonly CheckpointInfo[]): Promise<boolean> => {
    if (planned.length === 0) return true
    const deleted = new Set(await ops.dropCheckpoints(planned.map((c) => c.throughSeq)))
    result.checkpointsDropped += deleted.size
    bytes -= planned.reduce((sum, c) => sum + (deleted.has(c.throughSeq) ? c.bytes : 0), 0)
    await nextTurn()
    if (deleted.size < planned.length) recount = true
    return deleted.size === planned.length
  }
  const dropChangesBefore = async (at: string) => {
    for (;;) {
      const changes = await ops.dropChanges(at, { count: DROP_BATCH, bytes: DROP_BATCH_BYTES })
      result.changesDropped += changes.count
      bytes -= changes.bytes
      await nextTurn()
      if (!changes.more) return
    }
  }

  const plan = planRetention(before, policy, nowMs, base)
  if (plan.dropRowsThrough !== null && !(await dropRowsThrough(plan.dropRowsThrough, before))) return result
  const planned = new Set(plan.dropCheckpoints)
  await dropCheckpoints(before.filter((c) => planned.has(c.throughSeq)))
  if (policy.retentionMs > 0) await dropChangesBefore(new Date(nowMs - policy.retentionMs).toISOString())

  let kept = before.filter((c) => !planned.has(c.throughSeq))
  while ((await bytesLeft()) > policy.maxBytes) {
    const step = nextCapStep(kept, rowsThrough < 0 ? null : rowsThrough)
    if (step === null) {
      // Only what loading needs is left, the latest checkpoint and the rows after it: the recorded changes go last.
      await dropChangesBefore(now)
      break
    }
    if ('dropCheckpoint' in step) {
      // Only checkpoints older than the boundary, whose rows are gone already: the next one, also older than the
      // first row left, becomes where the kept history starts.
      const { throughSeq, at } = step.dropCheckpoint
      kept = kept.filter((c) => c.throughSeq !== throughSeq)
      // Not deleted: another thinning did, or it is the base of the rows another one dropped, and its moments stay.
      if (!(await dropCheckpoints([step.dropCheckpoint]))) continue
      // Who changed what before the oldest moment still kept goes with it; cut off before this, the changes left
      // are still true, and go with the next checkpoint dropped (or by the retention period).
      await dropChangesBefore(at)
    } else if (!(await dropRowsThrough(step.dropRowsThrough, kept))) break
  }
  return result
}
