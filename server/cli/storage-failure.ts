/**
 * What a command prints when the database cannot be written: one line naming
 * the file and the cause, and a status of its own (STORAGE_FAILURE_EXIT), not
 * a stack trace under "unexpected error". SQLite's errors name no file, so
 * they are the database's; a file system error names its file, which is the
 * database's when it is in DATA_DIR (the folder made, the file opened) and
 * another file's otherwise (an `--out` of a command).
 */
import { dirname, relative, isAbsolute } from 'node:path'
import { codesOf } from '../storage/storage-errors.ts'

/** The status a command exits with when the database, or a file it writes, cannot be written. */
export const STORAGE_FAILURE_EXIT = 3

/** Each cause by the first characters of its code (SQLite's extended codes start with their primary one). */
const CAUSES: [code: string, cause: string][] = [
  ['SQLITE_FULL', 'no space left on the device'],
  ['ENOSPC', 'no space left on the device'],
  ['EDQUOT', 'the disk quota is used up'],
  ['SQLITE_IOERR', 'the disk reported an I/O error (SQLite reports a full disk so too)'],
  ['SQLITE_READONLY', 'it is read-only (the file, its folder or the file system)'],
  ['EROFS', 'the file system is read-only'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['SQLITE_CANTOPEN', 'SQLite cannot open it (its folder missing, or not writable)'],
  ['ENOTDIR', 'part of its path is a file, not a folder'],
]

/**
 * The line (without "assay: ") saying what cannot be written and why, or
 * null when `error` is no such failure. `database`: the SQLite database's
 * file, null when the database is PostgreSQL.
 */
export function storageFailureLine(error: unknown, database: string | null): string | null {
  for (const code of codesOf(error)) {
    const cause = CAUSES.find(([prefix]) => code.startsWith(prefix))?.[1] ?? (code === 'EEXIST' && syscallOf(error) === 'mkdir' ? 'a file is in the place of its folder' : undefined)
    if (cause === undefined) continue
    const file = pathOf(error)
    if (database !== null && (file === null || within(dirname(database), file))) {
      return `the database at ${database} cannot be written: ${cause} (${code}${file !== null && file !== database ? ` on ${file}` : ''}).`
    }
    if (file !== null) return `${file} cannot be written: ${cause} (${code}).`
  }
  return null
}

/** Whether `file` is `folder` or in it. */
function within(folder: string, file: string): boolean {
  const path = relative(folder, file)
  return path === '' || (!path.startsWith('..') && !isAbsolute(path))
}

/** The file a file system error names: Node puts it in `path`. */
function pathOf(error: unknown): string | null {
  return typeof error === 'object' && error !== null && 'path' in error && typeof error.path === 'string' ? error.path : null
}

function syscallOf(error: unknown): string | null {
  return typeof error === 'object' && error !== null && 'syscall' in error && typeof error.syscall === 'string' ? error.syscall : null
}
