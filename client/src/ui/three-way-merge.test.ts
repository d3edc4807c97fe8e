import { describe, expect, it } from 'vitest'
import { mergeThreeWay, rebaseCaret } from './three-way-merge.ts'

describe('mergeThreeWay', () => {
  it('takes the one side that changed', () => {
    expect(mergeThreeWay('note', 'note', 'note by Bo')).toEqual({ text: 'note by Bo', overlapped: false })
    expect(mergeThreeWay('note', 'note by Ana', 'note')).toEqual({ text: 'note by Ana', overlapped: false })
    expect(mergeThreeWay('note', 'same', 'same')).toEqual({ text: 'same', overlapped: false })
  })

  it('applies both changes where they are apart, in either order of the text', () => {
    const base = 'Columns seen near Minsk on Monday.'
    const ana = 'Armoured columns seen near Minsk on Monday.'
    const bo = 'Columns seen near Minsk on Tuesday.'
    const both = 'Armoured columns seen near Minsk on Tuesday.'
    expect(mergeThreeWay(base, ana, bo)).toEqual({ text: both, overlapped: false })
    expect(mergeThreeWay(base, bo, ana)).toEqual({ text: both, overlapped: false })
  })

  it('applies an insertion right where the other side’s deletion starts, the insertion first', () => {
    expect(mergeThreeWay('abcdef', 'abXcdef', 'abef')).toEqual({ text: 'abXef', overlapped: false })
    expect(mergeThreeWay('abcdef', 'abef', 'abXcdef')).toEqual({ text: 'abXef', overlapped: false })
  })

  it('keeps both texts added at one place, the stored one first, with a break between', () => {
    const base = 'No immediate signs.'
    expect(mergeThreeWay(base, `${base} Ana: imagery disagrees.`, `${base} Bo: NATO confirmed.`)).toEqual({
      text: `${base} Bo: NATO confirmed. Ana: imagery disagrees.`,
      overlapped: true,
    })
    expect(mergeThreeWay('', 'Ana', 'Bo')).toEqual({ text: 'Bo\nAna', overlapped: true })
    expect(mergeThreeWay('', 'Ana', 'Bo', false)).toEqual({ text: 'Bo Ana', overlapped: true })
  })

  it('keeps both versions of a span both rewrote, with the text around it once', () => {
    expect(mergeThreeWay('The cat sat down.', 'The dog sat down.', 'The cow lay down.')).toEqual({
      text: 'The cow lay\ndog sat down.',
      overlapped: true,
    })
  })

  it('takes an identical change made on both sides once', () => {
    expect(mergeThreeWay('ab', 'aXYb', 'aXYb')).toEqual({ text: 'aXYb', overlapped: false })
    expect(mergeThreeWay('abcd', 'aXcd', 'aXcd')).toEqual({ text: 'aXcd', overlapped: false })
  })

  it('is the same whoever merges, up to which text is stored', () => {
    const base = 'one two three'
    const ana = 'one 2 three'
    const bo = 'one two 3'
    expect(mergeThreeWay(base, ana, bo).text).toBe(mergeThreeWay(base, bo, ana).text)
  })

  // 😀 U+1F600, 😁 U+1F601 and 😂 U+1F602 share their first UTF-16 unit; 😀 and 🈀 U+1F200 their second.
  it('keeps surrogate pairs whole where both sides changed one character of a pair', () => {
    expect(mergeThreeWay('Threat 😀', 'Threat 😁', 'Threat 😂', false)).toEqual({ text: 'Threat 😂 😁', overlapped: true })
    expect(mergeThreeWay('😀 threat', '🈀 threat', '😁 threat', false)).toEqual({ text: '😁 🈀 threat', overlapped: true })
    expect(mergeThreeWay('a😀b', 'a😁b', 'a😀b!')).toEqual({ text: 'a😁b!', overlapped: false })
    expect(mergeThreeWay('😀😀', '😁😀', '😀😂')).toEqual({ text: '😁😂', overlapped: false })
    const cases: [string, string, string][] = [
      ['Threat 😀', 'Threat 😁', 'Threat 😂'],
      ['😀', '🈀', '😁'],
      ['x😀y😀z', 'x😁y😀z', 'x😀y🈀z'],
    ]
    // With the u flag, a class of surrogates matches only a lone half.
    for (const [base, mine, theirs] of cases) expect(mergeThreeWay(base, mine, theirs).text).not.toMatch(/[\uD800-\uDFFF]/u)
  })
})

describe('rebaseCaret', () => {
  it('keeps a caret before the change, moves one after it by the change’s length', () => {
    expect(rebaseCaret('hello world', 'hello brave world', 3)).toBe(3)
    expect(rebaseCaret('hello world', 'hello brave world', 9)).toBe(15)
    expect(rebaseCaret('note Ana', 'note Bo Ana', 8)).toBe(11)
  })

  it('puts a caret inside a replaced span at the span’s end', () => {
    expect(rebaseCaret('The cat sat', 'The lion sat', 5)).toBe(8)
  })

  it('puts a caret inside a replaced span ending in a changed surrogate pair after the whole pair', () => {
    expect(rebaseCaret('Aq😀', 'A🈀', 2)).toBe(3)
    expect(rebaseCaret('Threat 😁', 'Threat 😂 😁', 9)).toBe(12)
  })
})
