import { loadConfig } from '../config.ts'
import { createLogger } from '../log.ts'
import type { ChangeCheck } from '../relay/room.ts'
import type { Services } from '../services.ts'
import { openStorage } from '../storage/open-storage.ts'
import type { Storage } from '../storage/storage.ts'
import { databaseName, lockHolder, takeDatabaseAlone } from '../storage/serving-lock.ts'
import { CliError } from './cli-error.ts'
import { withServices } from './with-services.ts'

/**
 * Runs a command that writes boards only while no server serves the database,
 * holding servers off meanwhile (server/storage/serving-lock.ts): a server
 * holds its boards in memory and would never see what was written behind it.
 * `refused` says what was not done, `whileServed` what to do instead while a
 * server serves the database. `use` gets a check
 * to make right before it writes (Room.change): it refuses once the lock has
 * lapsed (its PostgreSQL session ended), since a server may be serving by then.
 */
export async function whileNotServed<T>(refused: string, whileServed: string, use: (services: Services, stillAlone: ChangeCheck) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn')
  const lock = await takeDatabaseAlone(config)
  if (!lock) {
    const holder = await lockHolder(config)
    throw new CliError(`${holder.who}: ${refused} ${holder.writing ? 'Try again once it has finished.' : whileServed}`)
  }
  const stillAlone: ChangeCheck = async () => {
    if (!(await lock.stillHeld())) {
      throw new CliError(`lost the serving lock of ${databaseName(config)} (its database session ended), and a server may be serving it: ${refused} ${whileServed}`)
    }
  }
  try {
    // Opened here, so the count is written again once the services have closed, every room committed.
    const storage = await openStorage(config, logger)
    try {
      // Counted before anything is written, and committed: a server on PostgreSQL whose lock lapsed
      // while this ran sees it however this command ends (pg-serving-lock.ts).
      await storage.exclusiveWrites.note()
      return await withServices((services) => use(services, stillAlone), storage)
    } finally {
      // And after: should this command's own lock have lapsed, a server that took it meanwhile began serving
      // without what was written since, and sees this within a second.
      await noteAndClose(storage)
    }
  } finally {
    await lock.release()
  }
}

async function noteAndClose(storage: Storage): Promise<void> {
  try {
    await storage.exclusiveWrites.note()
  } finally {
    await storage.close()
  }
}
