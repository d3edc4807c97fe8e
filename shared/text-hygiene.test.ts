import { describe, expect, it } from 'vitest'
import { cleanText, cleanTextIn, firstUncarriable, hasLongMarkRun, hasUncarriableText, markRunEnds, MAX_MARK_RUN } from './text-hygiene.ts'

describe('the text rule', () => {
  it('keeps what every format carries: tabs, newlines, emoji pairs, joiners, any script', () => {
    const fine = 'Tab\there\nnew line · 😀 👩‍💻 Сводка „ernst“ \u00A0\u200B\uFEFF\uFFFD'
    expect(cleanText(fine)).toBe(fine)
    expect(hasUncarriableText(fine)).toBe(false)
    expect(firstUncarriable(fine)).toBeNull()
  })

  it('drops controls and noncharacters, makes foreign line breaks newlines and lone surrogates U+FFFD', () => {
    expect(cleanText('a\u0000b\u001Fc\u007Fd\u009Fe')).toBe('abcde')
    expect(cleanText('x\r\ny\rz\u000Bw\u000Cv\u0085u')).toBe('x\ny\nz\nw\nv\nu')
    expect(cleanText('\uFDD0\uFDEF\uFFFE\uFFFF\u{1FFFE}\u{2FFFF}\u{10FFFE}\u{10FFFF}ok')).toBe('ok')
    expect(cleanText('\uD83D alone, \uDE00 alone, \uD83D\uDE00 paired')).toBe('\uFFFD alone, \uFFFD alone, 😀 paired')
    expect(firstUncarriable('ok\uFFFE')).toBe('U+FFFE')
    expect(firstUncarriable('\u{10FFFF}')).toBe('U+10FFFF')
  })

  it('caps a run of combining marks on one character at 30, as the Stream-Safe Text Format does', () => {
    const acute = '\u0301'
    // What real text carries: accents decomposed, Vietnamese, Devanagari, Hebrew points, emoji with skin tones and joiners, up to 30 marks.
    const fine = `e${acute} ê\u0323\u0301 नमस्ते שָׁלוֹם 👩🏽‍💻 👨‍👩‍👧‍👦 a${acute.repeat(MAX_MARK_RUN)}`
    expect([cleanText(fine), hasUncarriableText(fine), firstUncarriable(fine)]).toEqual([fine, false, null])
    // One letter with 10,000 marks, of one kind or mixed (and joiners, which carry on the cluster too): cut to its first 30.
    expect(cleanText(`a${acute.repeat(10_000)}b`)).toBe(`a${acute.repeat(MAX_MARK_RUN)}b`)
    expect(cleanText(`x${'\u0300\u200D\u20DD'.repeat(100)}y${acute.repeat(31)}`)).toBe(`x${'\u0300\u200D\u20DD'.repeat(10)}y${acute.repeat(MAX_MARK_RUN)}`)
    expect(hasLongMarkRun(`a${acute.repeat(MAX_MARK_RUN + 1)}`)).toBe(true)
    expect(hasUncarriableText(`a${acute.repeat(MAX_MARK_RUN + 1)}`)).toBe(true)
    expect(firstUncarriable(`a${acute.repeat(MAX_MARK_RUN + 1)}`)).toBe('a run of more than 30 combining marks on one character')
    // A control character is named first, and both are cleaned.
    expect(firstUncarriable(`a${acute.repeat(40)}\u0007`)).toBe('U+0007')
    expect(cleanText(`a${acute.repeat(20)}\u0007${acute.repeat(20)}`)).toBe(`a${acute.repeat(MAX_MARK_RUN)}`)
    // How a run joins its neighbours', read at a string's ends.
    expect(markRunEnds(`${acute}${acute}x${acute}`)).toEqual({ leading: 2, trailing: 1, onlyMarks: false })
    expect(markRunEnds(`${acute}\u{1D165}`)).toEqual({ leading: 2, trailing: 2, onlyMarks: true })
  })

  it('cleans every string of a nested value', () => {
    expect(cleanTextIn({ a: ['x\u0001', { b: 'y\uFFFF' }], n: 1, none: null })).toEqual({ a: ['x', { b: 'y' }], n: 1, none: null })
  })
})
