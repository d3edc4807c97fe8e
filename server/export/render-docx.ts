/**
 * The briefing as a Word document: real headings (so Word's navigation pane
 * and table of contents work), real footnotes for the citations, the marking
 * in the header and the footer of every page, and page numbers.
 */
import {
  AlignmentType,
  BookmarkEnd,
  BookmarkStart,
  Document,
  Footer,
  FootnoteReferenceRun,
  Header,
  HeadingLevel,
  InternalHyperlink,
  Packer,
  PageNumber,
  Paragraph,
  type ParagraphChild,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx'
import { ACH_TEXT, achTables, leastLabel, ratedText, type BriefingAch } from './briefing-ach.ts'
import { BRIEFING_TEXT as T, headerFacts, allCitations, noteReference, type Briefing, type BriefingAssessment, type BriefingBluf, type Citation } from './briefing-model.ts'
import { acknowledgementText, type BriefingCheck, type BriefingChecks } from './briefing-review.ts'
import { parseTime } from '../../shared/date-time-group.ts'
import { MARKING_BACKGROUND, RISK_COLOURS, markingColour } from './palette.ts'
import { setZipTimestamps } from './zip-timestamps.ts'
import { isolate } from '../../shared/bidi.ts'

const CREATOR = 'Assay'
const WARNING_COLOUR = '8A1C12'


export async function renderDocx(briefing: Briefing): Promise<Uint8Array> {
  const b = briefing
  const citations = allCitations(b)
  const document = new Document({
    footnotes: footnotes(citations),
    sections: [
      {
        headers: { default: new Header({ children: [markingParagraph(b)] }) },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES], size: 18 })],
              }),
              markingParagraph(b),
            ],
          }),
        },
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, text: b.title }),
          ...headerFacts(b).map((fact) => labelled(fact.label, fact.value)),
          ...b.review.signoffs.map((line) => new Paragraph({ text: line, bullet: { level: 0 } })),
          ...(b.remarked ? [warning(b.remarked)] : []),
          ...(b.retractedSince ? [warning(`${b.retractedSince.statement} (${b.retractedSince.titles.join('; ')})`)] : []),
          heading1(T.bluf),
          ...bluf(b.bluf),
          heading1(T.grid),
          gridTable(b),
          new Paragraph({
            children: [
              new TextRun({
                text: `${T.gridCaption}${b.grid.unplaced.length > 0 ? ` ${T.unplaced} ${b.grid.unplaced.join(', ')}.` : ''}`,
                italics: true,
              }),
            ],
          }),
          ...b.sections.flatMap((section) => [
            heading1(section.heading),
            ...(section.note ? [new Paragraph({ keepNext: true, children: [new TextRun({ text: section.note, italics: true })] })] : []),
            ...section.assessments.flatMap(assessment),
          ]),
          heading1(T.sources),
          b.sources.length === 0
            ? new Paragraph(T.noSources)
            : table(
                T.sourceColumns,
                b.sources.map((s) => [s.url ? `${isolate(s.name)} (${isolate(s.url)})` : s.name, s.kind, `${s.reliability}: ${s.reliabilityLabel}`, String(s.claims)]),
              ),
          ...(b.changes
            ? [
                heading1(T.changes(b.changes.since)),
                ...(b.changes.items.length > 0
                  ? b.changes.items.map((item) => new Paragraph({ text: item, bullet: { level: 0 } }))
                  : [new Paragraph(T.noChanges)]),
              ]
            : []),
          ...checks(b.checks),
          new Paragraph({ heading: HeadingLevel.HEADING_1, text: T.appendix, pageBreakBefore: true, keepNext: true }),
          heading2(T.yardstick(b.appendix.yardstickName)),
          table(T.yardstickColumns, b.appendix.yardstick.map((r) => [String(r.band), r.term, r.range])),
          ...(b.appendix.yardstickNote ? [new Paragraph({ text: b.appendix.yardstickNote })] : []),
          heading2(T.confidence),
          ...b.appendix.confidence.map((c) => labelled(c.level, c.meaning)),
          heading2(T.reliability),
          ...b.appendix.reliability.map((r) => labelled(r.grade, r.label)),
          heading2(T.credibility),
          ...b.appendix.credibility.map((c) => labelled(c.grade, c.label)),
          ...(b.ach ? ach(b.ach) : []),
        ],
      },
    ],
  })
  const time = parseTime(b.version.time)
  // docx stamps the core properties with the time of packing; the version's time makes the document reproducible.
  const zip = await Packer.toBuffer(document, false, [{ path: 'docProps/core.xml', data: coreProperties(b, time) }])
  return setZipTimestamps(zip, time)
}

