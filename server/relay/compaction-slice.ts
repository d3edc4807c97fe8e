/**
 * How many log rows one compaction folds at most unless COMPACTION_SLICE_ROWS says otherwise (relay/compaction.ts).
 * Above the rows any board up to BOARD_MAX_BYTES waits for (rowsBeforeCompaction: 16,384 at 32 MiB), so a slice is
 * cut only from a backlog; 20,000 keystroke rows fold in a few seconds beside the checkpoint's own cost.
 */
export const COMPACTION_SLICE_ROWS = 20_000
