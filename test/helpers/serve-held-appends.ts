/**
 * A real server process with accounts, as `assay serve` runs, whose update-log
 * appends are in the test's hands through files: while the file named by
 * HOLD_APPENDS exists, an append waits before committing anything; while the
 * one named by HOLD_AFTER_COMMIT exists, an append is committed and then never
 * returns. Either way its change is answered 202 after COMMIT_WAIT_MS, and the
 * process stands there for the test to kill.
 */
import { existsSync } from 'node:fs'
import { loadConfig } from '../../server/config.ts'
import { createLogger } from '../../server/log.ts'
import { startServer } from '../../server/server.ts'
import { openStorage } from '../../server/storage/open-storage.ts'
import type { Storage, UpdateLogStore } from '../../server/storage/storage.ts'
import { stopOnSignals } from '../../server/stop-on-signals.ts'
import { logWith } from './log-with.ts'

const flagged = (name: string) => {
  const path = process.env[name]
  return path !== undefined && existsSync(path)
}
const never = new Promise<never>(() => {})

function heldAppends(storage: Storage): Storage {
  const log = storage.log
  const append: UpdateLogStore['append'] = async (boardId, entries, audited) => {
    if (flagged('HOLD_APPENDS')) return never
    const seq = await log.append(boardId, entries, audited)
    return flagged('HOLD_AFTER_COMMIT') ? never : seq
  }
  return {
    ...storage,
    log: logWith(log, { append }),
  }
}

const config = loadConfig()
const logger = createLogger(config.LOG_LEVEL)
const storage = await openStorage(config, logger)
const server = await startServer(config, { storage: heldAppends(storage), logger })
process.stdout.write(`${server.url}\n`)
stopOnSignals(server)
