/**
 * Where `assay restore --accept-damaged` writes the rows it sets aside from
 * its copy: DATA_DIR/damaged-rows.restoring-<run> (process-run.ts), a folder of the restore's
 * own, whose files are moved into DATA_DIR/damaged-rows only once the copy
 * has taken the database's name. Written straight into damaged-rows/, a
 * restore killed before that rename left files there for rows no live
 * database had lost, and an operator looked for edits that were never
 * removed (red team 38b). In DATA_DIR rather than beside the copy (on the
 * volume a symbolic link assay.db leads to), so each move is a rename.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { DAMAGED_ROWS_FOLDER } from './damaged-rows-set-aside.ts'
import { present } from './file-present.ts'
import { RUN_PATTERN, runOf, stillRunning } from '../process-run.ts'
import { syncToDisk } from './sync-to-disk.ts'

const STAGED = new RegExp(`^${DAMAGED_ROWS_FOLDER}\\.restoring-(${RUN_PATTERN})$`)

/** The folder the restore `run` (process-run.ts runName) writes its set-aside rows to until its copy is in place. */
export function stagedRowsFolder(dataDir: string, run: string): string {
  return join(dataDir, `${DAMAGED_ROWS_FOLDER}.restoring-${run}`)
}

/** Moves the files in `staged` into DATA_DIR's damaged-rows folder and removes `staged`; how many were moved. */
export function moveStagedRows(staged: string, dataDir: string): number {
  if (!present(staged)) return 0
  const names = readdirSync(staged)
  if (names.length > 0) {
    const folder = join(dataDir, DAMAGED_ROWS_FOLDER)
    mkdirSync(folder, { recursive: true })
    for (const name of names) renameSync(join(staged, name), join(folder, name))
    syncToDisk(folder)
  }
  rmSync(staged, { recursive: true })
  syncToDisk(dataDir)
  return names.length
}

/** Removes the folder of a restore that has not put its copy in place (refused, or failed), so its rows reach no damaged-rows/. */
export function removeStagedRows(staged: string): void {
  rmSync(staged, { recursive: true, force: true })
}

/**
 * The staged folders that restores killed before they finished left in
 * `dataDir`, their process gone, settled: a restore's copy
 * (`<database>.restoring-<run>`) is there until its rename, which is the
 * restore taking effect. With the copy still there, the restore never took
 * effect, and its rows were set aside from a database never put in place:
 * removed. With the copy gone, it did: those rows are missing from the live
 * database, and their files are moved into damaged-rows/. Runs before the
 * copies are removed (removeUnfinishedCopies), the caller holding the
 * serving lock exclusive. Returns what was done, as lines.
 */
export function settleStagedRows(dataDir: string, database: string): string[] {
  const report: string[] = []
  for (const name of readdirSync(dataDir)) {
    const match = STAGED.exec(name)
    if (match === null || stillRunning(runOf(match[2]!, match[3]))) continue
    const staged = join(dataDir, name)
    if (present(`${database}.restoring-${match[1]}`)) {
      removeStagedRows(staged)
      report.push(`Removed ${staged}, the rows a restore that did not finish set aside from its copy, which never took the database's place.\n`)
    } else {
      const moved = moveStagedRows(staged, dataDir)
      report.push(`Moved ${moved} row file(s) from ${staged} into ${join(dataDir, DAMAGED_ROWS_FOLDER)}: a restore set them aside and put its copy in place, then was stopped before it moved them.\n`)
    }
  }
  return report
}
