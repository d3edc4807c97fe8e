import { describe, expect, it } from 'vitest'
import { paragraphHolding, splitParagraphs } from './paragraphs.ts'

const TEXT = '  First  \n\n\nSecond\n   \nThird'

describe('a document’s paragraphs', () => {
  it('are its lines, blank lines only separating them', () => {
    expect(splitParagraphs(TEXT)).toEqual([
      { index: 0, start: 2, end: 7 },
      { index: 1, start: 12, end: 18 },
      { index: 2, start: 23, end: 28 },
    ])
  })

  it('name the one that holds a span, none when it crosses an end or lies between two', () => {
    expect(paragraphHolding(TEXT, 2, 7)).toBe(0)
    expect(paragraphHolding(TEXT, 13, 15)).toBe(1)
    expect(paragraphHolding(TEXT, 27, 28)).toBe(2)
    expect(paragraphHolding(TEXT, 5, 13)).toBeUndefined()
    expect(paragraphHolding(TEXT, 0, 3)).toBeUndefined()
    expect(paragraphHolding(TEXT, 8, 9)).toBeUndefined()
    expect(paragraphHolding(TEXT, 28, 29)).toBeUndefined()
    // Another text is split afresh, not read from the last one's paragraphs.
    expect(paragraphHolding('Only one line here', 13, 18)).toBe(0)
    expect(paragraphHolding(TEXT, 13, 15)).toBe(1)
  })

  it('agree, for every span of a text, with splitting it each time', () => {
    const text = 'A.\n\n  B b.  \nC c c.\n\n\nD'
    const paragraphs = splitParagraphs(text)
    for (let start = 0; start < text.length; start++) {
      for (let end = start + 1; end <= text.length; end++) {
        const holding = paragraphs.find((p) => p.start <= start && end <= p.end)?.index
        expect(paragraphHolding(text, start, end), `${start}..${end}`).toBe(holding)
      }
    }
  })
})
