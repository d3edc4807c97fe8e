/**
 * `assay board set-aside-damaged --board ID`: the way out for a board whose
 * stored log row cannot be applied (503 board_damaged). Each such row is
 * written to a file in DATA_DIR/damaged-rows, flushed to disk, and only then
 * deleted from the log, so the board loads again without it; nothing is
 * dropped unseen (damaged-rows-set-aside.ts). Says which changes were set
 * aside (who, when) and whether later changes wait on what they held. Run
 * with no server serving the database: a server holds boards in memory and
 * would not see the deletion.
 */
import { CliError } from './cli-error.ts'
import { parseOptions, requireOption, type Command } from './command.ts'
import { join } from 'node:path'
import { DAMAGED_ROWS_FOLDER, describeSetAside, setAsideDamagedRows } from './damaged-rows-set-aside.ts'
import { whileNotServed } from './while-not-served.ts'

const USAGE = 'assay board set-aside-damaged --board ID'

const setAsideDamaged: Command = {
  summary: 'Move the log rows of a board that cannot be applied into files in DATA_DIR/damaged-rows (servers stopped)',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(args, { board: { type: 'string' } }, USAGE)
    const boardId = requireOption(values.board, 'board', USAGE)
    const found = await whileNotServed('nothing was set aside.', 'Stop it and run this again.', async (services, stillAlone) => {
      const { storage, config } = services
      if (!(await storage.boards.get(boardId))) throw new CliError(`No board with id ${boardId}. List boards with: assay board list`)
      const outcome = await setAsideDamagedRows(storage.history, join(config.DATA_DIR, DAMAGED_ROWS_FOLDER), boardId, stillAlone)
      if (outcome.kind === 'rows') return outcome.found
      throw new CliError(
        `Board ${boardId}: its latest checkpoint (through row ${outcome.throughSeq}) cannot be applied (${outcome.reason}); setting rows aside cannot mend that. Restore the database from a backup (README, "Backup and restore"). Nothing was changed.`,
      )
    })
    process.stdout.write(describeSetAside(boardId, found))
  },
}
export default setAsideDamaged
