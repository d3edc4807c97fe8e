/**
 * The sentences of English text, as Intl.Segmenter finds them. The segmenter
 * is made at its first use: made as a module loads, it loads ICU's
 * segmentation data into every process that imports the module, whether or
 * not it ever reads a sentence.
 */
let segmenter: Intl.Segmenter | undefined

/** The text's sentences, in order, covering it: each with its index in the text. */
export function sentenceSegments(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' })
  return segmenter.segment(text)
}
