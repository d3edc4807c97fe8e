import { describe, expect, it } from 'vitest'
import { boundedTextChange, CONTEXT_CHARS, isTextExcerpt, MAX_CHANGED_CHARS, WHOLE_TEXT_CHARS, type TextExcerpt } from './text-excerpt.ts'

const long = '語'.repeat(19_990)

describe('boundedTextChange, a long text as a recorded change holds it', () => {
  it('keeps short texts whole', () => {
    expect(boundedTextChange('a', 'ab')).toEqual({ from: 'a', to: 'ab' })
    expect(boundedTextChange(null, 'x'.repeat(WHOLE_TEXT_CHARS))).toEqual({ from: null, to: 'x'.repeat(WHOLE_TEXT_CHARS) })
  })

  it('keeps of a keystroke in a long text the keystroke and a little context, at the same offset on both sides', () => {
    const before = `${long.slice(0, 10_000)}${long.slice(10_000)}`
    const after = `${long.slice(0, 10_000)}x${long.slice(10_000)}`
    const { from, to } = boundedTextChange(before, after) as { from: TextExcerpt; to: TextExcerpt }
    expect(from).toEqual({ excerpt: '語'.repeat(2 * CONTEXT_CHARS), start: 10_000 - CONTEXT_CHARS, length: 19_990 })
    expect(to).toEqual({ excerpt: `${'語'.repeat(CONTEXT_CHARS)}x${'語'.repeat(CONTEXT_CHARS)}`, start: 10_000 - CONTEXT_CHARS, length: 19_991 })
  })

  it('keeps of a long paste or deletion only its start', () => {
    const { from, to } = boundedTextChange('', long)
    expect(from).toBe('')
    expect(isTextExcerpt(to) && to.excerpt.length).toBe(MAX_CHANGED_CHARS)
    const deleted = boundedTextChange(long, null)
    expect(deleted.to).toBeNull()
    expect(isTextExcerpt(deleted.from) && deleted.from.excerpt.length).toBe(MAX_CHANGED_CHARS)
  })

  it('never splits a character of two UTF-16 units', () => {
    const emoji = '😀'.repeat(1_000)
    // 😁 shares its first unit with 😀: what the two texts share ends inside a character.
    for (const at of [1_001, 1_021, 1_041]) {
      const { from, to } = boundedTextChange(emoji, `${emoji.slice(0, at - 1)}😁${emoji.slice(at + 1)}`) as { from: TextExcerpt; to: TextExcerpt }
      for (const side of [from, to]) expect(() => encodeURIComponent(side.excerpt)).not.toThrow()
    }
  })

  it('tells an excerpt from any other value', () => {
    expect(isTextExcerpt({ excerpt: 'a', start: 0, length: 3 })).toBe(true)
    for (const value of ['a', null, 3, [], { excerpt: 'a' }]) expect(isTextExcerpt(value)).toBe(false)
  })
})
