/** Times as analysts write them: the DTG on screen and in every briefing, from one definition. */
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']

const twoDigits = (n: number) => String(n).padStart(2, '0')

/** The military date-time group, always in UTC ("Z"): `DDHHMMZ MON YY`, e.g. `281530Z NOV 26`. */
export function dateTimeGroup(iso: string): string {
  const t = parseTime(iso)
  return (
    `${twoDigits(t.getUTCDate())}${twoDigits(t.getUTCHours())}${twoDigits(t.getUTCMinutes())}Z ` +
    `${MONTHS[t.getUTCMonth()]} ${twoDigits(t.getUTCFullYear() % 100)}`
  )
}

/** "2026-11-28 15:30 UTC": how a time reads in a briefing's text. */
export function readableTime(iso: string): string {
  const t = parseTime(iso)
  return `${t.getUTCFullYear()}-${twoDigits(t.getUTCMonth() + 1)}-${twoDigits(t.getUTCDate())} ${twoDigits(t.getUTCHours())}:${twoDigits(t.getUTCMinutes())} UTC`
}

/** `readableTime` with the seconds when the time is not on the minute: the moment a board is shown as of, which may be any. */
export function preciseTime(iso: string): string {
  const t = parseTime(iso)
  if (t.getUTCSeconds() === 0 && t.getUTCMilliseconds() === 0) return readableTime(iso)
  return readableTime(iso).replace(' UTC', `:${twoDigits(t.getUTCSeconds())} UTC`)
}

export function parseTime(iso: string): Date {
  const t = new Date(iso)
  if (Number.isNaN(t.getTime())) throw new RangeError(`Not an ISO 8601 time: ${iso}`)
  return t
}

/** The start of a content hash, for people to compare by eye, as with a commit id. */
export function shortHash(hash: string): string {
  return hash.slice(0, 8)
}
