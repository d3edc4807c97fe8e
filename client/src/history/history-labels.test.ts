import { describe, expect, it } from 'vitest'
import { withoutIsolates } from '../../../shared/bidi.ts'
import type { AssessmentChange } from '../../../shared/history-model.ts'
import { overriddenProductText } from '../../../test/helpers/overridden-text.ts'
import { changeText, shortTime, timeSpan } from './history-labels.ts'
import type { ClaimModel } from '../../../shared/board-model.ts'

/** Local times, so that the days compared are the same in any time zone the tests run in. */
const at = (month: number, day: number, hour: number, minute: number, second = 0) => new Date(2026, month, day, hour, minute, second).toISOString()
const now = new Date(2026, 10, 28, 18, 0)
const monthName = (iso: string) => new Intl.DateTimeFormat(undefined, { month: 'short' }).format(new Date(iso))
const occurrences = (text: string, part: string) => text.split(part).length - 1

describe('timeSpan, the time an editing session ran', () => {
  it('is one time when both ends fall in the same minute', () => {
    const from = at(10, 28, 1, 37, 5)
    expect(timeSpan(from, at(10, 28, 1, 37, 50), now)).toBe(shortTime(from, now))
    expect(timeSpan(at(10, 20, 1, 37, 5), at(10, 20, 1, 37, 50), now)).toBe(shortTime(at(10, 20, 1, 37, 5), now))
  })

  it('today, gives the two times without a date, and what they share once', () => {
    const span = timeSpan(at(10, 28, 1, 37), at(10, 28, 1, 52), now)
    expect(span).toMatch(/37.*52/)
    expect(span).not.toContain(monthName(at(10, 28, 1, 37)))
    const dayPeriod = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(at(10, 28, 1, 37))).find((part) => part.type === 'dayPeriod')
    if (dayPeriod) expect(occurrences(span, dayPeriod.value)).toBe(1)
  })

  it('on another day, gives its date once', () => {
    const span = timeSpan(at(10, 20, 13, 42), at(10, 20, 13, 50), now)
    expect(span).toMatch(/42.*50/)
    expect(occurrences(span, monthName(at(10, 20, 13, 42)))).toBe(1)
    expect(occurrences(span, '20')).toBe(1)
  })

  it('across days, gives both dates, and both months across a month’s end', () => {
    const overnight = timeSpan(at(10, 26, 23, 50), at(10, 27, 0, 10), now)
    expect(overnight).toMatch(/26.*27/)
    const overMonthEnd = timeSpan(at(9, 31, 23, 50), at(10, 1, 0, 10), now)
    expect(overMonthEnd).toContain(monthName(at(9, 31, 23, 50)))
    expect(overMonthEnd).toContain(monthName(at(10, 1, 0, 10)))
  })

  it('runs into today with the date on both ends', () => {
    const span = timeSpan(at(10, 27, 23, 50), at(10, 28, 0, 10), now)
    expect(span).toMatch(/27.*28/)
  })
})

describe('changeText of a long text recorded as the part that changed', () => {
  const change = (from: unknown, to: unknown): AssessmentChange => ({ assessmentId: 'a1', field: 'judgment', from, to, by: { userId: 'u1', name: 'Ana' }, firstAt: now.toISOString(), at: now.toISOString() })
  // As read, without the isolates around each side (tested below).
  const text = (value: AssessmentChange) => withoutIsolates(changeText(value, 'icd203', new Map()))

  it('shows the part kept, with an ellipsis where the text goes on', () => {
    const said = text(change({ excerpt: 'before the change', start: 100, length: 19_990 }, { excerpt: 'before x the change', start: 100, length: 19_991 }))
    expect(said).toContain('“…before the change…”')
    expect(said).toContain('“…before x the change…”')
    expect(text(change({ excerpt: 'Start of it', start: 0, length: 11 }, 'Start'))).toContain('“Start of it” → “Start”')
  })

  it('leaves no override open over the arrow, the author or the time when the cut drops its end', () => {
    // A red team's edit: one word replaced by an override whose end falls past the 60 characters shown.
    const forged = `\u202E${[...'UNLIKELY in 2027.”, Editor 0, 10:31 AM'].reverse().join('')}${'_'.repeat(80)}\u202C`
    const said = changeText(change({ excerpt: 'We judge a coup UNLIKELY in 2027.', start: 400, length: 900 }, { excerpt: `We judge a coup ${forged}LIKELY in 2027.`, start: 400, length: 1020 }), 'icd203', new Map())
    expect(overriddenProductText(`${said}, Editor 1, 10:32 AM`)).toEqual([])
    // Each side is its own isolate, whatever the other holds.
    expect(said).toMatch(/^judgment: “\u2068[^\u2068\u2069]*\u2069” → “\u2068[^\u2068\u2069]*\u2069”$/)
  })

  it('shows a change recorded whole as before', () => {
    expect(text(change('Initial', 'Initial reading'))).toContain('“Initial” → “Initial reading”')
  })
})

describe('changeText of tags and links recorded as the items added and removed', () => {
  const change = (field: 'tags' | 'links', from: unknown, to: unknown): AssessmentChange => ({ assessmentId: 'a1', field, from, to, by: { userId: 'u1', name: 'Ana' }, firstAt: now.toISOString(), at: now.toISOString() })
  const claims = new Map([['c1', { id: 'c1', text: 'Columns seen near Rostov.' } as ClaimModel], ['c2', { id: 'c2', text: 'Fuel stocks moved.' } as ClaimModel]])
  const text = (value: AssessmentChange) => withoutIsolates(changeText(value, 'icd203', claims))

  it('names the tags added and removed, as it does of a change recorded whole', () => {
    expect(text(change('tags', { items: ['wagner'], length: 31 }, { items: ['belarus', 'logistics'], length: 32 }))).toBe('tags: added #belarus #logistics; removed #wagner')
    expect(text(change('tags', { items: [], length: 31 }, { items: ['wagner'], length: 32 }))).toBe('tags: added #wagner')
    expect(text(change('tags', ['a', 'wagner'], ['a']))).toBe('tags: removed #wagner')
    // A reordering is recorded whole, and shown so.
    expect(text(change('tags', ['a', 'b'], ['b', 'a']))).toBe('tags: #a #b → #b #a')
  })

  it('names the claims linked, unlinked and rated again, from either form', () => {
    const link = (claimId: string, rating: string) => ({ claimId, rating })
    const recorded = text(change('links', { items: [link('c1', 'C'), link('c2', 'I')], length: 1_000 }, { items: [link('c1', 'II')], length: 999 }))
    expect(recorded).toBe('linked claims: rated “Columns seen near Rostov.” C → II; unlinked “Fuel stocks moved.”')
    expect(text(change('links', [link('c1', 'C'), link('c2', 'I')], [link('c1', 'II')]))).toBe(recorded)
  })
})
