/**
 * Why an import was refused. Every import error is found before the board is
 * touched, so an ImportError always means nothing changed. `kind` lets the HTTP
 * layer pick a status (too-large → 413, unsupported-type → 415, the rest → 400);
 * `message` is for the person as it is: what was wrong and what to do.
 */
import { formatBytes } from '../format-number.ts'

export type ImportErrorKind =
  | 'empty'
  | 'no-citation'
  | 'bad-citation'
  | 'too-long'
  | 'too-large'
  /** HTML nested deeper than LIMITS.maxHtmlDepth. */
  | 'too-deep'
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

export function tooLargeError(what: string, bytes: number, limit: number): ImportError {
  return new ImportError(
    'too-large',
    `${what} is ${formatBytes(bytes)}; the limit is ${formatBytes(limit)}. Split it into smaller documents and import each one.`,
  )
}
