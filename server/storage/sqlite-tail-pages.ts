/**
 * A board's latest checkpoint and the log rows after it, read in pages with a
 * turn of the event loop between them. SQLite answers on the relay's thread:
 * one statement for every row after the checkpoint held it for as long as the
 * backlog was long (71,000 keystroke rows, 480 to 1,500 ms of a loaded
 * machine, /healthz waiting as long), where a page holds it for a page's rows.
 */
import type { LogRow } from './storage.ts'

/** A board's latest checkpoint (none before its first compaction) and rows after it. */
type Tail<Checkpoint> = { checkpoint: Checkpoint | undefined; rows: LogRow[] }

/** The prepared reads of a board's tail (tailQueries in sqlite-update-log.ts). */
type TailReads<Checkpoint extends { throughSeq: number }> = {
  latestCheckpoint: { get(params: { boardId: string }): Checkpoint | undefined }
  /** A page of rows after `after`, or null once the latest checkpoint no longer ends at `through`. */
  readPage(boardId: string, through: number, after: number, limit: number): LogRow[] | null
  /** The whole tail in one statement. */
  readTail(boardId: string): Tail<Checkpoint>
}

/** Rows a page holds unless BOARD_LOG_PAGE_ROWS says otherwise: some 15 ms of a loaded machine. */
export const LOG_PAGE_ROWS = 2_000

/**
 * Reads begun again when a compaction wrote a checkpoint between two pages, before the tail is read in one statement:
 * a compaction takes seconds, so a second read almost always finds the checkpoint it starts from still the latest.
 */
const PAGED_ATTEMPTS = 3

/** Lets the relay's work waiting meanwhile run (setImmediate comes after the I/O callbacks ready). */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** The tail, at most `maxRows` rows of it (a compaction's slice), `pageRows` rows per statement. */
export async function readTailInPages<Checkpoint extends { throughSeq: number }>(
  tail: TailReads<Checkpoint>,
  boardId: string,
  limits: { pageRows: number; maxRows?: number },
): Promise<Tail<Checkpoint>> {
  for (let attempt = 0; attempt < PAGED_ATTEMPTS; attempt++) {
    const read = await readPagesOnce(tail, boardId, limits)
    if (read) return read
  }
  const whole = tail.readTail(boardId)
  return limits.maxRows === undefined ? whole : { checkpoint: whole.checkpoint, rows: whole.rows.slice(0, limits.maxRows) }
}

/** The tail read page by page, or null when another checkpoint became the latest in between. */
async function readPagesOnce<Checkpoint extends { throughSeq: number }>(
  tail: TailReads<Checkpoint>,
  boardId: string,
  { pageRows, maxRows = Infinity }: { pageRows: number; maxRows?: number },
): Promise<Tail<Checkpoint> | null> {
  const checkpoint = tail.latestCheckpoint.get({ boardId })
  const through = checkpoint?.throughSeq ?? 0
  const rows: LogRow[] = []
  for (let after = through; rows.length < maxRows; ) {
    const limit = Math.min(pageRows, maxRows - rows.length)
    const page = tail.readPage(boardId, through, after, limit)
    if (page === null) return null
    for (const row of page) rows.push(row)
    if (page.length < limit) break
    after = page.at(-1)!.seq
    await nextTurn()
  }
  return { checkpoint, rows }
}
