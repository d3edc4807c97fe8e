import { describe, expect, it } from 'vitest'
import { withoutIsolates } from '../../../shared/bidi.ts'
import type { AssessmentChange } from '../../../shared/history-model.ts'
import { overriddenProductText } from '../../../test/helpers/overridden-text.ts'
import { changeText } from './history-labels.ts'
import type { ClaimModel } from '../../../shared/board-model.ts'

const now = new Date(2026, 10, 28, 18, 0)

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
