/**
 * `assay board set-aside-damaged --board ID`: the way out for a board whose
 * stored log row cannot be applied (503 board_damaged). Each such row is
 * written to a file in DATA_DIR/damaged-rows, flushed to disk, and only then
 * deleted from the log, so the board loads again without it; nothing is
 * dropped unseen. Says which changes were set aside (who, when) and whether
 * later changes wait on what they held. Run with no server serving the
 * database: a server holds boards in memory and would not see the deletion.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { damagedRows, type DamagedRows } from '../history/damaged-rows.ts'
import { BoardDamaged } from '../relay/damaged-board.ts'
import { CliError } from './cli-error.ts'
import { parseOptions, requireOption, type Command } from './command.ts'
import { syncToDisk } from './sync-to-disk.ts'
import { whileNotServed } from './while-not-served.ts'
import { cannotWrite, writeOutFile } from './write-out-file.ts'

const USAGE = 'assay board set-aside-damaged --board ID'

/** The folder in DATA_DIR that set-aside rows are written to. */
export const DAMAGED_ROWS_FOLDER = 'damaged-rows'

const setAsideDamaged: Command = {
  summary: 'Move the log rows of a board that cannot be applied into files in DATA_DIR/damaged-rows (servers stopped)',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(args, { board: { type: 'string' } }, USAGE)
    const boardId = requireOption(values.board, 'board', USAGE)
    const report = await whileNotServed('nothing was set aside.', 'Stop it and run this again.', async (services, stillAlone) => {
      const { storage, config } = services
      if (!(await storage.boards.get(boardId))) throw new CliError(`No board with id ${boardId}. List boards with: assay board list`)
      const { checkpoint, throughSeq, rows } = await storage.history.tail(boardId)
      let found: DamagedRows
      try {
        found = damagedRows(checkpoint, rows)
      } catch (error) {
        if (!(error instanceof BoardDamaged)) throw error
        throw new CliError(
          `Board ${boardId}: its latest checkpoint (through row ${throughSeq}) cannot be applied (${error.reason}); setting rows aside cannot mend that. Restore the database from a backup (README, "Backup and restore"). Nothing was changed.`,
        )
      }
      if (found.setAside.length === 0) return found
      const folder = join(config.DATA_DIR, DAMAGED_ROWS_FOLDER)
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
      await stillAlone()
      await storage.history.deleteRows(
        boardId,
        found.setAside.map(({ row }) => row.seq),
      )
      return found
    })
    process.stdout.write(describe(boardId, report))
  },
}
export default setAsideDamaged

function describe(boardId: string, { setAside, keptRowsWait }: DamagedRows): string {
  if (setAside.length === 0) return `Board ${boardId}: every stored row applies; nothing was set aside.\n`
  const lines = setAside.map(({ row, reason }) => `  row ${row.seq}, by ${row.origin} at ${row.at}, ${row.update.byteLength} bytes: ${reason}\n`)
  const waiting = keptRowsWait
    ? 'Later changes build on what those rows held and stay hidden until it comes back: a browser that still holds the board (its offline copy) sends it again when it opens the board. Otherwise restore from a backup.'
    : 'No later change builds on them.'
  return `Board ${boardId}: set aside ${setAside.length} row(s) that cannot be applied, into ${DAMAGED_ROWS_FOLDER}/ in DATA_DIR; the edits they held are missing from the board:\n${lines.join('')}${waiting}\n`
}
