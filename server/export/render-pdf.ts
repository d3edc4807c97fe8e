/**
 * The briefing as a PDF (pdfmake): the marking in every page's header and
 * footer, page numbers, bookmarks for the headings. pdfmake has no footnotes,
 * so each assessment's notes are printed right under it, numbered as the DOCX
 * footnotes are.
 *
 * Fonts: Roboto as shipped inside the pdfmake package, which covers Latin with
 * its accents, Greek, Cyrillic and typographic punctuation, so nothing needs
 * installing on the machine.
 */
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import pdfMake from 'pdfmake'
import type { Content, ContentText, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces'
import { BRIEFING_TEXT as T, citationsOf, type Briefing, type BriefingAssessment, type Citation } from './briefing-model.ts'
import { parseTime } from '../../shared/date-time-group.ts'
import { MARKING_BACKGROUND, RISK_COLOURS, markingColour } from './palette.ts'

const FONT_DIR = join(dirname(createRequire(import.meta.url).resolve('pdfmake/package.json')), 'fonts', 'Roboto')

const FONTS = {
  Roboto: {
    normal: join(FONT_DIR, 'Roboto-Regular.ttf'),
    bold: join(FONT_DIR, 'Roboto-Medium.ttf'),
    italics: join(FONT_DIR, 'Roboto-Italic.ttf'),
    bolditalics: join(FONT_DIR, 'Roboto-MediumItalic.ttf'),
  },
}

const PAGE_MARGIN_X = 50
const PAGE_MARGIN_TOP = 64
/** The footer's area is the bottom page margin. */
const FOOTER_HEIGHT = 72
/** The page number above the bottom bar: its top margin plus one 9 pt line at a line height of 1.2. */
const PAGE_NUMBER_BLOCK = 12 + 11
/** The marking's black bars: from the top edge to the top bar, from the bottom edge to the bottom bar's top, and their height. */
const BANNER_TOP = 24
const BANNER_BOTTOM = 40
const BANNER_HEIGHT = 15

export async function renderPdf(briefing: Briefing): Promise<Uint8Array> {
  // pdfmake is one shared instance: these calls are idempotent, and keep it from reading anything but its fonts.
  pdfMake.setFonts(FONTS)
  pdfMake.setUrlAccessPolicy(() => false)
  pdfMake.setLocalAccessPolicy((path) => resolve(path).startsWith(FONT_DIR))
  const buffer = await pdfMake.createPdf(documentDefinition(briefing)).getBuffer()
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/** Built fresh for every render: pdfmake rewrites the definition it is given in place. */
function documentDefinition(b: Briefing): TDocumentDefinitions {
  const time = parseTime(b.version.time)
  return {
    pageSize: 'A4',
    pageMargins: [PAGE_MARGIN_X, PAGE_MARGIN_TOP, PAGE_MARGIN_X, FOOTER_HEIGHT],
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
      canvas: [BANNER_TOP, size.height - BANNER_BOTTOM].map((y) => ({
        type: 'rect' as const,
        x: PAGE_MARGIN_X,
        y,
        w: size.width - 2 * PAGE_MARGIN_X,
        h: BANNER_HEIGHT,
        color: `#${MARKING_BACKGROUND}`,
      })),
    }),
    header: () => markingText(b, BANNER_TOP),
    footer: (currentPage: number, pageCount: number) => [
      { text: `Page ${currentPage} of ${pageCount}`, alignment: 'center', style: 'muted', margin: [0, 12, 0, 0] },
      markingText(b, FOOTER_HEIGHT - BANNER_BOTTOM - PAGE_NUMBER_BLOCK),
    ],
    content: [
      { text: b.title, style: 'title', outline: true },
      labelled(T.dtg, b.dtg),
      labelled(T.version, b.version.description),
      labelled(T.hash, b.version.hash),
      ...(b.question ? [labelled(T.question, b.question)] : []),
      h1(T.bluf),
      { text: b.bluf, bold: true },
      h1(T.grid),
      gridTable(b),
      {
        text: `${T.gridCaption}${b.grid.unplaced.length > 0 ? ` ${T.unplaced} ${b.grid.unplaced.join(', ')}.` : ''}`,
        style: 'caption',
      },
      ...b.sections.flatMap((section) => [h1(section.heading), ...section.assessments.flatMap(assessment)]),
      h1(T.sources),
      table(
        T.sourceColumns,
        b.sources.map((s) => [s.url ? `${s.name}\n${s.url}` : s.name, s.kind, `${s.reliability}: ${s.reliabilityLabel}`, String(s.claims)]),
        ['*', 'auto', 'auto', 'auto'],
      ),
      ...(b.changes
        ? [h1(T.changes(b.changes.since)), b.changes.items.length > 0 ? { ul: b.changes.items.map((text) => ({ text })) } : { text: T.noChanges }]
        : []),
      { ...h1(T.appendix), pageBreak: 'before' },
      h2(T.yardstick(b.appendix.yardstickName)),
      table(T.yardstickColumns, b.appendix.yardstick.map((r) => [String(r.band), r.term, r.range]), ['auto', '*', 'auto']),
      h2(T.confidence),
      ...b.appendix.confidence.map((c) => labelled(c.level, c.meaning)),
      h2(T.reliability),
      ...b.appendix.reliability.map((r) => labelled(r.grade, r.label)),
      h2(T.credibility),
      ...b.appendix.credibility.map((c) => labelled(c.grade, c.label)),
    ],
  }
}

function assessment(a: BriefingAssessment): Content[] {
  const notes = citationsOf(a)
  return [
    h2(`${a.number}. ${a.title}`),
    ...a.judgment.map((text) => ({ text, margin: [0, 0, 0, 3] as [number, number, number, number] })),
    { text: a.likelihood },
    { text: a.confidence },
    { text: a.details.join(' · '), style: 'muted', margin: [0, 2, 0, 2] },
    ...citationLine(T.supporting, a.supporting),
    ...citationLine(T.contradicting, a.contradicting),
    ...citationLine(T.retracted, a.retracted),
    ...(notes.length > 0
      ? [
          {
            margin: [0, 4, 0, 0] as [number, number, number, number],
            // Plain text with its own size and colour: a named style and a superscript run per note cost a tenth more.
            stack: notes.map((c) => ({ text: `${c.note}  ${c.footnote}`, fontSize: 8, color: '#333333' })),
          },
        ]
      : []),
  ]
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

/** The marking's text, placed `top` points into its area so that it sits inside the bar drawn behind it. */
function markingText(b: Briefing, top: number): Content {
  return { text: b.marking, bold: true, alignment: 'center', color: `#${markingColour(b.tlp)}`, margin: [PAGE_MARGIN_X, top + 2, PAGE_MARGIN_X, 0] }
}

function labelled(label: string, text: string): Content {
  return { text: [{ text: `${label}: `, bold: true }, text] }
}

function h1(text: string): ContentText {
  return { text, style: 'h1', outline: true }
}

function h2(text: string): Content {
  return { text, style: 'h2', outline: true }
}

function table(head: readonly string[], rows: string[][], widths: string[]): Content {
  return {
    table: {
      headerRows: 1,
      widths,
      body: [head.map((h): TableCell => ({ text: h, style: 'th' })), ...rows],
    },
    layout: 'lightHorizontalLines',
  }
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
