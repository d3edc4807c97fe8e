import { describe, expect, it } from 'vitest'
import { LIMITS } from '../limits.ts'
import { ImportError, type ImportErrorKind } from './import-error.ts'
import { MAX_CLAIMS_PER_DOCUMENT, parseSourceText, type ParsedDocument } from './parse-source.ts'
import { SAMPLE_ARTICLE } from '../../test/helpers/sample-article.ts'


/** Each claim's text is the stored text at its offsets, without the marker. */
function expectVerbatimOffsets(parsed: ParsedDocument): void {
  for (const claim of parsed.claims) {
    expect(parsed.text.slice(claim.start, claim.end)).toBe(claim.text)
    expect(claim.text).not.toMatch(/citation/i)
    const paragraph = parsed.paragraphs[claim.paragraph]!
    expect(claim.start).toBeGreaterThanOrEqual(paragraph.start)
    expect(claim.end).toBeLessThanOrEqual(paragraph.end)
  }
}

function expectImportError(run: () => unknown, kind: ImportErrorKind, message: RegExp): void {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(ImportError)
  expect((caught as ImportError).kind).toBe(kind)
  expect((caught as ImportError).message).toMatch(message)
}

describe('the sample article', () => {
  const parsed = parseSourceText(SAMPLE_ARTICLE)

  it('gives one claim per sentence of each cited paragraph, with that paragraph’s source', () => {
    const byParagraph = new Map<number, { source: string; sentences: number }>()
    for (const claim of parsed.claims) {
      const entry = byParagraph.get(claim.paragraph) ?? { source: claim.sourceName, sentences: 0 }
      expect(claim.sourceName).toBe(entry.source)
      byParagraph.set(claim.paragraph, { ...entry, sentences: entry.sentences + 1 })
    }
    // Sentences counted by reading the article: paragraph index → source, sentences.
    expect(Object.fromEntries(byParagraph)).toEqual({
      1: { source: 'NATO', sentences: 3 },
      3: { source: 'NATO', sentences: 3 },
      4: { source: 'NATO', sentences: 2 },
      6: { source: 'Western intelligence', sentences: 3 },
      7: { source: 'NATO', sentences: 3 },
      8: { source: 'NATO', sentences: 2 },
      9: { source: 'Defence analysts', sentences: 2 },
      10: { source: 'Allied statements', sentences: 2 },
      11: { source: 'international observers', sentences: 2 },
      12: { source: 'international security briefings', sentences: 2 },
      13: { source: 'regional briefings', sentences: 1 },
    })
    expect(parsed.claims).toHaveLength(25)
  })

  it('keeps the title and headings in the document but makes no claim of them', () => {
    expect(parsed.paragraphs).toHaveLength(14)
    expect(parsed.title).toBe('The Wagner uprising and the Kremlin’s strategic missteps in Ukraine')
    const headings = [0, 2, 5].map((index) => parsed.paragraphs[index]!)
    expect(parsed.text.slice(headings[1]!.start, headings[1]!.end)).toBe(
      'Putin’s decision on Crimea and the Ukraine war is a mistake, according to NATO',
    )
    for (const heading of headings) expect(parsed.claims.some((claim) => claim.paragraph === heading.index)).toBe(false)
    expect(parsed.text).toBe(SAMPLE_ARTICLE.trim())
  })

  it('keeps each sentence verbatim, at its place in the stored text', () => {
    expectVerbatimOffsets(parsed)
    expect(parsed.claims[0]!.text).toBe(
      'The aborted Wagner Group mutiny has prompted NATO to frame Vladimir Putin’s choices as costly strategic moves.',
    )
    expect(parsed.claims.at(-1)!.text).toBe(
      'Source references reflect ongoing coverage and official statements that frame these topics within the larger debate about regional stability, alliance commitments, and the future of European security.',
    )
  })
})

describe('citation markers', () => {
  it('in the middle of a paragraph attribute only the sentences since the previous marker', () => {
    const parsed = parseSourceText(
      'Title\nTroops moved north. Convoys were seen. [citation: NATO] Kyiv denied it. [citation: Ukrainian MoD] Nobody commented.',
    )
    expect(parsed.claims.map(({ text, sourceName, paragraph }) => [text, sourceName, paragraph])).toEqual([
      ['Troops moved north.', 'NATO', 1],
      ['Convoys were seen.', 'NATO', 1],
      ['Kyiv denied it.', 'Ukrainian MoD', 1],
    ])
    expectVerbatimOffsets(parsed)
  })

  it('are read in any case and with any spacing inside, the name’s spacing evened out', () => {
    const parsed = parseSourceText(
      'A fell. [CITATION: NATO]\nB rose. [ Citation :  Western \t intelligence  ]\nC held. [citation:\u00a0Reuters\u00a0]',
    )
    expect(parsed.claims.map((claim) => claim.sourceName)).toEqual(['NATO', 'Western intelligence', 'Reuters'])
  })

  it('never reach back past the start of their paragraph', () => {
    const parsed = parseSourceText('Uncited commentary.\n\nCited sentence. [citation: NATO]')
    expect(parsed.claims.map((claim) => claim.text)).toEqual(['Cited sentence.'])
    expect(parsed.paragraphs.map((p) => p.index)).toEqual([0, 1])
    expect(parsed.claims[0]!.paragraph).toBe(1)
  })

  it('cite nothing from a stretch with no words', () => {
    const parsed = parseSourceText('One claim. [citation: NATO] — [citation: Reuters]')
    expect(parsed.claims.map((claim) => [claim.text, claim.sourceName])).toEqual([['One claim.', 'NATO']])
  })
})

