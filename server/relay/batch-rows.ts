/**
 * A committed batch's entries as the update log stores them: each run of
 * entries from one origin in a row of its own, their updates merged
 * (merge-in-groups.ts). Under load a batch holds hundreds of keystrokes, most
 * of one person's: a row per keystroke cost the commit an INSERT each and the
 * compaction a fold each (some 500 rows a compaction), where a row per run
 * holds the same content, the same origin and the same time (every row of a
 * batch is stored with one). A run never spans an entry that carries a batch
 * mark or first writes (storage.ts, BatchMark, FirstWrites): such an entry
 * starts a row, which carries its mark and its writes, so that a retry finds
 * the batch as it was marked, and a refusal of the writes (ClientIdTaken)
 * names that entry (`starts`).
 */
import type { LogEntry } from '../storage/storage.ts'
import { mergeInGroups } from './merge-in-groups.ts'

/** `rows`: what the log stores; `starts[i]`: the index in the batch of the first entry of `rows[i]`. */
export type BatchRows = { rows: LogEntry[]; starts: number[] }

export function batchRows(entries: readonly LogEntry[]): BatchRows {
  const rows: LogEntry[] = []
  const starts: number[] = []
  let start = 0
  for (let end = 1; end <= entries.length; end++) {
    const next = entries[end]
    if (next !== undefined && next.origin === entries[start]!.origin && next.batch === undefined && next.firstWrites === undefined) continue
    rows.push(rowOf(entries, start, end))
    starts.push(start)
    start = end
  }
  return { rows, starts }
}

/** Entries `start` to `end` (excluded) in one row, the first's mark and first writes kept. */
function rowOf(entries: readonly LogEntry[], start: number, end: number): LogEntry {
  const first = entries[start]!
  if (end - start === 1) return first
  const update = mergeInGroups(entries.slice(start, end).map((entry) => entry.update))
  return { update, origin: first.origin, batch: first.batch, firstWrites: first.firstWrites }
}
