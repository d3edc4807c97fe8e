/**
 * A real server process, as serve-open.ts, with every request an owner's and
 * its update-log appends in the test's hands: once the file named by
 * STALL_AFTER_COMMIT exists, an append is committed, `committed` is printed
 * on a line of its own, and the append never returns. The process then stands
 * right after a commit, before anything that follows it, for the test to kill.
 */
import { existsSync } from 'node:fs'
import { loadConfig } from '../../server/config.ts'
import { createLogger } from '../../server/log.ts'
import { startServer } from '../../server/server.ts'
import { openStorage } from '../../server/storage/open-storage.ts'
import type { Storage, UpdateLogStore } from '../../server/storage/storage.ts'
import { stopOnSignals } from '../../server/stop-on-signals.ts'
import { logWith } from './log-with.ts'
import { openAccess } from './open-access.ts'

const flag = process.env.STALL_AFTER_COMMIT
if (!flag) throw new Error('STALL_AFTER_COMMIT names the file whose presence stalls the server after its next commit')

function stallingAfterCommit(storage: Storage): Storage {
  const log = storage.log
  const stallOnceCommitted = (seq: number) => {
    if (!existsSync(flag!)) return seq
    process.stdout.write('committed\n')
    return new Promise<number>(() => {})
  }
  const append: UpdateLogStore['append'] = async (boardId, entries) => stallOnceCommitted(await log.append(boardId, entries))
  // On PostgreSQL an import or restore is committed in its board's turn.
  const appendInTurn: UpdateLogStore['appendInTurn'] = log.appendInTurn && (async (boardId, turn, take) => stallOnceCommitted(await log.appendInTurn!(boardId, turn, take)))
  return {
    ...storage,
    log: logWith(log, { append, appendInTurn }),
  }
}

const config = loadConfig()
const logger = createLogger(config.LOG_LEVEL)
const storage = await openStorage(config, logger)
const server = await startServer(config, { access: () => openAccess(() => 'owner'), storage: stallingAfterCommit(storage), logger })
process.stdout.write(`${server.url}\n`)
stopOnSignals(server)
