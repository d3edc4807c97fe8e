/**
 * A file on disk read as the text to import (`assay import FILE`): the same
 * checks as an upload, and a file over the size limit is refused from its size
 * alone, before any of it is read.
 */
import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { readUploadedFile } from '../../shared/import/decode-upload.ts'
import { ImportError } from '../../shared/import/import-error.ts'

export async function readImportFile(path: string): Promise<string> {
  const info = await stat(path).catch((error: unknown) => {
    throw unreadable(path, error)
  })
  if (!info.isFile()) throw new ImportError('unreadable-file', `“${path}” is not a file. Give the path of a .txt, .md or .html file.`)
  return readUploadedFile({ name: basename(path), size: info.size, arrayBuffer: () => readBytes(path) })
}

async function readBytes(path: string): Promise<ArrayBuffer> {
  const bytes = await readFile(path).catch((error: unknown) => {
    throw unreadable(path, error)
  })
  return new Uint8Array(bytes).buffer
}

function unreadable(path: string, error: unknown): ImportError {
  const code = error instanceof Error && 'code' in error ? error.code : undefined
  const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String(error)
  return new ImportError('unreadable-file', `Cannot read “${path}”: ${why}. Check the path and try again.`)
}
