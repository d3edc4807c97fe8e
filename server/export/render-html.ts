/**
 * The briefing as one self-contained HTML page: inline styles, no scripts, no
 * outside requests (the page's own Content-Security-Policy forbids them, in
 * case anything ever slipped past escaping). Printed, it carries the marking
 * at the top and bottom of every page: the page sits in a table whose header
 * and footer rows hold the marking, and browsers repeat those on each printed
 * page. (Fixed positioning repeats too, but covers the text beneath it.)
 */
import { ACH_TEXT, achTables, leastLabel, ratedText, type BriefingAch } from './briefing-ach.ts'
import { BRIEFING_TEXT as T, allCitations, noteReference, type Briefing, type BriefingAssessment, type BriefingBluf, type BriefingSource, type Citation } from './briefing-model.ts'
import { acknowledgementText, type BriefingCheck, type BriefingChecks } from './briefing-review.ts'
import { MARKING_BACKGROUND, RISK_COLOURS, markingColour } from './palette.ts'
import { isolatesAsBdi } from './bidi.ts'
import { withControlsClosed } from '../../shared/bidi.ts'

export function renderHtml(briefing: Briefing): string {
  const b = briefing
  const citations = allCitations(b)
  const marking = (where: string) => `<tr><td class="${where}"><div class="marking">${esc(b.marking)}</div></td></tr>`
  // A <title> holds no markup, so no <bdi>: what the board's title leaves open is closed before the date-time group after it.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(withControlsClosed(b.title))} — ${esc(b.dtg)}</title>
<style>${stylesheet(markingColour(b.tlp))}</style>
</head>
<body>
<table class="page">
<thead>${marking('top')}</thead>
<tfoot>${marking('bottom')}</tfoot>
<tbody><tr><td>
<main>
<header>
<h1>${esc(b.title)}</h1>
<dl class="version">
<dt>${T.dtg}</dt><dd>${esc(b.dtg)}</dd>
<dt>${T.version}</dt><dd>${esc(b.version.description)}</dd>
<dt>${T.hash}</dt><dd><code>${esc(b.version.hash)}</code></dd>
${b.question ? `<dt>${T.question}</dt><dd>${esc(b.question)}</dd>` : ''}
<dt>${T.scope}</dt><dd class="scope">${esc(b.scope.statement)}</dd>
<dt>${T.review}</dt><dd class="review review-${b.review.status}">${esc(b.review.statement)}${
  b.review.signoffs.length > 0 ? `<ul class="signoffs">${b.review.signoffs.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>` : ''
}</dd>
</dl>
${b.remarked ? `<p class="warning remarked"><strong>${T.warning}:</strong> ${esc(b.remarked)}</p>` : ''}
${b.retractedSince ? `<p class="warning retracted-since"><strong>${T.warning}:</strong> ${esc(b.retractedSince.statement)} (${b.retractedSince.titles.map(esc).join('; ')})</p>` : ''}
</header>
<section>
<h2>${T.bluf}</h2>
${bluf(b.bluf)}
</section>
<section>
<h2>${T.grid}</h2>
${grid(b)}
</section>
${b.sections
  .map(
    (section) =>
      `<section>\n<h2>${esc(section.heading)}</h2>\n${section.note ? `<p class="section-note">${esc(section.note)}</p>\n` : ''}` +
      `${section.assessments.map(assessment).join('\n')}\n</section>`,
  )
  .join('\n')}
<section>
<h2>${T.sources}</h2>
${b.sources.length === 0 ? `<p>${T.noSources}</p>` : sourcesTable(b.sources)}
</section>
${b.changes ? changes(b.changes) : ''}
${checks(b.checks)}
<section class="appendix">
<h2>${T.appendix}</h2>
<h3>${esc(T.yardstick(b.appendix.yardstickName))}</h3>
<table>
<thead><tr>${T.yardstickColumns.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>
${b.appendix.yardstick.map((r) => `<tr><td>${r.band}</td><td>${esc(r.term)}</td><td>${esc(r.range)}</td></tr>`).join('\n')}
</tbody>
</table>
${b.appendix.yardstickNote ? `<p class="yardstick-note">${esc(b.appendix.yardstickNote)}</p>` : ''}
<h3>${T.confidence}</h3>
${definitions(b.appendix.confidence.map((c) => [c.level, c.meaning]))}
<h3>${T.reliability}</h3>
${definitions(b.appendix.reliability.map((r) => [r.grade, r.label]))}
<h3>${T.credibility}</h3>
${definitions(b.appendix.credibility.map((c) => [c.grade, c.label]))}
</section>
${b.ach ? ach(b.ach) : ''}
${
  citations.length > 0
    ? `<section class="notes">\n<h2>${T.notes}</h2>\n<ol>\n${citations.map((c) => `<li id="${noteId(c.note)}" value="${c.note}">${footnote(c)}</li>`).join('\n')}\n</ol>\n</section>`
    : ''
}
</main>
</td></tr></tbody>
</table>
</body>
</html>
`
}

function assessment(a: BriefingAssessment): string {
  return `<article class="assessment">
<h3>${a.number}. ${esc(a.title)}</h3>
${a.judgment.map((p) => `<p>${esc(p)}</p>`).join('\n')}
${a.warnings.map((w) => `<p class="warning"><strong>${T.warning}:</strong> ${esc(w)}</p>`).join('\n')}
<p class="likelihood">${esc(a.likelihood)}</p>
<p class="confidence">${esc(a.confidence)}</p>
<p class="details">${a.details.map(esc).join(' · ')}</p>
${a.verdicts.length > 0 ? `<p class="verdicts"><strong>${T.verdicts}:</strong></p><ul class="verdicts">${a.verdicts.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>` : ''}
${[citationLine(T.supporting, a.supporting), citationLine(T.contradicting, a.contradicting), citationLine(T.retracted, a.retracted)].join('')}
</article>`
}

function bluf(b: BriefingBluf): string {
  if (b.kind === 'written') return b.paragraphs.map((p) => `<p class="bluf">${esc(p)}</p>`).join('\n')
  if (b.kind === 'none') return `<p class="bluf">${esc(b.text)}</p>`
  return `<p>${esc(T.blufFallback)}</p>\n<ul class="bluf">\n${b.items.map((item) => `<li>${esc(item)}</li>`).join('\n')}\n</ul>`
}

function checks(c: BriefingChecks): string {
  const item = (check: BriefingCheck) =>
    `<li><strong>${esc(check.about)}</strong>: ${esc(check.label)}. ${esc(check.message)}${check.acknowledgement ? ` <em>${esc(acknowledgementText(check.acknowledgement))}</em>` : ''}</li>`
  const list = (heading: string, items: BriefingCheck[]) => (items.length > 0 ? `<h3>${heading}</h3>\n<ul>\n${items.map(item).join('\n')}\n</ul>` : '')
  const body = c.open.length + c.acknowledged.length === 0 ? `<p>${T.noChecks}</p>` : `${list(T.openChecks, c.open)}\n${list(T.acknowledgedChecks, c.acknowledged)}`
  return `<section class="checks">\n<h2>${T.checks}</h2>\n${body}\n</section>`
}

function ach(a: BriefingAch): string {
  const least = leastLabel(a)
  const scoreRow = (label: string, cells: string[]) => `<tr class="score"><th scope="row" colspan="4">${label}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`
  const tables = achTables(a).map(
    (t) => `${t.heading ? `<h3>${esc(t.heading)}</h3>\n` : ''}<table class="ach">
<thead><tr><th>${ACH_TEXT.evidence}</th><th>${ACH_TEXT.grade}</th><th>${ACH_TEXT.relevance}</th><th>${ACH_TEXT.weight}</th>${t.hypotheses.map((h) => `<th scope="col" title="${esc(h.title)}">${h.label}</th>`).join('')}</tr></thead>
<tbody>
${t.rows
  .map(
    (row) =>
      `<tr${row.retracted ? ' class="retracted"' : ''}><td><bdi>${esc(row.claim)}</bdi>${row.note ? ` <span class="note">(${esc(row.note)})</span>` : ''}</td>` +
      `<td>${esc(row.attribution)}</td><td>${row.relevance}</td><td class="count">${row.weight}</td>${row.cells.map((cell) => `<td class="rating">${cell}</td>`).join('')}</tr>`,
  )
  .join('\n')}
</tbody>
<tfoot>
${scoreRow(ACH_TEXT.inconsistency, t.scores.map((s) => `${s.inconsistency}${s.least ? ` <em>${least}</em>` : ''}`))}
${scoreRow(ACH_TEXT.weighted, t.scores.map((s) => `${s.weighted}${s.leastWeighted ? ` <em>${least}</em>` : ''}`))}
${scoreRow(ACH_TEXT.rated, t.scores.map(ratedText))}
</tfoot>
</table>`,
  )
  return `<section class="ach">
<h2>${ACH_TEXT.heading}</h2>
<ul class="hypotheses">\n${a.hypotheses.map((h) => `<li><strong>${h.label}</strong>: ${h.number}. ${esc(h.title)}</li>`).join('\n')}\n</ul>
${tables.join('\n')}
<p class="caption">${esc(a.caption)}</p>
</section>`
}

/** A note's element id: made of its number alone, never of member text, so every id in the page is the server's own and unique. */
const noteId = (note: number) => `note-${note}`

/** A note's text, escaped; one that refers to the note quoting its claim links that note's name to it. */
function footnote(c: Citation): string {
  const reference = noteReference(c)
  if (!reference) return esc(c.footnote)
  return `${esc(reference.before)}<a href="#${noteId(reference.to)}">${esc(reference.name)}</a>${esc(reference.after)}`
}

function citationLine(label: string, citations: Citation[]): string {
  if (citations.length === 0) return ''
  const refs = citations.map((c) => `${esc(c.attribution)}<sup><a href="#${noteId(c.note)}">${c.note}</a></sup>`)
  return `<p class="citations"><em>${label}:</em> ${refs.join(', ')}.</p>\n`
}

function grid(b: Briefing): string {
  const rows = b.grid.rows.map(
    (row) =>
      `<tr><th scope="row">${esc(row.term)} <span class="range">${esc(row.range)}</span></th>` +
      row.cells.map((cell) => `<td class="risk-${cell.risk}">${cell.numbers.join(', ')}</td>`).join('') +
      '</tr>',
  )
  return `<figure>
<table class="grid">
<thead><tr><th>${T.gridCorner}</th>${b.grid.impacts.map((i) => `<th scope="col">${esc(i)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<figcaption>${T.gridCaption}${b.grid.unplaced.length > 0 ? ` ${T.unplaced} ${b.grid.unplaced.join(', ')}.` : ''}</figcaption>
</figure>`
}

function sourcesTable(sources: BriefingSource[]): string {
  const rows = sources.map(
    (s) =>
      `<tr><td><bdi>${esc(s.name)}</bdi>${s.url ? `<br><span class="url">${esc(s.url)}</span>` : ''}</td><td>${esc(s.kind)}</td>` +
      `<td>${esc(s.reliability)}: ${esc(s.reliabilityLabel)}</td><td class="count">${s.claims}</td></tr>`,
  )
  return `<table>\n<thead><tr>${T.sourceColumns.map((c) => `<th>${c}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`
}

function changes(c: NonNullable<Briefing['changes']>): string {
  const body = c.items.length > 0 ? `<ul>\n${c.items.map((i) => `<li>${esc(i)}</li>`).join('\n')}\n</ul>` : `<p>${T.noChanges}</p>`
  return `<section class="changes">\n<h2>${esc(T.changes(c.since))}</h2>\n${body}\n</section>`
}

function definitions(pairs: [string, string][]): string {
  return `<dl class="key">\n${pairs.map(([term, meaning]) => `<dt>${esc(term)}</dt><dd>${esc(meaning)}</dd>`).join('\n')}\n</dl>`
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Board text as HTML: escaped, each isolated run (bidi.ts) a `<bdi>`. */
export function esc(text: string): string {
  return isolatesAsBdi(text.replace(/[&<>"']/g, (c) => ESCAPES[c]!))
}

/** Text breaks anywhere it must (`overflow-wrap: anywhere` on the body): a URL or id without a space widened its table past the window. */
function stylesheet(markingText: string): string {
  return `
body { margin: 0; font: 11pt/1.45 "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif; color: #111; overflow-wrap: anywhere; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem 1.5rem; }
table.page { width: 100%; table-layout: fixed; margin: 0; }
table.page > * > tr > td { border: 0; padding: 0; }
table.page td.top { padding-bottom: .4rem; }
table.page td.bottom { padding-top: .4rem; }
.marking { background: #${MARKING_BACKGROUND}; color: #${markingText}; font-weight: bold; text-align: center;
  letter-spacing: .05em; padding: .25rem; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { margin-bottom: .25rem; }
dl.version { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 1rem; }
dl.version dt, dl.key dt { font-weight: bold; }
dl.version dd, dl.key dd { margin: 0; }
dl.key { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
.bluf { font-weight: bold; }
.warning { color: #8a1c12; }
.section-note, .caption { font-style: italic; font-size: .92em; color: #444; }
dd ul.signoffs { margin: .1rem 0 0; padding-left: 1.1rem; }
table.ach td.rating { text-align: center; font-family: monospace; }
table.ach tr.retracted td:first-child { text-decoration: line-through; }
table.ach tfoot th, table.ach tfoot td { font-weight: bold; }
.note { color: #444; font-size: .92em; }
h2, h3 { break-after: avoid-page; }
.assessment { break-inside: avoid-page; margin-bottom: 1rem; }
.likelihood, .confidence { margin: .2rem 0; }
.details, .citations, .range, .url { color: #444; font-size: .92em; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid #999; padding: .2rem .4rem; text-align: left; vertical-align: top; }
table.grid { table-layout: fixed; }
table.grid th:first-child { width: 30%; }
table.grid td { text-align: center; }
.risk-low { background: #${RISK_COLOURS.low}; }
.risk-medium { background: #${RISK_COLOURS.medium}; }
.risk-high { background: #${RISK_COLOURS.high}; }
.count { text-align: right; }
figure { margin: 0; }
figcaption { font-style: italic; font-size: .92em; }
.notes li { font-size: .9em; margin-bottom: .2rem; }
@media print {
  @page { margin: 1.2cm 1.6cm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  main table, figure { break-inside: avoid; }
  th, td, .risk-low, .risk-medium, .risk-high { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`
}
