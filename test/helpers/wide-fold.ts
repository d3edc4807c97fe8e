/**
 * A fold whose recorded changes take several transactions to write on SQLite
 * (server/storage/sqlite-fold-write.ts, 256 KB of values each) and several
 * statements on PostgreSQL (change-batches.ts, 1 MB each): a change for each
 * of WIDE_FOLD_ROWS rows, 8 KB of values each, every one its own. The state
 * folded is the empty board's: only the write is looked at.
 */
import * as Y from 'yjs'
import type { FoldedLog, LogRow, UpdateLogStore } from '../../server/storage/storage.ts'

/** Some 4.8 MB of values. */
export const WIDE_FOLD_ROWS = 600
const VALUE_CHARS = 4_000

/** Appends WIDE_FOLD_ROWS rows, each the empty board's update, by turns of two authors. */
export async function appendWideRows(log: UpdateLogStore, boardId: string): Promise<void> {
  const doc = new Y.Doc()
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  await log.append(boardId, Array.from({ length: WIDE_FOLD_ROWS }, (_, i) => ({ update, origin: i % 2 === 0 ? 'ws:ana' : 'ws:ben' })))
}

/** The fold of `rows` (a MergeState): the same changes whenever the same rows are folded. */
export function wideFold(_checkpoint: Uint8Array | null, rows: readonly LogRow[]): FoldedLog {
  const doc = new Y.Doc()
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return {
    state,
    changes: rows.map((row) => ({
      assessmentId: `assessment-${row.seq % 10}`,
      field: 'judgment',
      fromValue: JSON.stringify(`${row.seq} before ${'x'.repeat(VALUE_CHARS)}`),
      toValue: JSON.stringify(`${row.seq} after ${'y'.repeat(VALUE_CHARS)}`),
      author: row.origin,
      firstAt: row.at,
      at: row.at,
      seq: row.seq,
    })),
  }
}
