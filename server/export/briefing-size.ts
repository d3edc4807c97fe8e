/**
 * The ceiling on a briefing's size. A briefing's model is worked out before
 * any format is rendered, and what a renderer makes grows with the text the
 * model holds (the DOCX library's compiler, for one, flattens the whole
 * document into strings it runs regular expressions over, where V8 aborts the
 * whole process, not just the worker thread, when it runs out). So the model's
 * text is counted first and a briefing past the ceiling is refused before
 * rendering, with the size and the limit.
 */
import type { Briefing } from './briefing-model.ts'

/**
 * `BRIEFING_MAX_CHARS` by default: some seven times the briefing of the
 * benchmark board of 1,000 assessments and 5,000 claims (2.2 million
 * characters, bench/export.ts), and far below what makes a DOCX or PDF
 * renderer run out of its thread's heap.
 */
export const DEFAULT_BRIEFING_MAX_CHARS = 16_000_000

/**
 * A briefing whose model holds more text than the server renders: the API answers `422 briefing_too_large`. `before`:
 * refused at once for having been found too large when last asked for, nothing it reads having changed since; nothing
 * was read or worked out for it.
 */
export class BriefingTooLarge extends Error {
  constructor(
    message: string,
    readonly before = false,
  ) {
    super(message)
    this.name = 'BriefingTooLarge'
  }
}

/** The briefing, once its text is counted and found within `maxChars`. */
export function withinSize(briefing: Briefing, maxChars: number): Briefing {
  const chars = textChars(briefing)
  if (chars > maxChars) {
    throw new BriefingTooLarge(
      `The briefing would hold ${chars.toLocaleString('en')} characters of text, more than the ${maxChars.toLocaleString('en')} this server renders (BRIEFING_MAX_CHARS). ` +
        'Export fewer assessments (a narrower scope), or the board as JSON or STIX, or shorten its longest texts.',
    )
  }
  return briefing
}

/** The characters of every text the value holds, however deep. */
function textChars(value: unknown): number {
  if (typeof value === 'string') return value.length
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textChars(item), 0)
  if (value !== null && typeof value === 'object') return Object.values(value).reduce((sum: number, item) => sum + textChars(item), 0)
  return 0
}
