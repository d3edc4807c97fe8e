/**
 * Numbers as a person reads them, without Intl: the server formats some at
 * start (its API description), and `toLocaleString` there loaded the ICU
 * locale data, 5 MB more resident memory for every process.
 */

/**
 * "2.1 MB", "512 KB": sizes as a person reads them. Rounded up, so a size just
 * over the limit never reads as equal to it.
 */
export function formatBytes(bytes: number): string {
  const mb = 1024 * 1024
  if (bytes >= mb) return `${String(Math.ceil((bytes / mb) * 10) / 10)} MB`
  return `${Math.ceil(bytes / 1024)} KB`
}

/** "4,000,000": a whole number with its thousands grouped. */
export function formatCount(count: number): string {
  return String(Math.trunc(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** "1 board", "2,500 boards": a count with its noun, plural by adding an s. */
export function countOf(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`
}
