/**
 * A source document's paragraphs, as its import numbers them and every claim
 * quoted from it cites them ("paragraph 3"): each non-blank line is one, since
 * wire copy puts one paragraph, or one heading, per line.
 */
import { spanHolding } from './span-holding.ts'

/** A paragraph of the stored text, `[start, end)` without its surrounding spaces; `index` counts from 0. */
export type Paragraph = { index: number; start: number; end: number }

export function splitParagraphs(text: string): Paragraph[] {
  const paragraphs: Paragraph[] = []
  for (const line of text.matchAll(/[^\n]+/g)) {
    const body = line[0].trim()
    if (body === '') continue
    const start = line.index + line[0].length - line[0].trimStart().length
    paragraphs.push({ index: paragraphs.length, start, end: start + body.length })
  }
  return paragraphs
}

/**
 * The paragraph that holds all of `[start, end)`, or undefined when none does
 * (the span crosses a paragraph's end, or lies in the blanks between two). The
 * last few texts' splits are kept: a batch's claims quote one document again
 * and again, and the board's model checks every claim against its document in
 * the claims' order, which goes back and forth between documents; splitting a
 * 2 MiB document for each would cost a second a thousand.
 */
export function paragraphHolding(text: string, start: number, end: number): number | undefined {
  let paragraphs = recentSplits.get(text)
  if (!paragraphs) {
    paragraphs = splitParagraphs(text)
    if (recentSplits.size >= RECENT_SPLITS) recentSplits.delete(recentSplits.keys().next().value!)
    recentSplits.set(text, paragraphs)
  }
  const held = paragraphs[spanHolding(paragraphs, start)]
  return held !== undefined && end <= held.end ? held.index : undefined
}

const RECENT_SPLITS = 8
const recentSplits = new Map<string, Paragraph[]>()
