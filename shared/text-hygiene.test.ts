import { describe, expect, it } from 'vitest'
import { cleanText, cleanTextIn, firstUncarriable, hasUncarriableText } from './text-hygiene.ts'

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

  it('cleans every string of a nested value', () => {
    expect(cleanTextIn({ a: ['x\u0001', { b: 'y\uFFFF' }], n: 1, none: null })).toEqual({ a: ['x', { b: 'y' }], n: 1, none: null })
  })
})
