/**
 * The briefing as GitHub-flavoured Markdown, footnotes included. Every board
 * text is escaped, so a claim can neither inject HTML (which Markdown passes
 * through) nor turn into a link (bare addresses included), a heading or a
 * table column.
 */
import { ACH_TEXT, achTables, leastLabel, ratedText, type BriefingAch } from './briefing-ach.ts'
import { BRIEFING_TEXT as T, allCitations, type Briefing, type BriefingAssessment, type BriefingBluf, type Citation } from './briefing-model.ts'
import { acknowledgementText, type BriefingChecks } from './briefing-review.ts'
import { isolate } from '../../shared/bidi.ts'
import { oneLine } from '../../shared/one-line.ts'

export function renderMarkdown(briefing: Briefing): string {
  const b = briefing
  const citations = allCitations(b)
  const blocks: string[] = [
    `**${inline(b.marking)}**`,
    `# ${inline(b.title)}`,
    [
      `**${T.dtg}:** ${inline(b.dtg)}  `,
      `**${T.version}:** ${inline(b.version.description)}  `,
      `**${T.hash}:** ${inline(b.version.hash)}`,
    ].join('\n'),
    ...(b.question ? [`**${T.question}:** ${inline(b.question)}`] : []),
    [`**${T.scope}:** ${inline(b.scope.statement)}  `, `**${T.review}:** ${inline(b.review.statement)}`].join('\n'),
    ...(b.review.signoffs.length > 0 ? [b.review.signoffs.map((line) => `- ${inline(line)}`).join('\n')] : []),
    ...(b.remarked ? [`**${T.warning}:** ${inline(b.remarked)}`] : []),
    ...(b.retractedSince ? [`**${T.warning}:** ${inline(b.retractedSince.statement)} (${b.retractedSince.titles.map(inline).join('; ')})`] : []),
    `## ${T.bluf}`,
    bluf(b.bluf),
    `## ${T.grid}`,
    gridTable(b),
    `*${T.gridCaption}*`,
    ...(b.grid.unplaced.length > 0 ? [`${T.unplaced} ${b.grid.unplaced.join(', ')}.`] : []),
    ...b.sections.flatMap((section) => [`## ${section.heading}`, ...(section.note ? [`*${section.note}*`] : []), ...section.assessments.flatMap(assessment)]),
    `## ${T.sources}`,
    b.sources.length === 0
      ? T.noSources
      : table(
          T.sourceColumns,
          b.sources.map((s) => [
            s.url ? `${inline(isolate(s.name))} (${inline(isolate(s.url))})` : inline(s.name),
            inline(s.kind),
            `${s.reliability}: ${s.reliabilityLabel}`,
            String(s.claims),
          ]),
        ),
    ...(b.changes
      ? [`## ${inline(T.changes(b.changes.since))}`, b.changes.items.length > 0 ? b.changes.items.map((i) => `- ${inline(i)}`).join('\n') : T.noChanges]
      : []),
    ...checks(b.checks),
    `## ${T.appendix}`,
    `### ${inline(T.yardstick(b.appendix.yardstickName))}`,
    table(T.yardstickColumns, b.appendix.yardstick.map((row) => [String(row.band), row.term, row.range])),
    ...(b.appendix.yardstickNote ? [inline(b.appendix.yardstickNote)] : []),
    `### ${T.confidence}`,
    b.appendix.confidence.map((c) => `- **${c.level}**: ${c.meaning}`).join('\n'),
    `### ${T.reliability}`,
    b.appendix.reliability.map((r) => `- **${r.grade}**: ${r.label}`).join('\n'),
    `### ${T.credibility}`,
    b.appendix.credibility.map((c) => `- **${c.grade}**: ${c.label}`).join('\n'),
    ...(b.ach ? ach(b.ach) : []),
    ...(citations.length > 0 ? [citations.map((c) => `[^${c.note}]: ${inline(c.footnote)}`).join('\n')] : []),
    `**${inline(b.marking)}**`,
  ]
  return `${blocks.join('\n\n')}\n`
}