/**
 * The citations as Word footnotes. A note that a later one refers to is a
 * bookmark, and the later note's "note 3" an internal hyperlink to it; the
 * bookmark's name is made of the note's number alone, never of member text.
 */
function footnotes(citations: Citation[]): Record<number, { children: Paragraph[] }> {
  const referredTo = new Set(citations.map((c) => c.quotedIn))
  const bookmark = (note: number) => `note_${note}`
  return Object.fromEntries(
    citations.map((c) => {
      const reference = noteReference(c)
      const children = reference
        ? [
            new TextRun(reference.before),
            new InternalHyperlink({ anchor: bookmark(reference.to), children: [new TextRun({ text: reference.name, style: 'Hyperlink' })] }),
            new TextRun(reference.after),
          ]
        : referredTo.has(c.note)
          ? bookmarked(bookmark(c.note), c.note, [new TextRun(c.footnote)])
          : [new TextRun(c.footnote)]
      return [c.note, { children: [new Paragraph({ children })] }]
    }),
  )
}

/**
 * `children` in a bookmark whose id is `id`: docx's Bookmark takes its id from
 * a counter that runs on through the process, and a snapshot's DOCX must be the
 * same bytes every time. Word reads a bookmark's start and end as a
 * paragraph's children, which docx writes as given but leaves out of its type.
 */
function bookmarked(name: string, id: number, children: ParagraphChild[]): ParagraphChild[] {
  return [new BookmarkStart(name, id) as unknown as ParagraphChild, ...children, new BookmarkEnd(id) as unknown as ParagraphChild]
}

function assessment(a: BriefingAssessment): (Paragraph | Table)[] {
  return [
    heading2(`${a.number}. ${a.title}`),
    ...a.judgment.map((text) => new Paragraph(text)),
    ...a.warnings.map(warning),
    new Paragraph(a.likelihood),
    new Paragraph(a.confidence),
    new Paragraph({ children: [new TextRun({ text: a.details.join(' · '), color: '444444', size: 20 })] }),
    ...(a.verdicts.length > 0
      ? [new Paragraph({ children: [new TextRun({ text: `${T.verdicts}:`, bold: true })] }), ...a.verdicts.map((line) => new Paragraph({ text: line, bullet: { level: 0 } }))]
      : []),
    ...citationLine(T.supporting, a.supporting),
    ...citationLine(T.contradicting, a.contradicting),
    ...citationLine(T.retracted, a.retracted),
  ]
}

function citationLine(label: string, citations: Citation[]): Paragraph[] {
  if (citations.length === 0) return []
  return [
    new Paragraph({
      children: [
        new TextRun({ text: `${label}: `, italics: true }),
        ...citations.flatMap((c, i) => [
          new TextRun(`${i > 0 ? ', ' : ''}${c.attribution}`),
          new FootnoteReferenceRun(c.note),
        ]),
        new TextRun('.'),
      ],
    }),
  ]
}

function markingParagraph(b: Briefing): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    children: [
      new TextRun({
        text: ` ${b.marking} `,
        bold: true,
        color: markingColour(b.tlp),
        shading: { type: ShadingType.CLEAR, color: 'auto', fill: MARKING_BACKGROUND },
      }),
    ],
  })
}

function labelled(label: string, text: string): Paragraph {
  return new Paragraph({ children: [new TextRun({ text: `${label}: `, bold: true }), new TextRun(text)] })
}

/** Headings are kept with what follows them: Word moves a heading left alone at a page's foot to the next page. */
function heading1(text: string): Paragraph {
  return new Paragraph({ heading: HeadingLevel.HEADING_1, text, keepNext: true })
}

function heading2(text: string): Paragraph {
  return new Paragraph({ heading: HeadingLevel.HEADING_2, text, keepNext: true })
}

function warning(text: string): Paragraph {
  return new Paragraph({ children: [new TextRun({ text: `${T.warning}: `, bold: true, color: WARNING_COLOUR }), new TextRun({ text, color: WARNING_COLOUR })] })
}

function bluf(b: BriefingBluf): Paragraph[] {
  if (b.kind === 'written') return b.paragraphs.map((text) => new Paragraph({ children: [new TextRun({ text, bold: true })] }))
  if (b.kind === 'none') return [new Paragraph({ children: [new TextRun({ text: b.text, bold: true })] })]
  return [new Paragraph({ text: T.blufFallback, keepNext: true }), ...b.items.map((item) => new Paragraph({ children: [new TextRun({ text: item, bold: true })], bullet: { level: 0 } }))]
}

