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
 * last text split is kept: a batch's claims quote one document again and
 * again, and splitting a 2 MiB document for each would cost a second a thousand.
 */
export function paragraphHolding(text: string, start: number, end: number): number | undefined {
  if (lastSplit?.text !== text) lastSplit = { text, paragraphs: splitParagraphs(text) }
  const held = lastSplit.paragraphs[spanHolding(lastSplit.paragraphs, start)]
  return held !== undefined && end <= held.end ? held.index : undefined
}

let lastSplit: { text: string; paragraphs: Paragraph[] } | null = null
