/**
 * One thinning of a board at a time in this process. The hourly sweep and the
 * thinning after a compaction share no other lock, and a thinning lets the
 * event loop turn between its statements: two of one board would interleave,
 * each planning on what the other is dropping. The second is skipped rather
 * than queued: the next sweep or compaction thins the board again. Across
 * instances, storage refuses to delete the checkpoint the oldest rows build
 * on (ThinningOps.dropCheckpoints), and a thinning counts again what is left
 * when another dropped what it planned to.
 */
const thinning = new Set<string>()

/** `thin()`'s result, or null without calling it when the board is being thinned already. */
export async function thinAlone<T>(boardId: string, thin: () => Promise<T>): Promise<T | null> {
  if (thinning.has(boardId)) return null
  thinning.add(boardId)
  try {
    return await thin()
  } finally {
    thinning.delete(boardId)
  }
}
