/**
 * An uploaded file turned into the text to import: its type decided by its
 * name (then by its media type), its size checked before it is read, its bytes
 * decoded as strict UTF-8, HTML read as text. Browser-safe: the UI, the HTTP
 * route (a multipart File) and the CLI (server/import) share it.
 */
import { LIMITS } from '../limits.ts'
import { ImportError, tooLargeError } from './import-error.ts'
import { htmlToPlainText } from './read-html.ts'

/** What a browser or Node `File` offers; the CLI builds one from a path. */
export type UploadedFile = { name: string; type?: string; size: number; arrayBuffer(): Promise<ArrayBuffer> }

type Format = 'text' | 'html'

const BY_EXTENSION: ReadonlyMap<string, Format> = new Map([
  ['txt', 'text'],
  ['md', 'text'],
  ['markdown', 'text'],
  ['html', 'html'],
  ['htm', 'html'],
])
const BY_MEDIA_TYPE: ReadonlyMap<string, Format> = new Map([
  ['text/plain', 'text'],
  ['text/markdown', 'text'],
  ['text/x-markdown', 'text'],
  ['text/html', 'html'],
])

/** For a file input's `accept`, so the picker offers only what can be read. */
export const UPLOAD_ACCEPT = [...[...BY_EXTENSION.keys()].map((ext) => `.${ext}`), ...BY_MEDIA_TYPE.keys()].join(',')

export async function readUploadedFile(file: UploadedFile): Promise<string> {
  const format = formatOf(file)
  if (file.size > LIMITS.maxDocumentBytes) throw tooLargeError(`“${file.name}”`, file.size, LIMITS.maxDocumentBytes)
  const text = decodeUtf8(await file.arrayBuffer(), file.name)
  return format === 'html' ? htmlToPlainText(text) : text
}

function formatOf(file: UploadedFile): Format {
  const extension = /\.([^./\\]+)$/.exec(file.name)?.[1]?.toLowerCase()
  const mediaType = (file.type ?? '').split(';')[0]!.trim().toLowerCase()
  const format = BY_EXTENSION.get(extension ?? '') ?? BY_MEDIA_TYPE.get(mediaType)
  if (format) return format
  throw new ImportError(
    'unsupported-type',
    `“${file.name}” is not a file Assay can import. Import a .txt, .md or .html file, or paste the text instead.`,
  )
}

/** Strict, so a Latin-1 or UTF-16 file is refused instead of imported as mojibake; a BOM is dropped. */
function decodeUtf8(bytes: ArrayBuffer, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ImportError('not-utf8', `“${name}” is not UTF-8 text. Save it with UTF-8 encoding (most editors offer it under Save As), then import it again.`)
  }
}
