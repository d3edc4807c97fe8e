/**
 * Every time shown to people on screen, from one place: the date-time group
 * (DTG, always UTC, `072010Z DEC 26`), as DOMAIN.md's briefings and the
 * snapshot banner write it, so that no time on the page is read in a zone it
 * is not in; the person's own local time, with its zone named, only as the
 * hint beside it.
 */
import { dateTimeGroup, parseTime } from '../../../shared/date-time-group.ts'

const twoDigits = (n: number) => String(n).padStart(2, '0')

const local = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })

/** A moment as shown on screen: its DTG. */
export function shownTime(iso: string): string {
  return dateTimeGroup(iso)
}

/** "1342Z": the time of day in UTC, for a moment whose day is already said beside it. */
export function clockTime(iso: string): string {
  const t = parseTime(iso)
  return `${twoDigits(t.getUTCHours())}${twoDigits(t.getUTCMinutes())}Z`
}

/** The same moment in the person's own zone, the zone named ("7 Dec 2026, 22:10 GMT+1"): for a hint (a title) beside a DTG. */
export function localTime(iso: string): string {
  return local.format(parseTime(iso))
}

/**
 * When a span of time ran: one DTG when both ends fall in the same minute,
 * "281342Z NOV 26 – 1350Z" within one UTC day, two DTGs across days.
 */
export function timeSpan(fromIso: string, toIso: string): string {
  const from = shownTime(fromIso)
  const to = shownTime(toIso)
  if (from === to) return from
  const sameDay = parseTime(fromIso).toISOString().slice(0, 10) === parseTime(toIso).toISOString().slice(0, 10)
  return `${from} – ${sameDay ? clockTime(toIso) : to}`
}
