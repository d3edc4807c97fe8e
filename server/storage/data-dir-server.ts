/**
 * Which servers serve a SQLite DATA_DIR. A server keeps its boards' rooms in
 * memory: two servers without Redis on one database each kept their own, and
 * pages on one never saw edits made through the other until a restart (an
 * operations red team: two analysts on one board silently diverging). The
 * serving lock cannot tell them apart, being shared by every server (and by
 * `assay backup`). So a server without REDIS_URL also holds the file
 * `assay-server.lock` in DATA_DIR exclusive, and one with REDIS_URL, which
 * hears the others' edits through Redis, holds it shared: several of those
 * serve one DATA_DIR as before, and a server without Redis is refused beside
 * any other (the commands never take it). It is SQLite's lock on the file
 * (sqlite-serving-lock.ts), an OS record lock that goes with its process
 * however it ends, so a server killed with SIGKILL blocks no start. The lock
 * names nobody, so each holder writes a note of its own beside it,
 * `assay-server.<run>` (process-run.ts), which a refused server reads to name
 * it; a server removes its note as it stops, and the next to start removes
 * those of servers that are gone.
 */
import { hostname } from 'node:os'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../log.ts'
import { RUN_PATTERN, runName, runOf, stillRunning, type ProcessRun } from '../process-run.ts'
import { StartupError } from '../startup-error.ts'
import type { HeldLock } from './held-lock.ts'
import { trySqliteServingLock } from './sqlite-serving-lock.ts'

const LOCK_FILE_NAME = 'assay-server.lock'
const NOTE_NAME = new RegExp(`^assay-server\\.${RUN_PATTERN}$`)

type Relay = 'redis' | 'alone'
type Note = { relay: Relay; host: string }
type OtherServer = Note & { run: ProcessRun; file: string }

/** A server not started: another server serves its DATA_DIR, and one of the two has no Redis to hear the other through. */
export class DataDirServedElsewhere extends StartupError {
  override name = 'DataDirServedElsewhere'
}

/** The DATA_DIR held for this server until `release`; refused with DataDirServedElsewhere. */
export async function holdDataDir(dataDir: string, withRedis: boolean, logger: Logger): Promise<HeldLock> {
  const relay: Relay = withRedis ? 'redis' : 'alone'
  const lock = trySqliteServingLock(dataDir, withRedis ? 'shared' : 'exclusive', { fileName: LOCK_FILE_NAME, kept: true, logger })
  if (!lock) throw new DataDirServedElsewhere(refusal(dataDir, relay, otherServers(dataDir)))
  const own = join(dataDir, `assay-server.${runName()}`)
  try {
    // Every note left is a gone server's when this one holds the lock alone; beside servers with Redis, only those whose process is gone.
    for (const other of otherServers(dataDir)) {
      if (relay === 'alone' || (other.host === hostname() && !stillRunning(other.run))) rmSync(join(dataDir, other.file), { force: true })
    }
    writeFileSync(own, JSON.stringify({ relay, host: hostname() } satisfies Note), { mode: 0o600 })
  } catch (error) {
    await lock.release()
    throw error
  }
  lock.onTakenAway(() =>
    logger.error({ file: join(dataDir, LOCK_FILE_NAME) }, `the file ${LOCK_FILE_NAME} was deleted and another server took the one put in its place: two servers may now serve ${dataDir} apart; stop one of them`),
  )
  return {
    async release() {
      rmSync(own, { force: true })
      await lock.release()
    },
  }
}

/** The servers whose notes DATA_DIR holds, but for this process; a note another host wrote counts as running (its process cannot be asked about here). */
function otherServers(dataDir: string): OtherServer[] {
  const others: OtherServer[] = []
  for (const name of readdirSync(dataDir)) {
    const match = NOTE_NAME.exec(name)
    if (match === null) continue
    const run = runOf(match[1]!, match[2])
    if (run.pid === process.pid) continue
    const note = readNote(join(dataDir, name))
    if (note) others.push({ ...note, run, file: name })
  }
  return others
}

/** Null for a note half written, or removed since it was listed: its server is starting or stopping. */
function readNote(path: string): Note | null {
  try {
    const note = JSON.parse(readFileSync(path, 'utf8')) as Partial<Note>
    return (note.relay === 'redis' || note.relay === 'alone') && typeof note.host === 'string' ? { relay: note.relay, host: note.host } : null
  } catch {
    return null
  }
}

/** The one line a refused start prints: who serves DATA_DIR, why this server may not beside it, and what to do. */
function refusal(dataDir: string, relay: Relay, others: OtherServer[]): string {
  const running = others.filter((other) => other.host !== hostname() || stillRunning(other.run)).sort((a, b) => a.run.pid - b.run.pid)
  const alone = running.filter((other) => other.relay === 'alone')
  const named = (servers: OtherServer[]) => servers.map((other) => `pid ${other.run.pid}${other.host === hostname() ? '' : ` on ${other.host}`}`).join(', ')
  const fix = 'give this server a DATA_DIR of its own, or, to serve the same boards from several servers, run each with DATABASE_URL (PostgreSQL) and REDIS_URL'
  if (alone.length > 0) {
    return `another Assay server (${named(alone)}) serves ${dataDir} without REDIS_URL, keeping its boards in memory: pages on the two would not see each other's edits, so this one is not started. Stop that server, or ${fix}.`
  }
  if (relay === 'alone' && running.length > 0) {
    return `Assay servers with REDIS_URL (${named(running)}) serve ${dataDir}; this one, without REDIS_URL, would not hear their edits, nor they its own, so it is not started. Start it with their REDIS_URL, or ${fix}.`
  }
  return `another Assay server serves ${dataDir} (its pid unknown here: it is starting, or runs in another container or an older release), and one of the two has no REDIS_URL to hear the other's edits through, so this one is not started. Stop that server, or ${fix}.`
}
