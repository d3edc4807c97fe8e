/**
 * Carries out the retention plan and the byte cap on one board's history,
 * through the few operations each storage dialect provides.
 */
import type { CheckpointInfo, HistoryPolicy, HistorySize } from '../storage/storage.ts'
import { nextCapStep, planRetention } from './retention-plan.ts'

export type ThinningOps = {
  /** Oldest first. */
  checkpoints(): Promise<CheckpointInfo[]>
  dropCheckpoints(throughSeqs: number[]): Promise<number>
  /**
   * Drops the rows at or before `seq`, and marks the checkpoints before it as no longer followed by their rows; null,
   * dropping nothing, once the checkpoint through `seq` is no longer kept: a compaction may delete the checkpoint it
   * supersedes (earned-copies.ts), whose moments are then rebuilt from those very rows.
   */
  dropRowsThrough(seq: number): Promise<number | null>
  /** Drops the changes recorded before `at`. */
  dropChangesBefore(at: string): Promise<number>
  size(): Promise<HistorySize>
}

export type ThinningResult = { checkpointsDropped: number; rowsDropped: number; changesDropped: number }

export function historyBytes(size: HistorySize): number {
  return size.rowBytes + size.checkpointBytes + size.changeBytes
}

export async function thinHistory(ops: ThinningOps, policy: HistoryPolicy, now: string): Promise<ThinningResult> {
  const result: ThinningResult = { checkpointsDropped: 0, rowsDropped: 0, changesDropped: 0 }
  const nowMs = Date.parse(now)
  const before = await ops.checkpoints()
  const plan = planRetention(before, policy, nowMs)
  // Each step commits on its own, and a read may come between two (or the process die, or a statement fail, there):
  // every state in between must read true. A board's history is kept from its start while a row at or before its
  // oldest checkpoint is left (storage keptFrom), so the rows go first, through the boundary, while the checkpoints
  // before it still stand: the oldest checkpoint is then older than the first row left, and the board before it is
  // answered as no longer kept, not rebuilt from nothing. Dropping an old checkpoint first, while the rows after it
  // and up to the boundary were still there, made them the oldest history kept and the board before them an empty one.
  if (plan.dropRowsThrough !== null) {
    const rows = await ops.dropRowsThrough(plan.dropRowsThrough)
    // The plan was made of checkpoints a compaction has changed since: the next thinning plans again.
    if (rows === null) return result
    result.rowsDropped += rows
  }
  result.checkpointsDropped += await ops.dropCheckpoints(plan.dropCheckpoints)
  if (policy.retentionMs > 0) result.changesDropped += await ops.dropChangesBefore(new Date(nowMs - policy.retentionMs).toISOString())

  const dropped = new Set(plan.dropCheckpoints)
  let kept = before.filter((c) => !dropped.has(c.throughSeq))
  let rowsThrough = plan.dropRowsThrough
  while (historyBytes(await ops.size()) > policy.maxBytes) {
    const step = nextCapStep(kept, rowsThrough)
    if (step === null) {
      // Only what loading needs is left, the latest checkpoint and the rows after it: the recorded changes go last.
      result.changesDropped += await ops.dropChangesBefore(now)
      break
    }
    if ('dropCheckpoint' in step) {
      // Only checkpoints older than the boundary, whose rows are gone already: the next one, also older than the
      // first row left, becomes where the kept history starts.
      const { throughSeq, at } = step.dropCheckpoint
      result.checkpointsDropped += await ops.dropCheckpoints([throughSeq])
      // Who changed what before the oldest moment still kept goes with it; cut off before this, the changes left
      // are still true, and go with the next checkpoint dropped (or by the retention period).
      result.changesDropped += await ops.dropChangesBefore(at)
      kept = kept.filter((c) => c.throughSeq !== throughSeq)
    } else {
      // The rows up to the next checkpoint and the marks on those before it, in one transaction.
      const rows = await ops.dropRowsThrough(step.dropRowsThrough)
      if (rows === null) break
      result.rowsDropped += rows
      rowsThrough = step.dropRowsThrough
    }
  }
  return result
}
