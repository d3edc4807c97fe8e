/**
 * When a copy of the whole board is kept as history: a checkpoint a newer one
 * supersedes, or an automatic snapshot. Each is the whole board again, so on
 * a large board a few keystrokes paid for megabytes (red team 31e: 42 KB of
 * keystrokes on a 4 MB board wrote a 4 MB checkpoint, and every automatic
 * snapshot another 4 MB, charged to nobody). A copy is kept only once the log
 * rows written since the previous one weigh at least 1/COPY_BYTES_PER_WRITTEN
 * of it, so such copies hold at most that many times what was written (plus
 * the latest checkpoint, which loads the board, a board's first copy, and
 * the copies of a small board).
 * The rows themselves stay, so no moment is lost: the board as of a time
 * between two kept checkpoints is rebuilt from the older one and its rows.
 */

/** At most this many bytes of kept copies per byte written to the board's log. */
export const COPY_BYTES_PER_WRITTEN = 4

/**
 * A copy this small is always kept, as before: a small board's copies cost
 * little however often they come (a compaction needs 500 rows, an automatic
 * snapshot an interval), and its history keeps a checkpoint per interval.
 */
export const SMALL_COPY_BYTES = 64 * 1024

/** The log rows written since the previous copy: how many, and their bytes. */
export type Written = { rows: number; bytes: number }

/** Whether `writtenBytes` written since the previous copy earn a copy of `copyBytes`. */
export function earnsCopy(copyBytes: number, writtenBytes: number): boolean {
  return copyBytes <= SMALL_COPY_BYTES || writtenBytes * COPY_BYTES_PER_WRITTEN >= copyBytes
}

/**
 * Whether a checkpoint, superseded by a new latest one, is kept as history:
 * when what was written since the kept checkpoint before it earns it, and
 * always when none of those rows is left (thinned past the detail window: it
 * alone then holds that moment).
 */
export function keepSuperseded(checkpointBytes: number, since: Written): boolean {
  return since.rows === 0 || earnsCopy(checkpointBytes, since.bytes)
}
