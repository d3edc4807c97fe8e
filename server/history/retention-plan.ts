/**
 * Which parts of a board's history to keep: a pure plan over its checkpoints,
 * which both storage dialects carry out.
 *
 * - Within the detail window every row is kept, so any moment can be rebuilt
 *   exactly and every change attributed; of the checkpoints there, the latest
 *   of each interval is kept, which bounds how many rows a rebuild replays.
 * - The boundary is the newest checkpoint older than the window: rows it
 *   covers are dropped, since it and the rows after it rebuild every moment
 *   of the window.
 * - Before the boundary only the latest checkpoint of each UTC day is kept,
 *   for the retention period; the boundary, the newest of its day, stands
 *   for that day.
 * - The latest checkpoint (where loading starts) and the rows after it are
 *   never dropped, nor the base: the checkpoint the oldest rows left build
 *   on, once the rows before them were dropped (by the byte cap, possibly
 *   within the window), until the boundary passes it. Without it those rows
 *   would rebuild each moment before the next checkpoint from an empty board.
 */
import type { CheckpointInfo, HistoryPolicy } from '../storage/storage.ts'

export type RetentionPlan = {
  /** Checkpoints to delete, by their `throughSeq`. */
  dropCheckpoints: number[]
  /** Rows at or before this sequence number are dropped; null: none. */
  dropRowsThrough: number | null
}

const DAY_MS = 86_400_000

/**
 * The base: the newest checkpoint older than the oldest row left (`firstRow`), which those rows build on; null when
 * no rows were dropped before them. With no row left, the latest checkpoint.
 */
export function baseOf(checkpoints: readonly CheckpointInfo[], firstRow: number | null): number | null {
  const base = firstRow === null ? checkpoints.at(-1) : checkpoints.findLast((c) => c.throughSeq < firstRow)
  return base?.throughSeq ?? null
}

/** `checkpoints` oldest first; `base` as `baseOf` finds it. */
export function planRetention(checkpoints: readonly CheckpointInfo[], policy: HistoryPolicy, now: number, base: number | null): RetentionPlan {
  if (checkpoints.length === 0) return { dropCheckpoints: [], dropRowsThrough: null }
  const time = (c: CheckpointInfo) => Date.parse(c.at)
  const detailStart = now - policy.detailMs
  const boundary = checkpoints.findLastIndex((c) => time(c) < detailStart)
  const keep = new Set<number>([checkpoints.length - 1])
  if (boundary >= 0) keep.add(boundary)
  // The rows dropped through the new boundary take the old base's rows with them; short of it, the base stays.
  const baseIndex = checkpoints.findIndex((c) => c.throughSeq === base)
  if (baseIndex > boundary) keep.add(baseIndex)
  const latestOfBucket = new Map<string, number>()
  checkpoints.forEach((checkpoint, index) => {
    if (index <= boundary) {
      if (index < boundary && policy.retentionMs > 0 && time(checkpoint) < now - policy.retentionMs) return
      latestOfBucket.set(`day:${Math.floor(time(checkpoint) / DAY_MS)}`, index)
    } else {
      latestOfBucket.set(`detail:${Math.floor(time(checkpoint) / policy.checkpointEveryMs)}`, index)
    }
  })
  for (const index of latestOfBucket.values()) keep.add(index)
  return {
    dropCheckpoints: checkpoints.filter((_, index) => !keep.has(index)).map((c) => c.throughSeq),
    dropRowsThrough: boundary >= 0 ? checkpoints[boundary]!.throughSeq : null,
  }
}

/** One more step to take when a board's history is over its byte cap; null when nothing more may go. */
export type CapStep = { dropCheckpoint: CheckpointInfo } | { dropRowsThrough: number } | null

/**
 * The oldest history goes first: the coarse checkpoints before the boundary,
 * oldest first; then the boundary moves to the next checkpoint, dropping the
 * rows it passes. `kept` oldest first; `rowsThrough` the current boundary.
 */
export function nextCapStep(kept: readonly CheckpointInfo[], rowsThrough: number | null): CapStep {
  const coarse = kept.filter((c) => rowsThrough !== null && c.throughSeq < rowsThrough)
  if (coarse.length > 0) return { dropCheckpoint: coarse[0]! }
  const next = kept.find((c) => rowsThrough === null || c.throughSeq > rowsThrough)
  return next ? { dropRowsThrough: next.throughSeq } : null
}
