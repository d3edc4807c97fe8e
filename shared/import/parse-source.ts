/**
 * Reads a cited source document: the text analysts paste from wire services,
 * where `[citation: SOURCE]` follows the sentences SOURCE supports. Pure and
 * free of Node APIs: the browser runs it for the preview, the server for the
 * HTTP route and the CLI, and both get the same claims.
 */
import { formatCount } from '../format-number.ts'
import { LIMITS } from '../limits.ts'
import { splitParagraphs, type Paragraph } from '../paragraphs.ts'
import { sentenceSegments } from '../sentences.ts'
import { cleanText } from '../text-hygiene.ts'
import { ImportError, tooLargeError } from './import-error.ts'

/** One cited sentence; `text` is exactly `document.text.slice(start, end)`, so the UI can highlight it in place. */
export type ParsedClaim = { text: string; sourceName: string; paragraph: number; start: number; end: number }

export type ParsedDocument = {
  title: string
  /** The text as stored: line endings normalized, citation markers kept. Every offset points into it. */
  text: string
  paragraphs: Paragraph[]
  claims: ParsedClaim[]
}

/** `[citation: NATO]`, `[ Citation :NATO ]`: any case, any spacing inside; never across a line. */
const CITATION = /\[\s*citation\s*:([^[\]\n]*)\]/gi

/**
 * An import reaches others as one update, which must fit in one websocket frame
 * (LIMITS.maxMessageBytes, 16 MB). A claim costs about 450 bytes of update
 * beyond its text, so 10,000 claims with a 2 MB document stay near 9 MB; the
 * sample article has 25.
 */
export const MAX_CLAIMS_PER_DOCUMENT = 10_000

/** A "sentence" of only punctuation or spaces (a stray dash before a marker) is not a claim. */
const HAS_WORD = /[\p{L}\p{N}]/u

/**
 * Each sentence between a paragraph's start (or its previous marker) and a
 * marker becomes one claim of that marker's source. Text with no marker after
 * it — titles, headings, commentary, the tail of a paragraph — stays in the
 * document and makes no claim. Throws an ImportError for text that would give
 * nothing to import, or that the board could not store.
 */
export function parseSourceText(raw: string, options: { title?: string } = {}): ParsedDocument {
  const text = normalizeText(raw)
  if (text === '') {
    throw new ImportError('empty', 'The document is empty: paste the article text, or choose a file that has some.')
  }
  const bytes = new TextEncoder().encode(text).byteLength
  if (bytes > LIMITS.maxDocumentBytes) throw tooLargeError('The document', bytes, LIMITS.maxDocumentBytes)

  const paragraphs = splitParagraphs(text)
  const { claims, markers } = citedClaims(text, paragraphs)
  if (claims.length === 0) {
    throw new ImportError(
      'no-citation',
      markers === 0
        ? 'No [citation: SOURCE] marker found, so there is nothing to import. Put [citation: SOURCE] after the sentences each source supports, then import again.'
        : 'The [citation: SOURCE] markers cite no sentence. Put each marker after the sentences its source supports, then import again.',
    )
  }
  return { title: documentTitle(options.title, text, paragraphs[0]), text, paragraphs, claims }
}

function citedClaims(text: string, paragraphs: Paragraph[]): { claims: ParsedClaim[]; markers: number } {
  const claims: ParsedClaim[] = []
  let markers = 0
  for (const paragraph of paragraphs) {
    let from = paragraph.start
    for (const marker of text.slice(paragraph.start, paragraph.end).matchAll(CITATION)) {
      const at = paragraph.start + marker.index
      const sourceName = citedName(marker[1] ?? '', text, at)
      for (const sentence of sentencesIn(text, from, at)) claims.push({ ...sentence, sourceName, paragraph: paragraph.index })
      if (claims.length > MAX_CLAIMS_PER_DOCUMENT) {
        throw new ImportError(
          'too-large',
          `The document cites more than ${formatCount(MAX_CLAIMS_PER_DOCUMENT)} sentences, more than one import takes. Split it into smaller documents and import each one.`,
        )
      }
      from = at + marker[0].length
      markers++
    }
  }
  return { claims, markers }
}

/**
 * One stored form whatever the text came through (paste, file, Windows or
 * old Mac line endings), so offsets and re-import detection agree. A lone
 * surrogate (a broken paste) becomes U+FFFD here, as Yjs would turn it on the
 * wire: otherwise this replica would keep a text the others never see.
 */
function normalizeText(raw: string): string {
  return cleanText(raw.replace(/^\uFEFF/, '').replace(/[\u2028\u2029]/g, '\n')).trim()
}

function citedName(inside: string, text: string, at: number): string {
  const name = inside.replace(/\s+/g, ' ').trim()
  if (name === '') {
    throw new ImportError(
      'bad-citation',
      `The citation marker on line ${lineOf(text, at)} names no source. Write it as [citation: SOURCE], e.g. [citation: NATO].`,
    )
  }
  if (name.length > LIMITS.shortText) {
    throw new ImportError(
      'too-long',
      `The source named on line ${lineOf(text, at)} is over ${LIMITS.shortText} characters. Shorten the name inside [citation: …].`,
    )
  }
  return name
}

type Sentence = Pick<ParsedClaim, 'text' | 'start' | 'end'>

function sentencesIn(text: string, start: number, end: number): Sentence[] {
  const sentences: Sentence[] = []
  for (const { segment, index } of sentenceSegments(text.slice(start, end))) {
    const sentence = segment.trim()
    if (!HAS_WORD.test(sentence)) continue
    const from = start + index + segment.length - segment.trimStart().length
    if (sentence.length > LIMITS.longText) {
      throw new ImportError(
        'too-long',
        `A cited sentence on line ${lineOf(text, from)} is over ${LIMITS.longText} characters. Break it into shorter sentences, then import again.`,
      )
    }
    sentences.push({ text: sentence, start: from, end: from + sentence.length })
  }
  return sentences
}

function lineOf(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}

/** The title given, else the first line as a reader sees it: no Markdown heading marks, no citation markers. */
function documentTitle(given: string | undefined, text: string, first: Paragraph | undefined): string {
  const fromText = first ? text.slice(first.start, first.end).replace(CITATION, ' ').replace(/^#{1,6}\s+/, '') : ''
  const title = oneLine(cleanText(given ?? '')) || oneLine(fromText) || 'Untitled document'
  return title.length > LIMITS.shortText ? `${title.slice(0, LIMITS.shortText - 1)}…` : title
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim()
}
