/**
 * Why an import was refused. Every import error is found before the board is
 * touched, so an ImportError always means nothing changed. `kind` lets the HTTP
 * layer pick a status (too-large → 413, unsupported-type → 415, the rest → 400);
 * `message` is for the person as it is: what was wrong and what to do.
 */
export type ImportErrorKind =
  | 'empty'
  | 'no-citation'
  | 'bad-citation'
  | 'too-long'
  | 'too-large'
  | 'not-utf8'
  | 'unsupported-type'
  /** Only from a path given to the CLI. */
  | 'unreadable-file'

export class ImportError extends Error {
  constructor(
    readonly kind: ImportErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'ImportError'
  }
}

/**
 * "2.1 MB", "512 KB": sizes as a person reads them. Rounded up, so a size just
 * over the limit never reads as equal to it.
 */
export function formatBytes(bytes: number): string {
  const mb = 1024 * 1024
  if (bytes >= mb) return `${String(Math.ceil((bytes / mb) * 10) / 10)} MB`
  return `${Math.ceil(bytes / 1024)} KB`
}

export function tooLargeError(what: string, bytes: number, limit: number): ImportError {
  return new ImportError(
    'too-large',
    `${what} is ${formatBytes(bytes)}; the limit is ${formatBytes(limit)}. Split it into smaller documents and import each one.`,
  )
}
