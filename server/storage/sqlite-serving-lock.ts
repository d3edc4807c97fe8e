/**
 * The serving lock of a SQLite database: SQLite's own lock on a file of its
 * own in DATA_DIR, `assay-serving.lock`, which stays empty. A server holds a
 * read transaction open on it (a SHARED lock), an import begins an exclusive
 * one (an EXCLUSIVE lock, refused while any SHARED is held, and refusing them
 * while held). These are the operating system's record locks, so a process
 * that dies, even by SIGKILL, leaves no lock behind, only the empty file; and
 * SQLite keeps the locks of one process's connections apart as well.
 */
import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import type { Logger } from '../log.ts'
import type { ExclusiveLock, LockMode, SharedLock } from './held-lock.ts'

const SERVING_LOCK_FILE_NAME = 'assay-serving.lock'
/**
 * How often a server looks whether a lock file it holds (its serving lock's, its held-changes spool's) is still the
 * file at its name: deleted (a clean-up of a "stale" lock) or replaced, the lock it holds is on a file nobody opens
 * again, and it takes the lock on the new one.
 */
const LOCK_FILE_CHECK_MS = 1_000

/** The serving locks this process holds, by data folder: SQLite keeps one process's connections apart, so its own lock refuses it a second one. */
const heldHere = new Map<string, { shared: number; exclusive: number }>()

/**
 * Who may checkpoint the database's WAL (sqlite.ts). `server`: this process
 * serves it (holds the lock shared). `elsewhere`: another process holds the
 * lock (a server serving it, or a backup or an import): the log is the
 * server's, whose relay waits behind any checkpoint that waits for readers.
 * `nobody`: no process holds it, though a server may start at any moment.
 */
export function sqliteLogOwner(dataDir: string): 'server' | 'elsewhere' | 'nobody' {
  const held = heldHere.get(resolve(dataDir))
  if (held && held.shared > 0) return 'server'
  // This process holds it alone (an import, a restore): nobody else serves.
  if (held && held.exclusive > 0) return 'nobody'
  const alone = trySqliteServingLock(dataDir, 'exclusive')
  if (!alone) return 'elsewhere'
  // Its release closes a connection; nothing the caller could act on should that fail.
  alone.release().catch(() => undefined)
  return 'nobody'
}

/**
 * How a lock is held: `fileName`, another lock of the folder's than its serving lock (the held-changes spool's,
 * held-change-spool.ts); `kept`, whether it is held for as long as a server runs, and so kept on the file at its name
 * (keepOnTheFileNamed) rather than for a command's moments, which a second guard covers (takeDatabaseAlone); `logger`,
 * where a kept lock says it was put on a new file, or is kept waiting for one.
 */
export type LockFile = { fileName?: string; kept?: boolean; logger?: Logger }

/** A held lock; `takenAwayHandlers`: how many onTakenAway handlers wait, one per holder that asked (held-change-spool.ts registers once). */
export type SqliteFileLock = SharedLock & ExclusiveLock & { readonly takenAwayHandlers: number }

/** The one object serves either mode: nothing about a file lock differs between them once held. */
export function trySqliteServingLock(
  dataDir: string,
  mode: LockMode,
  { fileName = SERVING_LOCK_FILE_NAME, kept = mode === 'shared', logger }: LockFile = {},
): SqliteFileLock | null {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, fileName)
  let locked = lockFile(path, mode)
  if (!locked) return null
  const key = resolve(dataDir)
  const held = heldHere.get(key) ?? { shared: 0, exclusive: 0 }
  held[mode]++
  heldHere.set(key, held)
  let released = false
  let takenAway = false
  let waitingForNewFile = false
  const takenAwayHandlers: (() => void)[] = []
  const keeping = kept ? setInterval(keepOnTheFileNamed, LOCK_FILE_CHECK_MS).unref() : undefined
  function keepOnTheFileNamed(): void {
    try {
      if (locked && sameFile(statSync(path, { throwIfNoEntry: false }), locked.file)) return
      const again = lockFile(path, mode)
      if (!again && mode === 'exclusive') {
        // Another process holds the new file, shared or exclusive: one refused while this one held the old file took
        // it within milliseconds of its deletion (a second server's spool), and believes itself alone as this one does.
        // Lost, as a server's lock on PostgreSQL an import took (pg-serving-lock.ts): the holder is told (the spool is
        // claimed anew at its next change).
        loseLock()
        return
      }
      if (!again) {
        // A shared lock is refused only by an exclusive one: a command's moment on the new file (`assay import`'s,
        // `restore`'s or `board set-aside-damaged`'s takeDatabaseAlone, another process's sqliteLogOwner), which the
        // database this process has open refuses anyway (sqlite-open-elsewhere.ts); another server would have shared
        // it. Stopping the server there stopped it for a command that wrote nothing: kept, tried again next time.
        if (!waitingForNewFile) logger?.warn({ file: path }, 'the serving lock’s file was deleted or replaced, and another process holds the new one for a moment: still serving, trying again every second')
        waitingForNewFile = true
        return
      }
      // Another inode than the one just locked: closing the old file lets go of nothing on the new one.
      locked?.client.close()
      locked = again
      waitingForNewFile = false
      logger?.info({ file: path }, 'the lock’s file was deleted or replaced: the lock is now held on the new one')
    } catch {
      // DATA_DIR gone or unreadable for a moment: tried again next time, the old lock held meanwhile.
    }
  }
  function loseLock(): void {
    takenAway = true
    clearInterval(keeping)
    locked?.client.close()
    locked = null
    for (const handler of takenAwayHandlers.splice(0)) handler()
  }
  return {
    async release() {
      if (!released) held[mode]--
      released = true
      clearInterval(keeping)
      // Closing ends the open transaction, which lets the lock go.
      locked?.client.close()
      locked = null
    },
    // An OS file lock goes only with its process, but a kept one is lost when another process takes the file put at its name (above).
    onTakenAway(handler) {
      if (takenAway) handler()
      else takenAwayHandlers.push(handler)
    },
    get takenAwayHandlers() {
      return takenAwayHandlers.length
    },
    async watchWrites() {},
    async stillHeld() {
      return true
    },
  }
}

/** The lock taken on the file at `path`, and which file that is (its device and inode); null when another process holds it. */
function lockFile(path: string, mode: LockMode): { client: Database.Database; file: Stats } | null {
  createPrivately(path)
  // No busy timeout: a refusal is answered at once, and the caller decides whether to wait.
  const client = new Database(path, { timeout: 0 })
  try {
    if (mode === 'exclusive') {
      client.exec('begin exclusive')
    } else {
      client.exec('begin')
      // A deferred transaction takes its SHARED lock at its first read, and keeps it until it ends.
      client.prepare('select count(*) from sqlite_master').get()
    }
    return { client, file: statSync(path) }
  } catch (error) {
    client.close()
    if (isBusy(error)) return null
    throw error
  }
}

function sameFile(now: Stats | undefined, locked: Stats): boolean {
  return now !== undefined && now.dev === locked.dev && now.ino === locked.ino
}

/**
 * Only when missing: an OS record lock belongs to the process, and closing any
 * descriptor the process has of the file lets go of all its locks on it, so
 * opening and closing the file again here dropped the lock this process held
 * already (a second server in one process, a test), while SQLite still took it
 * for held.
 */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')
}
