/**
 * A compaction cut off between the statements writing its recorded changes,
 * as a crash cuts it: run in a process of its own on the SQLite database in
 * the folder given, it folds the board's log (wide-fold.ts) and ends the
 * process, closing nothing, at the first turn of the event loop that finds
 * some of the fold's changes written and its checkpoint not. Prints `cut off`
 * then, or `written whole` when the compaction ended without such a turn.
 * Usage: fold-cut-off.js DATA_DIR BOARD_ID
 */
import { loadConfig } from '../../server/config.ts'
import { createLogger } from '../../server/log.ts'
import { openStorage } from '../../server/storage/open-storage.ts'
import { wideFold } from './wide-fold.ts'

const [dataDir, boardId] = process.argv.slice(2) as [string, string]
const storage = await openStorage(loadConfig({ DATA_DIR: dataDir }), createLogger('silent'))
let compacting = true

const look = () => {
  if (!compacting) return
  void storage.history.size(boardId).then(({ changes, checkpoints }) => {
    if (changes > 0 && checkpoints === 0) {
      process.stdout.write('cut off\n')
      process.exit(0)
    }
    setImmediate(look)
  })
}
setImmediate(look)
await storage.log.compact(boardId, wideFold)
compacting = false
process.stdout.write('written whole\n')
await storage.close()