function assessment(a: BriefingAssessment): string[] {
  return [
    `### ${a.number}. ${inline(a.title)}`,
    ...a.judgment.map(inline),
    ...a.warnings.map((w) => `**${T.warning}:** ${inline(w)}`),
    a.likelihood,
    a.confidence,
    a.details.map(inline).join(' · '),
    ...(a.verdicts.length > 0 ? [`**${T.verdicts}:**\n${a.verdicts.map((line) => `- ${inline(line)}`).join('\n')}`] : []),
    ...citationLine(T.supporting, a.supporting),
    ...citationLine(T.contradicting, a.contradicting),
    ...citationLine(T.retracted, a.retracted),
  ]
}

function bluf(b: BriefingBluf): string {
  if (b.kind === 'written') return b.paragraphs.map(inline).join('\n\n')
  if (b.kind === 'none') return b.text
  return [T.blufFallback, '', ...b.items.map((item) => `- ${inline(item)}`)].join('\n')
}

function checks(c: BriefingChecks): string[] {
  const line = (check: BriefingChecks['open'][number]) =>
    `- **${inline(check.about)}**: ${inline(check.label)}. ${inline(check.message)}${check.acknowledgement ? ` *${inline(acknowledgementText(check.acknowledgement))}*` : ''}`
  if (c.open.length + c.acknowledged.length === 0) return [`## ${T.checks}`, T.noChecks]
  return [
    `## ${T.checks}`,
    ...(c.open.length > 0 ? [`### ${T.openChecks}`, c.open.map(line).join('\n')] : []),
    ...(c.acknowledged.length > 0 ? [`### ${T.acknowledgedChecks}`, c.acknowledged.map(line).join('\n')] : []),
  ]
}

function ach(a: BriefingAch): string[] {
  const least = leastLabel(a)
  return [
    `## ${ACH_TEXT.heading}`,
    a.hypotheses.map((h) => `- **${h.label}**: ${h.number}. ${inline(h.title)}`).join('\n'),
    ...achTables(a).flatMap((t) => [
      ...(t.heading ? [`### ${t.heading}`] : []),
      table(
        [ACH_TEXT.evidence, ACH_TEXT.grade, ACH_TEXT.relevance, ACH_TEXT.weight, ...t.hypotheses.map((h) => h.label)],
        [
          ...t.rows.map((row) => [
            `${row.retracted ? `~~${inline(isolate(row.claim))}~~` : inline(isolate(row.claim))}${row.note ? ` (${row.note})` : ''}`,
            inline(row.attribution),
            row.relevance,
            row.weight,
            ...row.cells,
          ]),
          [`**${ACH_TEXT.inconsistency}**`, '', '', '', ...t.scores.map((s) => `${s.inconsistency}${s.least ? ` (${least})` : ''}`)],
          [`**${ACH_TEXT.weighted}**`, '', '', '', ...t.scores.map((s) => `${s.weighted}${s.leastWeighted ? ` (${least})` : ''}`)],
          [`**${ACH_TEXT.rated}**`, '', '', '', ...t.scores.map(ratedText)],
        ],
      ),
    ]),
    `*${inline(a.caption)}*`,
  ]
}

function citationLine(label: string, citations: Citation[]): string[] {
  if (citations.length === 0) return []
  return [`*${label}:* ${citations.map((c) => `${inline(c.attribution)}[^${c.note}]`).join(', ')}.`]
}

function gridTable(b: Briefing): string {
  return table(
    [T.gridCorner, ...b.grid.impacts],
    b.grid.rows.map((row) => [`${row.term} (${row.range})`, ...row.cells.map((cell) => cell.numbers.join(', '))]),
  )
}

function table(head: readonly string[], rows: string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c || ' ').join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

/**
 * One line of board text, inert: line breaks become spaces (shared/one-line.ts), and every
 * character that Markdown or the HTML it passes through reads as syntax is
 * backslash-escaped (CommonMark allows that before any ASCII punctuation).
 * GFM also makes links of bare addresses: "https://…" (and ftp), "www.…" and
 * "name@host" (with or without "mailto:"). Escaping the "://", the dot after
 * "www" and every "@" breaks each pattern, as renderers match them in the text
 * as written, while the text shown stays the same.
 */
export function inline(text: string): string {
  return oneLine(text)
    .replace(/[\\`*_[\]<>|~#&!@]/g, '\\$&')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/^(\s*)([-+=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2')
}
