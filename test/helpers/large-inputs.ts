/** Inputs whose processing a member can make costly: big imports and very different long texts. */
import { SAMPLE_ARTICLE } from './sample-article.ts'

/** A cited source document of about `chars` characters: the sample article again and again, each copy's sentences numbered apart. */
export function largeSourceDocument(chars: number): string {
  const copies: string[] = []
  let length = 0
  for (let copy = 0; length < chars; copy++) {
    const text = SAMPLE_ARTICLE.replace(/\. /g, ` (${copy}). `)
    copies.push(text)
    length += text.length + 1
  }
  return copies.join('\n')
}

/**
 * A text of `chars` characters in words of its own vocabulary (`seed` picks it):
 * two texts of different seeds share no word, the worst case of a word diff.
 */
export function wordsText(chars: number, seed: number): string {
  let state = seed
  const words: string[] = []
  let length = 0
  while (length < chars) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    const word = `${String.fromCharCode(97 + (seed % 26))}${(state % 50_000).toString(36)}`
    words.push(word)
    length += word.length + 1
  }
  return words.join(' ').slice(0, chars)
}
