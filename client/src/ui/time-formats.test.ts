import { describe, expect, it } from 'vitest'
import { clockTime, localTime, shownTime, timeSpan } from './time-formats.ts'

describe('times shown on screen', () => {
  it('are DTGs, in UTC, whatever the zone the browser is in', () => {
    expect(shownTime('2026-12-07T20:10:00.000Z')).toBe('072010Z DEC 26')
    expect(clockTime('2026-12-07T20:10:59.000Z')).toBe('2010Z')
  })

  it('give a span once when both ends fall in the same minute, the day once within a UTC day, both DTGs across days', () => {
    expect(timeSpan('2026-11-28T13:42:05Z', '2026-11-28T13:42:50Z')).toBe('281342Z NOV 26')
    expect(timeSpan('2026-11-28T13:42:00Z', '2026-11-28T13:50:00Z')).toBe('281342Z NOV 26 – 1350Z')
    expect(timeSpan('2026-11-30T23:50:00Z', '2026-12-01T00:10:00Z')).toBe('302350Z NOV 26 – 010010Z DEC 26')
  })

  it('name the zone of the local time given as a hint', () => {
    const parts = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date('2026-12-07T20:10:00Z'))
    const zone = parts.find((part) => part.type === 'timeZoneName')!.value
    expect(localTime('2026-12-07T20:10:00Z')).toContain(zone)
  })
})
