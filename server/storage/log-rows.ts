/** What the SQLite and PostgreSQL log stores share about rows. */
import type { LogRow } from './storage.ts'

/**
 * The time a checkpoint stands for: that of the latest row it covers. Rows
 * are ordered by sequence; two instances' clocks may disagree by a little, so
 * the latest time is taken, not the last row's.
 */
export function lastRowTime(rows: readonly LogRow[]): string {
  let latest = rows[0]!.at
  for (const row of rows) if (row.at > latest) latest = row.at
  return latest
}

/**
 * Rows read a page at a time, each page from where the last one ended, the
 * relay's work going on between pages.
 */
export async function* pagesOfRows(readPage: (afterSeq: number, limit: number) => Promise<LogRow[]>, afterSeq: number, pageSize: number): AsyncGenerator<LogRow[]> {
  for (;;) {
    const page = await readPage(afterSeq, pageSize)
    if (page.length > 0) yield page
    if (page.length < pageSize) return
    afterSeq = page.at(-1)!.seq
    await new Promise((resolve) => setImmediate(resolve))
  }
}
