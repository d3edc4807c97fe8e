/**
 * A fold's recorded changes cut into the statements that insert them: a few
 * hundred rows and a megabyte of values at most each, so no one statement is
 * built and run from all of a slice's changes (20,000 rows fold at once; on
 * PostgreSQL a statement takes 65,535 parameters at most, nine a change).
 */
import type { AssessmentChangeRecord, Compacted } from './storage.ts'

/** How many changes, and bytes of their values, one batch holds at most. */
export type BatchLimits = { changes: number; bytes: number }

export const STATEMENT_LIMITS: BatchLimits = { changes: 500, bytes: 1024 * 1024 }

export const changeValueBytes = (change: AssessmentChangeRecord) => Buffer.byteLength(change.fromValue) + Buffer.byteLength(change.toValue)

/** A recorded change's row beside its text: its id, board id, sequence number and the index entries that find it. */
const ROW_BYTES = 96

/** What a recorded change takes on disk: its texts (values, card, field, author, times) and its row. */
export function recordedBytes(change: AssessmentChangeRecord): number {
  const { assessmentId, field, author, firstAt, at } = change
  return changeValueBytes(change) + [assessmentId, field, author, firstAt, at].reduce((total, text) => total + Buffer.byteLength(text), ROW_BYTES)
}

/** The bytes of `changes` recorded, by their author (a row's origin), to be charged to them (compaction.ts). */
export function recordedByAuthor(changes: readonly AssessmentChangeRecord[]): Map<string, number> {
  const byAuthor = new Map<string, number>()
  for (const change of changes) byAuthor.set(change.author, (byAuthor.get(change.author) ?? 0) + recordedBytes(change))
  return byAuthor
}

/** What a compaction that wrote nothing reports. */
export const NOTHING_COMPACTED: Compacted = { mergedRows: 0, checkpointBytes: 0, changeBytes: 0, recordedByAuthor: new Map() }

/** `changes` in order, in batches within `limits` (a change larger than that alone). */
export function changeBatches<T extends AssessmentChangeRecord>(changes: readonly T[], limits: BatchLimits = STATEMENT_LIMITS): T[][] {
  const batches: T[][] = []
  let batch: T[] = []
  let bytes = 0
  for (const change of changes) {
    const size = changeValueBytes(change)
    if (batch.length > 0 && (batch.length === limits.changes || bytes + size > limits.bytes)) {
      batches.push(batch)
      batch = []
      bytes = 0
    }
    batch.push(change)
    bytes += size
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}
