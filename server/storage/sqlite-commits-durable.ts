/**
 * With `synchronous = NORMAL` (SQLITE_SYNCHRONOUS's default) SQLite writes a
 * commit into the WAL without fsyncing it: it survives the process's crash,
 * not a power cut. An fsync of the WAL file (of its inode: any descriptor will
 * do) makes every commit written to it so far durable. A commit no longer in
 * the WAL was copied into the database file by a checkpoint, which fsyncs the
 * database file before the WAL is started over or truncated (a missing WAL:
 * nothing left in it). Done off the relay's thread, by whoever must not lose
 * a change on a power cut (held-change-spool.ts, before a file is removed).
 */
import { open } from 'node:fs/promises'

/** `databaseFile`: the SQLite file's path (its WAL is beside it). */
export function sqliteCommitsDurable(databaseFile: string): () => Promise<void> {
  const wal = `${databaseFile}-wal`
  return async () => {
    const file = await open(wal, 'r').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    })
    if (!file) return
    try {
      await file.sync()
    } finally {
      await file.close()
    }
  }
}
