/**
 * Estimative language in an analyst's own words: where a text states a
 * likelihood ("very likely") or a confidence ("high confidence"), which
 * yardstick the wording comes from, and whether it is negated. The analysis
 * checks (analysis-checks.ts) read this; so does the judgment editor, to
 * highlight the words at fault.
 *
 * What is read, and what is not:
 * - phrases are matched as whole words, longest first ("very likely" is one
 *   term, not also "likely"), in any case, with hyphens or several spaces
 *   between their words ("highly-likely");
 * - words inside quotation marks are someone else's (a quoted claim) and are
 *   not read: “…”, "…", «…», „…“, ‹…›, and ‘…’ or '…' (an apostrophe inside a
 *   word, "Russia’s", is not a quotation mark);
 * - a comparison ("more likely than", "as likely as") states no band;
 * - "remote" alone is read only as a predicate ("the risk is remote"), not as
 *   in "a remote village";
 * - a term is negated when a negation stands right before it, or separated
 *   from it only by a few linking words ("not likely", "isn’t very likely",
 *   "not at all likely", "is not considered likely").
 */
import type { LikelihoodBand, LikelihoodProfile } from './domain.ts'
import { sentenceSegments } from './sentences.ts'
import { spanHolding, type TextRange } from './span-holding.ts'

export type EstimativeTerm = {
  /** The phrase in its canonical spelling. */
  phrase: string
  band: LikelihoodBand
  /** The yardsticks (likelihood profiles) whose wording this is. */
  yardsticks: readonly LikelihoodProfile[]
}

/**
 * Every likelihood expression read, with its band: the three yardsticks'
 * terms (domain.ts) and the forms analysts write them in.
 */
export const ESTIMATIVE_TERMS: readonly EstimativeTerm[] = [
  { phrase: 'almost no chance', band: 1, yardsticks: ['icd203'] },
  { phrase: 'remote chance', band: 1, yardsticks: ['phia'] },
  { phrase: 'remote possibility', band: 1, yardsticks: ['icd203-alt'] },
  { phrase: 'remote', band: 1, yardsticks: ['icd203-alt'] },
  { phrase: 'very unlikely', band: 2, yardsticks: ['icd203'] },
  { phrase: 'highly unlikely', band: 2, yardsticks: ['phia'] },
  { phrase: 'highly improbable', band: 2, yardsticks: ['icd203-alt'] },
  { phrase: 'unlikely', band: 3, yardsticks: ['icd203', 'phia'] },
  { phrase: 'improbable', band: 3, yardsticks: ['icd203-alt'] },
  { phrase: 'roughly even chance', band: 4, yardsticks: ['icd203'] },
  { phrase: 'even chance', band: 4, yardsticks: ['icd203'] },
  { phrase: 'roughly even odds', band: 4, yardsticks: ['icd203-alt'] },
  { phrase: 'even odds', band: 4, yardsticks: ['icd203-alt'] },
  { phrase: 'realistic possibility', band: 4, yardsticks: ['phia'] },
  { phrase: 'likely', band: 5, yardsticks: ['icd203', 'phia'] },
  { phrase: 'probable', band: 5, yardsticks: ['icd203-alt'] },
  { phrase: 'probably', band: 5, yardsticks: ['icd203-alt', 'phia'] },
  { phrase: 'very likely', band: 6, yardsticks: ['icd203'] },
  { phrase: 'highly likely', band: 6, yardsticks: ['phia'] },
  { phrase: 'highly probable', band: 6, yardsticks: ['icd203-alt'] },
  { phrase: 'almost certain', band: 7, yardsticks: ['icd203', 'phia'] },
  { phrase: 'almost certainly', band: 7, yardsticks: ['icd203', 'phia'] },
  { phrase: 'nearly certain', band: 7, yardsticks: ['icd203-alt'] },
  { phrase: 'nearly certainly', band: 7, yardsticks: ['icd203-alt'] },
]

/** Analytic confidence in words: a level with "confidence", or "confident". */
const CONFIDENCE_PHRASES = [
  'high confidence',
  'moderate confidence',
  'medium confidence',
  'low confidence',
  'highly confident',
  'confidence',
  'confident',
  'confidently',
] as const