describe('text as it arrives', () => {
  it('reads CRLF and old-Mac line endings as one stored form, offsets into it', () => {
    const lf = parseSourceText(SAMPLE_ARTICLE)
    const crlf = parseSourceText(`\uFEFF${SAMPLE_ARTICLE.replace(/\n/g, '\r\n')}\r\n`)
    const cr = parseSourceText(SAMPLE_ARTICLE.replace(/\n/g, '\r'))
    expect(crlf).toEqual(lf)
    expect(cr).toEqual(lf)
    expect(crlf.text).not.toContain('\r')
  })

  it('stores a broken surrogate as U+FFFD, as every replica will see it', () => {
    const parsed = parseSourceText('Title\nEmoji \uD83D cut. Pair 😀 kept. [citation: X]')
    expect(parsed.claims.map((claim) => claim.text)).toEqual(['Emoji \uFFFD cut.', 'Pair 😀 kept.'])
    expect(parsed.text).toBe(new TextDecoder().decode(new TextEncoder().encode(parsed.text)))
  })

  it('splits sentences on Unicode punctuation and keeps it verbatim', () => {
    const parsed = parseSourceText(
      [
        'Сводка',
        'The minister asked: “Will they cross?” Nobody knew!? The brigade—reinforced—held… for now. [citation: Міністерство оборони]',
        'Die Lage ist „ernst“. Der Stab prüft sie. [citation: Bundeswehr]',
        '部隊が移動した。確認中である。[citation: 防衛省]',
      ].join('\n'),
    )
    expect(parsed.claims.map(({ text, sourceName }) => [text, sourceName])).toEqual([
      ['The minister asked: “Will they cross?”', 'Міністерство оборони'],
      ['Nobody knew!?', 'Міністерство оборони'],
      ['The brigade—reinforced—held… for now.', 'Міністерство оборони'],
      ['Die Lage ist „ernst“.', 'Bundeswehr'],
      ['Der Stab prüft sie.', 'Bundeswehr'],
      ['部隊が移動した。', '防衛省'],
      ['確認中である。', '防衛省'],
    ])
    expectVerbatimOffsets(parsed)
  })
})

describe('the title', () => {
  it('is the one given, else the first line without heading marks or markers', () => {
    expect(parseSourceText('Line one. [citation: X]', { title: '  Wire  copy ' }).title).toBe('Wire copy')
    expect(parseSourceText('## Brief\nA. [citation: X]').title).toBe('Brief')
    expect(parseSourceText('Lead sentence. [citation: X]').title).toBe('Lead sentence.')
    expect(parseSourceText('[citation: X]\nA fell. [citation: X]').title).toBe('Untitled document')
  })

  it('is cut to what a board stores', () => {
    const title = parseSourceText(`${'T'.repeat(LIMITS.shortText + 50)}\nA. [citation: X]`).title
    expect(title).toHaveLength(LIMITS.shortText)
    expect(title.endsWith('…')).toBe(true)
  })
})

describe('text that cannot be imported', () => {
  it('refuses empty text', () => {
    expectImportError(() => parseSourceText(''), 'empty', /empty/)
    expectImportError(() => parseSourceText(' \r\n\t\n\uFEFF'), 'empty', /empty/)
  })

  it('refuses text with no citation, saying how to mark one', () => {
    expectImportError(() => parseSourceText('Title\nA plain paragraph. Another.'), 'no-citation', /No \[citation: SOURCE\] marker/)
    expectImportError(() => parseSourceText('Title\n[citation: NATO]'), 'no-citation', /cite no sentence/)
    expectImportError(() => parseSourceText('Near miss. [cite: NATO] (citation: NATO)'), 'no-citation', /No \[citation/)
  })

  it('refuses a marker with no source name, naming its line', () => {
    expectImportError(() => parseSourceText('Title\r\n\r\nA fell. [citation:  ]'), 'bad-citation', /line 3 names no source/)
  })

  it('refuses what a board could not store', () => {
    const longName = 'N'.repeat(LIMITS.shortText + 1)
    expectImportError(() => parseSourceText(`A fell. [citation: ${longName}]`), 'too-long', /source named on line 1/)
    const longSentence = `${'word '.repeat(LIMITS.longText / 5)}end.`
    expectImportError(() => parseSourceText(`Title\n${longSentence} [citation: X]`), 'too-long', /sentence on line 2 is over 20000/)
  })

  it('refuses more claims than one change can carry to the others', () => {
    const text = `Title\n${'A. '.repeat(MAX_CLAIMS_PER_DOCUMENT + 1)}[citation: X]`
    expectImportError(() => parseSourceText(text), 'too-large', /cites more than 10,000 sentences/)
    expect(parseSourceText(`Title\n${'A. '.repeat(MAX_CLAIMS_PER_DOCUMENT)}[citation: X]`).claims).toHaveLength(MAX_CLAIMS_PER_DOCUMENT)
  })

  it('refuses pasted text over the size limit', () => {
    const text = `${'é'.repeat(LIMITS.maxDocumentBytes / 2)}. [citation: X]`
    expectImportError(() => parseSourceText(text), 'too-large', /The document is 2\.1 MB; the limit is 2 MB/)
  })
})
