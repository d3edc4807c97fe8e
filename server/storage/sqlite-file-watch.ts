/**
 * Whether the SQLite database file a process has open is still the file at
 * its path. SQLite keeps reading and writing an open file after it is unlinked
 * (DATA_DIR removed) or renamed over, and says nothing: every commit succeeds
 * on a file nobody will open again, and the next start creates an empty
 * database in its place. So the file's device and inode are noted as it is
 * opened and compared with what its path holds before each write (a stat: about
 * 1.5 µs, BENCHMARKS.md) and each ping. Only the database file is watched: a
 * removed `-wal` does no harm, as SQLite checkpoints the open log into the
 * database file all the same.
 */
import { statSync } from 'node:fs'
import type { Logger } from '../log.ts'
import { DatabaseFileGone } from './storage-errors.ts'

export type SqliteFileWatch = {
  /** Throws DatabaseFileGone unless the file at the path is the one opened. */
  check(): void
}

/** Watches the database file at `path`, just opened. The loss is logged once, and so is the file's return (moved back). */
export function watchSqliteFile(path: string, logger: Logger): SqliteFileWatch {
  const opened = statSync(path)
  let missing = false
  return {
    check() {
      const now = statSync(path, { throwIfNoEntry: false })
      if (now !== undefined && now.dev === opened.dev && now.ino === opened.ino) {
        if (missing) logger.info({ path }, 'the SQLite database file is back in its place; writing again')
        missing = false
        return
      }
      const gone = new DatabaseFileGone(path, now === undefined ? 'nothing' : 'another file')
      if (!missing) {
        logger.error(
          { path, err: gone.message },
          'the SQLite database file is gone: nothing more is written (edits are kept in memory, requests refused with 503, not ready). Put the file back or restore a backup, then restart',
        )
      }
      missing = true
      throw gone
    },
  }
}
