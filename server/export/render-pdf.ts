/**
 * The briefing as a PDF (pdfmake): the marking in every page's header and
 * footer, page numbers, bookmarks for the headings. pdfmake has no footnotes,
 * so each assessment's notes are printed right under it, numbered as the DOCX
 * footnotes are.
 */
import { resolve } from 'node:path'
import pdfMake from 'pdfmake'
import type { Content, ContentText, CustomTableLayout, Margins, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces'
import { ACH_TEXT, achTables, leastLabel, ratedText, type BriefingAch } from './briefing-ach.ts'
import { BRIEFING_TEXT as T, headerFacts, allCitations, citationsOf, noteReference, type Briefing, type BriefingAssessment, type BriefingBluf, type Citation } from './briefing-model.ts'
import { acknowledgementText, type BriefingCheck, type BriefingChecks } from './briefing-review.ts'
import { parseTime } from '../../shared/date-time-group.ts'
import { MARKING_BACKGROUND, RISK_COLOURS, markingColour } from './palette.ts'
import { FONT_DIR, FONTS } from './pdf-fonts.ts'
import { markingLines, type MarkingLines } from './pdf-marking.ts'
import { dropBidiControls } from './bidi.ts'
import { breakableLongWords, withBreaksEvery } from './pdf-long-words.ts'
import { REPLACED_NOTICE, withDrawableCharacters } from './pdf-missing-glyphs.ts'
import { mapTextIn } from '../../shared/text-hygiene.ts'

const PAGE_MARGIN_X = 50
const PAGE_MARGIN_TOP = 64
/** The footer's area is the bottom page margin. */
const FOOTER_HEIGHT = 72
/** The page number above the bottom bar: its top margin plus one 9 pt line at a line height of 1.2. */
const PAGE_NUMBER_BLOCK = 12 + 11
/** The marking's black bars: from the top edge to the top bar, from the bottom edge to the bottom bar's top, and their height for one line. */
const BANNER_TOP = 24
const BANNER_BOTTOM = 40
const BANNER_HEIGHT = 15
/** The A4 page's width, and the marking's room inside its bar: the bar less a little space at either end. */
const PAGE_WIDTH = 595.28
const MARKING_WIDTH = PAGE_WIDTH - 2 * PAGE_MARGIN_X - 8
const WARNING_COLOUR = '#8a1c12'

export async function renderPdf(briefing: Briefing): Promise<Uint8Array> {
  // pdfmake is one shared instance: these calls are idempotent, and keep it from reading anything but its fonts.
  pdfMake.setFonts(FONTS)
  pdfMake.setUrlAccessPolicy(() => false)
  pdfMake.setLocalAccessPolicy((path) => resolve(path).startsWith(FONT_DIR))
  // pdfmake applies no bidi algorithm: the controls would reorder nothing and print as boxes (bidi.ts).
  // Characters the font has no glyph for would print as blank space, at great cost in layout (pdf-missing-glyphs.ts).
  let replacedCharacters = false
  const drawable = mapTextIn(briefing, (text) => withDrawableCharacters(dropBidiControls(text), () => (replacedCharacters = true)))
  const definition = documentDefinition(drawable, replacedCharacters)
  // Every text of the pages' body, which holds all the member text but the marking (pdf-marking.ts lays that out, and cuts it).
  const buffer = await pdfMake.createPdf({ ...definition, content: mapTextIn(definition.content, breakableLongWords) }).getBuffer()
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/** Built fresh for every render: pdfmake rewrites the definition it is given in place. */
function documentDefinition(b: Briefing, replacedCharacters: boolean): TDocumentDefinitions {
  const time = parseTime(b.version.time)
  const marking = markingLines(b.marking, MARKING_WIDTH)
  // Each line the marking takes beyond the first makes both bars, and the page margins they sit in, that much taller.
  const growth = (marking.lines.length - 1) * marking.lineHeight
  const footerHeight = FOOTER_HEIGHT + growth
  const referredTo = new Set(allCitations(b).map((c) => c.quotedIn))
  return {
    pageSize: 'A4',
    pageMargins: [PAGE_MARGIN_X, PAGE_MARGIN_TOP + growth, PAGE_MARGIN_X, footerHeight],
    info: {
      title: b.title,
      subject: `${b.version.description}; ${T.hash.toLowerCase()} ${b.version.hash}`,
      author: 'Assay',
      creator: 'Assay',
      producer: 'Assay',
      // pdfmake stamps the time of rendering otherwise, and derives the file's ID from it.
      creationDate: time,
      modDate: time,
    },
    defaultStyle: { font: 'Roboto', fontSize: 10, lineHeight: 1.2 },
    styles: {
      title: { fontSize: 20, bold: true, margin: [0, 0, 0, 8] },
      h1: { fontSize: 14, bold: true, margin: [0, 14, 0, 6] },
      h2: { fontSize: 11.5, bold: true, margin: [0, 10, 0, 4] },
      muted: { color: '#444444', fontSize: 9 },
      caption: { italics: true, fontSize: 9, margin: [0, 4, 0, 0] },
      th: { bold: true },
    },
    // The banners' black bars are drawn on the page's background and their text in the header and footer:
    // a table per banner would be the natural way, but is laid out afresh on every page, which showed on a 400-page briefing.
    background: (_page: number, size: { width: number; height: number }) => ({
      canvas: [BANNER_TOP, size.height - BANNER_BOTTOM - growth].map((y) => ({
        type: 'rect' as const,
        x: PAGE_MARGIN_X,
        y,
        w: size.width - 2 * PAGE_MARGIN_X,
        h: BANNER_HEIGHT + growth,
        color: `#${MARKING_BACKGROUND}`,
      })),
    }),
    header: () => markingText(b, marking, BANNER_TOP),
    footer: (currentPage: number, pageCount: number) => [
      { text: `Page ${currentPage} of ${pageCount}`, alignment: 'center', style: 'muted', margin: [0, 12, 0, 0] },
      markingText(b, marking, footerHeight - BANNER_BOTTOM - growth - PAGE_NUMBER_BLOCK),
    ],
    content: [
      { text: b.title, style: 'title', outline: true },
      ...headerFacts(b).map((fact) => labelled(fact.label, fact.value)),
      ...(b.review.signoffs.length > 0 ? [{ ul: b.review.signoffs.map((text) => ({ text })), margin: [0, 2, 0, 0] as Margins }] : []),
      ...(replacedCharacters ? [{ text: REPLACED_NOTICE, style: 'muted', margin: [0, 2, 0, 2] as Margins }] : []),
      ...(b.remarked ? [warning(b.remarked)] : []),
      ...(b.retractedSince ? [warning(`${b.retractedSince.statement} (${b.retractedSince.titles.join('; ')})`)] : []),
      ...keptWithNext(h1(T.bluf), bluf(b.bluf)),
      // The grid is a fixed 8 rows: it stays with its heading and caption, whole.
      {
        unbreakable: true,
        stack: [
          h1(T.grid),
          gridTable(b),
          { text: `${T.gridCaption}${b.grid.unplaced.length > 0 ? ` ${T.unplaced} ${b.grid.unplaced.join(', ')}.` : ''}`, style: 'caption' },
        ],
      },
      ...b.sections.flatMap((section) =>
        keptWithNext(h1(section.heading), [
          ...(section.note ? [{ text: section.note, style: 'caption', margin: [0, 0, 0, 4] as Margins }] : []),
          ...section.assessments.flatMap((a) => assessment(a, referredTo)),
        ]),
      ),
      ...(b.sources.length === 0
        ? keptWithNext(h1(T.sources), [{ text: T.noSources }])
        : [
            headedTable(
              h1(T.sources),
              T.sourceColumns,
              b.sources.map((s) => [{ text: wrappable(s.url ? `${s.name}\n${s.url}` : s.name) }, { text: wrappable(s.kind) }, `${s.reliability}: ${s.reliabilityLabel}`, String(s.claims)]),
              ['*', 'auto', 'auto', 'auto'],
            ),
          ]),
      ...(b.changes
        ? keptWithNext(h1(T.changes(b.changes.since)), b.changes.items.length > 0 ? b.changes.items.map(bullet) : [{ text: T.noChanges }])
        : []),
      ...checks(b.checks),
      { ...h1(T.appendix), pageBreak: 'before' },
      {
        unbreakable: true,
        stack: [
          h2(T.yardstick(b.appendix.yardstickName)),
          table(T.yardstickColumns, b.appendix.yardstick.map((r) => [String(r.band), r.term, r.range]), ['auto', '*', 'auto']),
          ...(b.appendix.yardstickNote ? [{ text: b.appendix.yardstickNote, margin: [0, 4, 0, 0] as [number, number, number, number] }] : []),
        ],
      },
      { unbreakable: true, stack: [h2(T.confidence), ...b.appendix.confidence.map((c) => labelled(c.level, c.meaning))] },
      { unbreakable: true, stack: [h2(T.reliability), ...b.appendix.reliability.map((r) => labelled(r.grade, r.label))] },
      { unbreakable: true, stack: [h2(T.credibility), ...b.appendix.credibility.map((c) => labelled(c.grade, c.label))] },
      ...(b.ach ? ach(b.ach) : []),
    ],
  }
}

/** `referredTo`: the notes a later note refers to, each a named destination that note's "note 3" links to. */
function assessment(a: BriefingAssessment, referredTo: ReadonlySet<number | null>): Content[] {
  const notes = citationsOf(a)
  return keptWithNext(h2(`${a.number}. ${a.title}`), [
    ...a.judgment.map((text) => ({ text, margin: [0, 0, 0, 3] as Margins })),
    ...a.warnings.map(warning),
    { text: a.likelihood },
    { text: a.confidence },
    { text: a.details.join(' · '), style: 'muted', margin: [0, 2, 0, 2] },
    ...(a.verdicts.length > 0 ? [{ text: `${T.verdicts}:`, bold: true }, { ul: a.verdicts.map((text) => ({ text })), margin: [0, 0, 0, 2] as Margins }] : []),
    ...citationLine(T.supporting, a.supporting),
    ...citationLine(T.contradicting, a.contradicting),
    ...citationLine(T.retracted, a.retracted),
    ...(notes.length > 0
      ? [
          {
            margin: [0, 4, 0, 0] as Margins,
            // Plain text with its own size and colour: a named style and a superscript run per note cost a tenth more.
            // A note is kept on one page, as a footnote is, unless it is long enough to need more than one.
            stack: notes.map((c) => ({
              text: noteText(c),
              ...(referredTo.has(c.note) ? { id: noteDestination(c.note) } : {}),
              fontSize: 8,
              color: '#333333',
              unbreakable: c.footnote.length <= KEEP_WITH_HEADING_CHARS,
            })),
          },
        ]
      : []),
  ])
}

/** A note's destination name: made of its number alone, never of member text. */
const noteDestination = (note: number) => `note-${note}`

/** A note as printed, numbered; one that refers to the note quoting its claim links that note's name to it. */
function noteText(c: Citation): ContentText['text'] {
  const reference = noteReference(c)
  if (!reference) return `${c.note}  ${c.footnote}`
  return [`${c.note}  ${reference.before}`, { text: reference.name, linkToDestination: noteDestination(reference.to), decoration: 'underline' }, reference.after]
}

function citationLine(label: string, citations: Citation[]): Content[] {
  if (citations.length === 0) return []
  return [
    {
      text: [
        { text: `${label}: `, italics: true },
        ...citations.flatMap((c, i) => [`${i > 0 ? ', ' : ''}${c.attribution}`, { text: String(c.note), sup: true }]),
        '.',
      ],
    },
  ]
}

/** The marking's lines, placed `top` points into its area so that they sit inside the bar drawn behind them. */
function markingText(b: Briefing, marking: MarkingLines, top: number): Content {
  return {
    text: marking.lines.join('\n'),
    fontSize: marking.fontSize,
    bold: true,
    alignment: 'center',
    color: `#${markingColour(b.tlp)}`,
    margin: [PAGE_MARGIN_X, top + 2, PAGE_MARGIN_X, 0],
  }
}

/** A run of this many characters or more without a space is no word but an id, a URL, a hash. */
const LONG_RUN = /\S{25,}/g
/** Longer, a run is no URL or id a reader copies but pasted text: cut by zero-width spaces, which are cheaper to lay out. */
const LONGEST_CELL_RUN = 200
/** Graphemes between such a run's break opportunities: a column need be no wider than this many letters. */
const CELL_PIECE = 4

/**
 * A table cell's text with each long run breakable every few characters.
 * pdfmake cuts a word wider than its line, but sizes a table's columns by
 * their longest word first: one long URL widened its column and pushed the
 * others past the page's edge. Ordinary words keep breaking only at spaces.
 * A URL or id may break between any two characters (`break-all`), and copies
 * out of the PDF as written. A longer run gets a zero-width space every
 * CELL_PIECE graphemes instead: `break-all` made each character a piece of its
 * own, and pdfmake copies the rest of a paragraph's pieces for each piece it
 * sets, so a 20,000-character quoted claim took seconds of an export worker
 * per cell (BENCHMARKS.md).
 */
function wrappable(text: string): ContentText['text'] {
  const runs: ContentText[] = []
  let from = 0
  for (const long of text.matchAll(LONG_RUN)) {
    if (long.index > from) runs.push({ text: text.slice(from, long.index) })
    runs.push(long[0].length > LONGEST_CELL_RUN ? { text: withBreaksEvery(long[0], CELL_PIECE) } : { text: long[0], wordBreak: 'break-all' })
    from = long.index + long[0].length
  }
  if (runs.length === 0) return text
  if (from < text.length) runs.push({ text: text.slice(from) })
  return runs
}

function labelled(label: string, text: string): Content {
  return { text: [{ text: `${label}: `, bold: true }, text] }
}

function h1(text: string): ContentText {
  return { text, style: 'h1', outline: true }
}

function h2(text: string): ContentText {
  return { text, style: 'h2', outline: true }
}

function table(head: readonly string[], rows: TableCell[][], widths: string[]): Content {
  return headedTable(null, head, rows, widths)
}

/**
 * A table whose heading is its first header row: the heading, the column
 * heads and at least the first row are kept together on one page (a heading
 * alone at a page's foot reads as an empty section), and both repeat on each
 * page the table runs on. A stack marked unbreakable cannot do this for a
 * table that may be longer than a page.
 */
function headedTable(heading: ContentText | null, head: readonly string[], rows: TableCell[][], widths: string[]): Content {
  const headingRows: TableCell[][] = heading ? [[{ ...heading, colSpan: head.length }, ...head.slice(1).map((): TableCell => ({ text: '' }))]] : []
  return {
    table: {
      headerRows: headingRows.length + 1,
      keepWithHeaderRows: 1,
      dontBreakRows: true,
      widths,
      body: [...headingRows, head.map((h): TableCell => ({ text: h, style: 'th' })), ...rows],
    },
    layout: headedLayout(headingRows.length),
  }
}

/** pdfmake's light horizontal lines, with no line around a heading row. */
function headedLayout(headingRows: number): CustomTableLayout {
  return {
    hLineWidth: (i, node) => (i <= headingRows || i === node.table.body.length ? 0 : i === node.table.headerRows ? 2 : 1),
    vLineWidth: () => 0,
    hLineColor: (i, node) => (i === node.table.headerRows ? 'black' : '#aaa'),
    paddingLeft: (i) => (i === 0 ? 0 : 8),
    paddingRight: (i, node) => (i === (node.table.widths?.length ?? 1) - 1 ? 0 : 8),
  }
}

/** Paragraphs longer than this are not held with their heading: a held block longer than a page would be cut. */
const KEEP_WITH_HEADING_CHARS = 1_200

/**
 * A heading held on one page with the first block after it (pdfmake has no
 * "keep with next"; an unbreakable stack is the cheap way, where a
 * pageBreakBefore callback would lay the whole document out again for each
 * heading it moves). A long first block is left free rather than cut.
 */
function keptWithNext(heading: Content, following: Content[]): Content[] {
  const [first, ...rest] = following
  if (first === undefined || contentLength(first) > KEEP_WITH_HEADING_CHARS) return [heading, ...following]
  return [{ stack: [heading, first], unbreakable: true }, ...rest]
}

/** About how much text a block holds; anything but text, stacks and lists counts as too long to hold. */
function contentLength(content: unknown): number {
  if (typeof content === 'string' || typeof content === 'number') return String(content).length
  if (Array.isArray(content)) return content.reduce((sum: number, c: unknown) => sum + contentLength(c), 0)
  if (content !== null && typeof content === 'object') {
    const block = content as { text?: unknown; stack?: unknown; ul?: unknown }
    if (block.text !== undefined) return contentLength(block.text)
    if (block.stack !== undefined) return contentLength(block.stack)
    if (block.ul !== undefined) return contentLength(block.ul)
  }
  return KEEP_WITH_HEADING_CHARS + 1
}

function bullet(text: string): Content {
  return { ul: [{ text }] }
}

function warning(text: string): Content {
  return { text: [{ text: `${T.warning}: `, bold: true }, text], color: WARNING_COLOUR, margin: [0, 2, 0, 2] }
}

function bluf(b: BriefingBluf): Content[] {
  if (b.kind === 'written') return b.paragraphs.map((text) => ({ text, bold: true, margin: [0, 0, 0, 3] as Margins }))
  if (b.kind === 'none') return [{ text: b.text, bold: true }]
  return [{ stack: [{ text: T.blufFallback }, { ul: b.items.map((text) => ({ text, bold: true })) }] }]
}

function checks(c: BriefingChecks): Content[] {
  const item = (check: BriefingCheck): Content => ({
    text: [
      { text: `${check.about}: `, bold: true },
      `${check.label}. ${check.message}`,
      // The sentence isolates its member text after the briefing's controls were dropped: drop them again.
      ...(check.acknowledgement ? [{ text: ` ${dropBidiControls(acknowledgementText(check.acknowledgement))}`, italics: true }] : []),
    ],
  })
  const list = (heading: string, items: BriefingCheck[]) => (items.length > 0 ? keptWithNext(h2(heading), items.map((i) => ({ ul: [item(i)] }))) : [])
  if (c.open.length + c.acknowledged.length === 0) return keptWithNext(h1(T.checks), [{ text: T.noChecks }])
  return keptWithNext(h1(T.checks), [...list(T.openChecks, c.open), ...list(T.acknowledgedChecks, c.acknowledged)])
}

function ach(a: BriefingAch): Content[] {
  const least = leastLabel(a)
  return [
    { ...h1(ACH_TEXT.heading), pageBreak: 'before' },
    ...a.hypotheses.map((h) => labelled(h.label, `${h.number}. ${h.title}`)),
    ...achTables(a).map((t) => {
      const scoreRow = (label: string, cells: string[]): TableCell[] => [
        { text: label, bold: true, colSpan: 4 },
        { text: '' },
        { text: '' },
        { text: '' },
        ...cells.map((text): TableCell => ({ text, bold: true, alignment: 'center' })),
      ]
      return headedTable(
        t.heading ? h2(t.heading) : null,
        [ACH_TEXT.evidence, ACH_TEXT.grade, ACH_TEXT.relevance, ACH_TEXT.weight, ...t.hypotheses.map((h) => h.label)],
        [
          ...t.rows.map((row): TableCell[] => [
            { text: wrappable(`${row.claim}${row.note ? ` (${row.note})` : ''}`), decoration: row.retracted ? 'lineThrough' : undefined, fontSize: 9 },
            { text: wrappable(row.attribution), fontSize: 9 },
            { text: row.relevance, fontSize: 9 },
            { text: row.weight, fontSize: 9 },
            ...row.cells.map((text): TableCell => ({ text, alignment: 'center', fontSize: 9 })),
          ]),
          scoreRow(ACH_TEXT.inconsistency, t.scores.map((s) => `${s.inconsistency}${s.least ? `\n${least}` : ''}`)),
          scoreRow(ACH_TEXT.weighted, t.scores.map((s) => `${s.weighted}${s.leastWeighted ? `\n${least}` : ''}`)),
          scoreRow(ACH_TEXT.rated, t.scores.map(ratedText)),
        ],
        ['*', 'auto', 'auto', 'auto', ...t.hypotheses.map(() => 'auto')],
      )
    }),
    { text: a.caption, style: 'caption' },
  ]
}

function gridTable(b: Briefing): Content {
  return {
    table: {
      headerRows: 1,
      dontBreakRows: true,
      widths: ['auto', '*', '*', '*', '*', '*'],
      body: [
        [T.gridCorner, ...b.grid.impacts].map((h): TableCell => ({ text: h, style: 'th' })),
        ...b.grid.rows.map((row): TableCell[] => [
          { text: `${row.term} (${row.range})`, bold: true },
          ...row.cells.map((c): TableCell => ({ text: c.numbers.join(', '), alignment: 'center', fillColor: `#${RISK_COLOURS[c.risk]}` })),
        ]),
      ],
    },
  }
}
