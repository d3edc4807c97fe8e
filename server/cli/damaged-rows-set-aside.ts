/**
 * Setting aside a board's stored log rows that cannot be applied, so that it
 * loads again: each row is written to a file in DATA_DIR/damaged-rows,
 * flushed to disk, and only then deleted from the log; nothing is dropped
 * unseen. Shared by `assay board set-aside-damaged` (on the database in place)
 * and `assay restore --accept-damaged` (on its copy, before the copy takes the
 * database's name).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { damagedRows, type DamagedRows } from '../history/damaged-rows.ts'
import { BoardDamaged } from '../relay/damaged-board.ts'
import type { HistoryStore } from '../storage/storage.ts'
import { syncToDisk } from './sync-to-disk.ts'
import { cannotWrite, writeOutFile } from './write-out-file.ts'

/** The folder in DATA_DIR that set-aside rows are written to. */
export const DAMAGED_ROWS_FOLDER = 'damaged-rows'

/** What was set aside; or, when the latest checkpoint itself cannot be applied (no row set aside mends that), nothing, and why. */
export type SetAsideOutcome = { kind: 'rows'; found: DamagedRows } | { kind: 'checkpoint'; throughSeq: number; reason: string }

/**
 * Sets aside the rows of `boardId` in `history` that cannot be applied, each
 * into a file in `folder` (DATA_DIR's damaged-rows folder, or a restore's own
 * until its copy is in place: restore-staged-rows.ts). `beforeDeleting` runs once the files are on disk, right before the rows are
 * deleted (a command's check that it still holds the database alone).
 */
export async function setAsideDamagedRows(history: HistoryStore, folder: string, boardId: string, beforeDeleting: () => Promise<void>): Promise<SetAsideOutcome> {
  const { checkpoint, throughSeq, rows } = await history.tail(boardId)
  let found: DamagedRows
  try {
    found = damagedRows(checkpoint, rows)
  } catch (error) {
    if (!(error instanceof BoardDamaged)) throw error
    return { kind: 'checkpoint', throughSeq, reason: error.reason }
  }
  if (found.setAside.length === 0) return { kind: 'rows', found }
  try {
    mkdirSync(folder, { recursive: true })
  } catch (error) {
    throw cannotWrite(folder, error)
  }
  for (const { row, reason } of found.setAside) {
    const file = join(folder, `${boardId}-${row.seq}.json`)
    const kept = { boardId, seq: row.seq, origin: row.origin, at: row.at, reason, update: Buffer.from(row.update).toString('base64') }
    await writeOutFile(file, `${JSON.stringify(kept, null, 2)}\n`)
    syncToDisk(file)
  }
  syncToDisk(folder)
  await beforeDeleting()
  await history.deleteRows(
    boardId,
    found.setAside.map(({ row }) => row.seq),
  )
  return { kind: 'rows', found }
}

/** Which rows of `boardId` were set aside (who, when), and whether later changes wait on what they held; lines for the operator. */
export function describeSetAside(boardId: string, { setAside, keptRowsWait }: DamagedRows): string {
  if (setAside.length === 0) return `Board ${boardId}: every stored row applies; nothing was set aside.\n`
  const lines = setAside.map(({ row, reason }) => `  row ${row.seq}, by ${row.origin} at ${row.at}, ${row.update.byteLength} bytes: ${reason}\n`)
  const waiting = keptRowsWait
    ? 'Later changes build on what those rows held and stay hidden until it comes back: a browser that still holds the board (its offline copy) sends it again when it opens the board. Otherwise restore from a backup.'
    : 'No later change builds on them.'
  return `Board ${boardId}: set aside ${setAside.length} row(s) that cannot be applied, into ${DAMAGED_ROWS_FOLDER}/ in DATA_DIR; the edits they held are missing from the board:\n${lines.join('')}${waiting}\n`
}
