/**
 * The military date-time group the briefing prints (DOMAIN.md): always UTC,
 * `DDHHMMZ MON YY`, e.g. `281530Z NOV 26`. The same words as the server's
 * export (server/export/date-time-group.ts), so a snapshot reads the same on
 * screen and on paper; the client cannot import server code.
 */
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']

const twoDigits = (n: number) => String(n).padStart(2, '0')

export function dateTimeGroup(iso: string): string {
  const t = new Date(iso)
  if (Number.isNaN(t.getTime())) return iso
  return (
    `${twoDigits(t.getUTCDate())}${twoDigits(t.getUTCHours())}${twoDigits(t.getUTCMinutes())}Z ` +
    `${MONTHS[t.getUTCMonth()]} ${twoDigits(t.getUTCFullYear() % 100)}`
  )
}

/** The start of a content hash people compare by eye, as in a commit id. */
export function shortHash(hash: string): string {
  return hash.slice(0, 8)
}
