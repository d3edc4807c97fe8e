/**
 * Writes what a command made to the file named on its command line. The
 * file system's refusals (a folder, a missing folder, a full disk) are the
 * operator's to fix: said in one line, not as an unexpected error's stack.
 */
import { writeFile } from 'node:fs/promises'
import { CliError } from './cli-error.ts'

const WHY: Record<string, string> = {
  EISDIR: 'it is a folder; give a file name',
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is too large for the file system',
  EIO: 'the device reported an input/output error',
  // SQLite's own codes, for a database file it writes (assay backup).
  SQLITE_FULL: 'no space is left on the device',
  SQLITE_CANTOPEN: 'it cannot be opened',
  SQLITE_READONLY: 'the file system is read-only',
}

export async function writeOutFile(path: string, body: Uint8Array | string): Promise<void> {
  try {
    await writeFile(path, body)
  } catch (error) {
    throw cannotWrite(path, error)
  }
}

/** The file system's refusal to write `path` as one line for the operator; any other error as it is. */
export function cannotWrite(path: string, error: unknown, after = ''): unknown {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined
  if (code === undefined) return error
  return new CliError(`Cannot write “${path}”: ${WHY[code] ?? code}${after}.`)
}