export type Span = { start: number; end: number; text: string }
export type LikelihoodMention = Span & { term: EstimativeTerm; negated: boolean }
export type ConfidenceMention = Span
export type EstimativeReading = { likelihood: LikelihoodMention[]; confidence: ConfidenceMention[] }

/** Letters and digits of any script: what a word is made of. */
const WORD_CHAR = /[\p{L}\p{N}]/u
/** Between the words of a phrase: spaces, or any kind of hyphen. */
const JOIN = '[\\s\\-\u2010\u2011\u2012\u2013]+'

function phrasePattern(phrases: readonly string[]): RegExp {
  const alternatives = [...phrases]
    .sort((a, b) => b.length - a.length)
    .map((phrase) => phrase.split(' ').join(JOIN))
  // Not inside a word, nor the end of a hyphenated one ("self-confidence").
  return new RegExp(`(?<![\\p{L}\\p{N}])(?<![\\p{L}\\p{N}][\\-\u2010\u2011])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu')
}

const TERM_PATTERN = phrasePattern(ESTIMATIVE_TERMS.map((t) => t.phrase))
const CONFIDENCE_PATTERN = phrasePattern(CONFIDENCE_PHRASES)
const TERM_BY_PHRASE = new Map(ESTIMATIVE_TERMS.map((t) => [t.phrase, t]))

/** The phrase as the lexicon spells it: lower case, single spaces for any joiner. */
function canonical(matched: string): string {
  return matched.toLowerCase().split(new RegExp(JOIN, 'u')).join(' ')
}

/** Words that may stand between a negation and the term it negates. */
const LINKING_WORDS = new Set([
  'be', 'is', 'are', 'was', 'were', 'been', 'being', 'seem', 'seems', 'seemed', 'appear', 'appears', 'appeared',
  'look', 'looks', 'remain', 'remains', 'considered', 'deemed', 'judged', 'thought', 'seen', 'as', 'very',
  'so', 'that', 'too', 'at', 'all', 'particularly', 'especially', 'terribly', 'any', 'longer',
])
const NEGATIONS = new Set(['not', 'no', 'never', 'hardly', 'scarcely', 'barely', 'nor', 'neither', 'cannot'])
/** Linking verbs after which "remote" is a likelihood ("the chance is remote"). */
const PREDICATE_VERBS = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'remains', 'remain', 'seems', 'seem', 'appears', 'appear', 'looks', 'look'])
/** A word before the term that makes it a comparison, which states no band ("as" only in "as likely as"). */
const COMPARATIVES = new Set(['more', 'less', 'most', 'least', 'equally'])

function isComparison(previous: string, after: string): boolean {
  return COMPARATIVES.has(previous) || (previous === 'as' && /^\s+as(?![\p{L}\p{N}])/iu.test(after))
}

/** The words right before `index` within its clause, nearest first. */
function wordsBefore(text: string, index: number, max: number): string[] {
  const clause = text.slice(Math.max(0, index - 80), index).split(/[,;:.!?()[\]{}\u2014\u2013]|\s-\s/u).at(-1) ?? ''
  const words = clause.toLowerCase().replace(/[\u2019\u02bc]/g, "'").match(/[\p{L}\p{N}']+/gu) ?? []
  return words.reverse().slice(0, max)
}

function isNegation(word: string): boolean {
  return NEGATIONS.has(word) || word.endsWith("n't")
}

function negated(text: string, start: number): boolean {
  for (const word of wordsBefore(text, start, 5)) {
    if (isNegation(word)) return true
    if (!LINKING_WORDS.has(word)) return false
  }
  return false
}

/** The closing mark of each opening one; a single quote opens only at a word's start. */
const CLOSING: Readonly<Record<string, string>> = { '“': '”', '«': '»', '„': '“', '‹': '›', '"': '"' }
const SINGLE_CLOSING: Readonly<Record<string, string>> = { '‘': '’', "'": "'" }

/**
 * Where a text quotes someone: the ranges between matching quotation marks
 * (the marks included), sorted. A quotation ends at its first closing mark,
 * and never crosses a blank line; a mark that nothing closes is read as text.
 *
 * Each kind of closing mark, and each blank line, is listed once, and looked
 * for from cursors that only move forward: looking for the closing mark from
 * every opening one took 1.4 s for a judgment of 20,000 unclosed “.
 */
export function quotedRanges(text: string): TextRange[] {
  const closings = closingMarks(text)
  const ranges: TextRange[] = []
  let i = 0
  while (i < text.length) {
    const char = text[i]!
    const close = CLOSING[char] ?? (isSingleQuoteOpening(text, i) ? SINGLE_CLOSING[char] : undefined)
    if (close !== undefined) {
      const end = closings.marks.get(close)!.from(i + 1)
      if (end < closings.blankLines.from(i + 1)) {
        ranges.push({ start: i, end: end + 1 })
        i = end + 1
        continue
      }
    }
    i++
  }
  return ranges
}

function isSingleQuoteOpening(text: string, i: number): boolean {
  const char = text[i]
  if (char !== '‘' && char !== "'") return false
  const before = text[i - 1]
  const after = text[i + 1]
  return (before === undefined || !WORD_CHAR.test(before)) && after !== undefined && WORD_CHAR.test(after)
}

/** Sorted positions, asked for in increasing order: the first at or after each. */
class Positions {
  readonly #positions: number[] = []
  #next = 0

  add(position: number): void {
    this.#positions.push(position)
  }

  /** The first position at or after `from`, or Infinity; `from` must not decrease from one call to the next. */
  from(from: number): number {
    while (this.#next < this.#positions.length && this.#positions[this.#next]! < from) this.#next++
    return this.#positions[this.#next] ?? Infinity
  }
}

/** Every closing mark by kind (a single quote only where it is not an apostrophe inside a word), and every blank line's start. */
function closingMarks(text: string): { marks: Map<string, Positions>; blankLines: Positions } {
  const marks = new Map([...Object.values(CLOSING), ...Object.values(SINGLE_CLOSING)].map((mark) => [mark, new Positions()]))
  const blankLines = new Positions()
  for (let j = 0; j < text.length; j++) {
    const char = text[j]!
    if (char === '\n') {
      if (text[j + 1] === '\n') blankLines.add(j)
      continue
    }
    const kind = marks.get(char)
    if (kind === undefined) continue
    if (char === '’' || char === "'") {
      const after = text[j + 1]
      if (after !== undefined && WORD_CHAR.test(after)) continue
    }
    kind.add(j)
  }
  return { marks, blankLines }
}

/** The text's sentences, in order, covering it. */
export function sentences(text: string): Span[] {
  return [...sentenceSegments(text)].map((s) => ({ start: s.index, end: s.index + s.segment.length, text: s.segment }))
}

/** Reads the likelihood and confidence wording of a text, outside quotations. */
export function readEstimativeLanguage(text: string): EstimativeReading {
  const quoted = quotedRanges(text)
  const inQuote = (index: number) => spanHolding(quoted, index) >= 0
  const likelihood: LikelihoodMention[] = []
  for (const match of text.matchAll(TERM_PATTERN)) {
    const start = match.index
    if (inQuote(start)) continue
    const term = TERM_BY_PHRASE.get(canonical(match[0]))!
    const previous = wordsBefore(text, start, 1)[0]
    if (previous !== undefined && isComparison(previous, text.slice(start + match[0].length))) continue
    if (term.phrase === 'remote' && !(previous !== undefined && PREDICATE_VERBS.has(previous)) && !predicateAfterAdverb(text, start)) continue
    likelihood.push({ start, end: start + match[0].length, text: match[0], term, negated: negated(text, start) })
  }
  const confidence: ConfidenceMention[] = []
  for (const match of text.matchAll(CONFIDENCE_PATTERN)) {
    if (inQuote(match.index)) continue
    confidence.push({ start: match.index, end: match.index + match[0].length, text: match[0] })
  }
  return { likelihood, confidence }
}

/** "is very remote", "remains extremely remote". */
function predicateAfterAdverb(text: string, start: number): boolean {
  const [adverb, verb] = wordsBefore(text, start, 2)
  return adverb !== undefined && ['very', 'extremely', 'quite', 'so'].includes(adverb) && verb !== undefined && PREDICATE_VERBS.has(verb)
}
