/**
 * Where the server reads the time it stores with the board's history (the
 * update log, checkpoints, snapshots). Tests pass a clock of their own, so
 * edits land at known moments and "the board at 14:00" can be checked exactly.
 */
export type Clock = () => Date

export const systemClock: Clock = () => new Date()
