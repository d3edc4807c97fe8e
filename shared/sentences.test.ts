import { describe, expect, it, vi } from 'vitest'
import { seededRandom } from '../test/helpers/seeded-random.ts'
import { sentenceSegments } from './sentences.ts'

const whole = (text: string) => [...new Intl.Segmenter('en', { granularity: 'sentence' }).segment(text)].map(({ segment, index }) => ({ segment, index }))
const windowed = (text: string) => [...sentenceSegments(text)]

describe('sentenceSegments', () => {
  it('finds the sentences Intl.Segmenter finds in the whole text, across its windows and in a sentence longer than one', () => {
    const texts = [
      'Mr. Smith went to Washington. He said "no." Then he left... e.g. this one.\n\n'.repeat(300),
      '😀. '.repeat(5000),
      `${'y '.repeat(30_000)}. Last. ${'Short. '.repeat(3000)}`,
      'No full stop at all',
    ]
    for (const text of texts) expect(windowed(text)).toEqual(whole(text))
  })

  it('does not break where a window ends a sentence that goes on past it, as after "etc. " or a closing quote followed by a long run of digits or brackets', () => {
    const texts = [
      `${'The unit moved. '.repeat(200)}It went to sector 4 etc. ${'1234567890 '.repeat(600)}then stopped.`,
      `${'The unit moved. '.repeat(250)}He said "stop." ${')'.repeat(5000)} and left.`,
    ]
    for (const text of texts) expect(windowed(text)).toEqual(whole(text))
  })

  it('agrees with the whole text on random texts of a few windows, with runs that cross a window\'s end', () => {
    const pieces = ['The unit moved. ', 'etc. ', 'e.g. ', 'Mr. ', 'He said "stop." ', 'then ', 'went ', 'Sector ', '4. ', '?! ', '... ', '\n', '\r\n', '\n\n', '😀', '. ', ' ', '» ', 'ok']
    const runs = ['1234567890 ', ')', ' ', '"', '(', '- ', 'y']
    const random = seededRandom(20261204)
    for (let round = 0; round < 40; round++) {
      const length = 5000 + random.int(11_000)
      let text = ''
      while (text.length < length) text += random.next() < 0.1 ? random.pick(runs)!.repeat(1 + random.int(600)) : random.pick(pieces)!
      expect(windowed(text), `round ${round}`).toEqual(whole(text))
    }
  })

  // V8 segments a text in time that grows with the square of its length, so what bounds the cost is the pieces the segmenter is handed: none much longer than the longest sentence, and the text not handed over many times.
  function charactersSegmented(text: string): { sentences: number; characters: number; longest: number } {
    const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment')
    try {
      const sentences = windowed(text).length
      const lengths = segment.mock.calls.map(([input]) => input.length)
      return { sentences, characters: lengths.reduce((sum, length) => sum + length, 0), longest: Math.max(...lengths) }
    } finally {
      segment.mockRestore()
    }
  }

  it('hands the segmenter each of 200,000 characters of short sentences a few times at most, in windows (12.5 s segmented whole)', () => {
    const text = 'Likely. High confidence. '.repeat(8000)
    const { sentences, characters, longest } = charactersSegmented(text)
    expect(sentences).toBe(16_000)
    expect(longest).toBeLessThanOrEqual(4096)
    expect(characters).toBeLessThan(3 * text.length)
  })

  it('takes a long sentence whole without segmenting the short ones after it in its grown window (1.7 s for 200,000 characters and as many after, before)', () => {
    const text = `${'y '.repeat(100_000)}. ${'Short. '.repeat(28_000)}`
    const { sentences, characters, longest } = charactersSegmented(text)
    expect(sentences).toBe(28_001)
    expect(longest).toBeLessThan(2 * 200_002)
    expect(characters).toBeLessThan(4 * text.length)
  })
})
