/**
 * What the walks along a shared text's runs of marks cost the relay, in bytes
 * of an ordinary update that cost as much (as check-cost.ts counts a check),
 * charged to the sender beside an update's splits (UpdateIntake.admitted).
 */

/**
 * Items the walk along a shared text (applied-text.ts, which mark-runs.ts and
 * mark-joins.ts share) steps over that cost as much as one byte of an
 * ordinary update. The walk reads the room's document, not the update: a
 * frame of some 30 bytes typing a mark beside a stretch of deleted characters
 * had it step over up to MAX_SKIPPED_PER_UPDATE items (32,768 then), and was
 * counted for its 30 bytes. A step took 130 ns at the least when measured
 * (4.4 ms for 32,768, more on a loaded machine), against 200 ns a byte: every
 * step counts as a byte (at half a byte, a step of 130 ns was charged 100), so
 * a frame spending the whole budget (262,144 now) counts as 256 KiB, and a
 * sender has the relay walk at most as long as it applies.
 */
export const STEPS_PER_BYTE = 1

/** What the steps an update's walks took count for, in bytes (STEPS_PER_BYTE). */
export function walkCostInBytes(steps: number): number {
  return Math.ceil(steps / STEPS_PER_BYTE)
}