function checks(c: BriefingChecks): Paragraph[] {
  const item = (check: BriefingCheck) =>
    new Paragraph({
      bullet: { level: 0 },
      children: [
        new TextRun({ text: `${check.about}: `, bold: true }),
        new TextRun(`${check.label}. ${check.message}`),
        ...(check.acknowledgement ? [new TextRun({ text: ` ${acknowledgementText(check.acknowledgement)}`, italics: true })] : []),
      ],
    })
  if (c.open.length + c.acknowledged.length === 0) return [heading1(T.checks), new Paragraph(T.noChecks)]
  return [
    heading1(T.checks),
    ...(c.open.length > 0 ? [heading2(T.openChecks), ...c.open.map(item)] : []),
    ...(c.acknowledged.length > 0 ? [heading2(T.acknowledgedChecks), ...c.acknowledged.map(item)] : []),
  ]
}

function ach(a: BriefingAch): (Paragraph | Table)[] {
  const least = leastLabel(a)
  const tables = achTables(a).flatMap((t) => {
    const scoreRow = (label: string, cells: string[]) =>
      new TableRow({ cantSplit: true, children: [cell(label, { bold: true }), cell(''), cell(''), cell(''), ...cells.map((text) => cell(text, { bold: true }))] })
    return [
      ...(t.heading ? [heading2(t.heading)] : []),
      new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: [
          new TableRow({
            tableHeader: true,
            cantSplit: true,
            children: [ACH_TEXT.evidence, ACH_TEXT.grade, ACH_TEXT.relevance, ACH_TEXT.weight, ...t.hypotheses.map((h) => h.label)].map((h) => cell(h, { bold: true })),
          }),
          ...t.rows.map(
            (row) =>
              new TableRow({
                cantSplit: true,
                children: [cell(`${isolate(row.claim)}${row.note ? ` (${row.note})` : ''}`), cell(row.attribution), cell(row.relevance), cell(row.weight), ...row.cells.map((text) => cell(text))],
              }),
          ),
          scoreRow(ACH_TEXT.inconsistency, t.scores.map((s) => `${s.inconsistency}${s.least ? ` (${least})` : ''}`)),
          scoreRow(ACH_TEXT.weighted, t.scores.map((s) => `${s.weighted}${s.leastWeighted ? ` (${least})` : ''}`)),
          scoreRow(ACH_TEXT.rated, t.scores.map(ratedText)),
        ],
      }),
    ]
  })
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, text: ACH_TEXT.heading, pageBreakBefore: true, keepNext: true }),
    ...a.hypotheses.map((h) => labelled(h.label, `${h.number}. ${h.title}`)),
    ...tables,
    new Paragraph({ children: [new TextRun({ text: a.caption, italics: true })] }),
  ]
}

function cell(text: string, options: { bold?: boolean; fill?: string } = {}): TableCell {
  return new TableCell({
    children: [new Paragraph({ children: [new TextRun({ text, bold: options.bold ?? false })] })],
    ...(options.fill ? { shading: { type: ShadingType.CLEAR, color: 'auto', fill: options.fill } } : {}),
  })
}

function table(head: readonly string[], rows: string[][]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: head.map((h) => cell(h, { bold: true })) }),
      ...rows.map((row) => new TableRow({ children: row.map((text) => cell(text)) })),
    ],
  })
}

function gridTable(b: Briefing): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: [T.gridCorner, ...b.grid.impacts].map((h) => cell(h, { bold: true })) }),
      ...b.grid.rows.map(
        (row) =>
          new TableRow({
            cantSplit: true,
            children: [
              cell(`${row.term} (${row.range})`, { bold: true }),
              ...row.cells.map((c) => cell(c.numbers.join(', '), { fill: RISK_COLOURS[c.risk] })),
            ],
          }),
      ),
    ],
  })
}

/** The document's properties as the docx package writes them, with the version's time for created and modified. */
function coreProperties(b: Briefing, time: Date): string {
  const stamp = time.toISOString()
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${xmlText(b.title)}</dc:title><dc:creator>${CREATOR}</dc:creator>` +
    `<dc:description>${xmlText(`${b.version.description}; ${T.hash.toLowerCase()} ${b.version.hash}`)}</dc:description>` +
    `<cp:lastModifiedBy>${CREATOR}</cp:lastModifiedBy><cp:revision>1</cp:revision>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${stamp}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${stamp}</dcterms:modified>` +
    '</cp:coreProperties>'
  )
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
