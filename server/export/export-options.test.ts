/**
 * The briefing a director signs, in every format: the analysts' BLUF, the
 * assessments chosen by review status, the snapshot's review and sign-offs,
 * what it relied on that was retracted since, the checks acknowledged with
 * their reasons, the ACH matrix as an appendix (and as CSV), the sources'
 * kind, headings kept with what follows them in the PDF, and STIX links typed
 * by their rating in a bundle that keeps to the STIX 2.1 rules.
 *
 * Each format is read as its reader would: DOCX unzipped and its XML read,
 * PDF through pdftotext, HTML through a DOM, Markdown as text, STIX as JSON.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dropBidiControls } from './bidi.ts'
import type { AssessmentModel, BoardModel, LinkModel } from '../../shared/board-model.ts'
import { EXPORT_SCOPES, type ExportScope } from '../../shared/export-scope.ts'
import { ACH_TEXT } from './briefing-ach.ts'
import { buildBriefing } from './briefing-model.ts'
import type { BriefingVersion } from './briefing-version.ts'
import { exportBoard } from './export-board.ts'
import { fixtureBoards, fixtureSnapshot } from '../../test/helpers/fixture-board.ts'
import { readerText, type BriefingFormat } from '../../test/helpers/briefing-text.ts'
import { renderAchCsv } from './render-csv.ts'
import { renderDocx } from './render-docx.ts'
import { renderHtml } from './render-html.ts'
import { renderMarkdown } from './render-markdown.ts'
import { renderPdf } from './render-pdf.ts'
import { boardObjectId, renderStix } from './render-stix.ts'
import { stixViolations, type StixBundle, type StixObject } from './stix-validation.ts'

const AT = '2026-11-27T10:00:00.000Z'
const BLUF = 'Wagner settles in Belarus and poses no military threat to Lithuania this year.\n\nNATO’s posture on the eastern flank holds.'
const FORMULA_CLAIM = '=HYPERLINK("http://evil.example","click") convoys were seen, a blogger says.'
const ACK_REASON = 'Awaiting the summit communiqué before rating confidence.'

/** The fixture board, as a team would have it before a briefing: a BLUF, two hypotheses weighed in ACH, an acknowledged check, a source of no stated kind. */
function briefedBoards(): { board: BoardModel; previous: BoardModel } {
  const { board, previous } = fixtureBoards()
  const claim = (start: string) => board.claims.find((c) => c.text.startsWith(start))!
  const cohesion = board.assessments.find((a) => a.title === 'Allied support for Kyiv holds')!
  const mutiny = board.assessments.find((a) => a.title === 'Renewed mutiny in Russia')!
  const disbanded: AssessmentModel = { ...mutiny, id: 'hyp-disbanded', title: 'Wagner is disbanded', judgment: 'The group ceases to exist as a force.', status: 'final', order: `${mutiny.order}V`, createdAt: AT }
  const link = (assessmentId: string, claimId: string, rating: LinkModel['rating']): LinkModel => ({ id: `link-${assessmentId}-${claimId}`, assessmentId, claimId, rating, createdAt: AT })
  const blogger = { id: 'src-blogger', name: 'Milblogger', kind: '  ', reliability: 'D' as const, createdAt: AT }
  const formula = { id: 'claim-formula', text: FORMULA_CLAIM, sourceId: blogger.id, credibility: 4 as const, status: 'active' as const, createdAt: AT }
  return {
    previous,
    board: {
    ...board,
    bluf: BLUF,
    sources: [...board.sources, blogger],
    claims: [...board.claims, formula],
    assessments: [...board.assessments, disbanded],
    links: [
      ...board.links,
      link(disbanded.id, claim('Reports say').id, 'II'),
      link(disbanded.id, claim('Café owners').id, 'N'),
      link(mutiny.id, claim('Reports say').id, 'C'),
      link(mutiny.id, formula.id, 'I'),
    ],
    acknowledgements: [{ key: `no-confidence:${cohesion.id}`, rule: 'no-confidence', reason: ACK_REASON, createdAt: AT, createdBy: 'Ana Petrova' }],
    },
  }
}

const { board, previous } = briefedBoards()
const version: BriefingVersion = {
  ...(fixtureSnapshot(previous) as Extract<BriefingVersion, { kind: 'snapshot' }>),
  signoffs: [
    { reviewerName: 'Rita Reviewer', decision: 'approved', note: 'Sound.', createdAt: '2026-11-28T16:00:00.000Z' },
    { reviewerName: 'Sam Senior', decision: 'changes-requested', note: 'Rate the confidence of 3.', createdAt: '2026-11-28T16:30:00.000Z' },
  ],
  retractedSince: { claims: [{ id: 'x', text: 'A claim' }], assessments: [{ id: 'a', title: 'No nuclear escalation', claimIds: ['x'] }] },
}

const TITLES: Record<ExportScope, string[]> = {
  all: ['Wagner forces relocate to Belarus', 'No nuclear escalation', 'Allied support for Kyiv holds', 'Renewed mutiny in Russia', 'Wagner is disbanded'],
  'in-review': ['Wagner forces relocate to Belarus', 'No nuclear escalation', 'Wagner is disbanded'],
  final: ['No nuclear escalation', 'Wagner is disbanded'],
}

let dir: string

/** The text a reader sees in each briefing format, white space collapsed. */
async function texts(scope: ExportScope): Promise<Record<BriefingFormat, string>> {
  const briefing = buildBriefing(board, version, { scope })
  return {
    // Without the isolates of member text (bidi-isolation.test.ts), which the readers apply and do not draw.
    md: dropBidiControls(readerText('md', renderMarkdown(briefing))),
    html: readerText('html', renderHtml(briefing)),
    docx: dropBidiControls(readerText('docx', await renderDocx(briefing))),
    pdf: readerText('pdf', await renderPdf(briefing)),
  }
}

function stix(scope: ExportScope): StixObject[] {
  return (JSON.parse(renderStix(board, version, { scope })) as { objects: StixObject[] }).objects
}

let all: Awaited<ReturnType<typeof texts>>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'assay-options-'))
  all = await texts('all')
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the assessments chosen by review status', () => {
  it.each(EXPORT_SCOPES)('holds only the %s assessments in every format, and says so', async (scope) => {
    const shown = scope === 'all' ? all : await texts(scope)
    const statement = buildBriefing(board, version, { scope }).scope.statement
    for (const [format, text] of Object.entries(shown)) {
      expect(text, format).toContain(statement)
      for (const title of TITLES.all) {
        if (TITLES[scope].includes(title)) expect(text, `${format}: ${title}`).toContain(title)
        else expect(text, `${format}: ${title}`).not.toContain(`. ${title}`)
      }
    }
    const notes = stix(scope).filter((o) => o.type === 'note' && String(o.id) !== '' && o.x_assay_kind !== undefined)
    expect(notes.map((n) => n.abstract).sort()).toEqual([...TITLES[scope]].sort())
    const report = stix(scope).find((o) => o.type === 'report')!
    expect(report.x_assay_scope).toEqual({ scope, statement })
    const json = JSON.parse(String((await exportBoard('json', board, version, { scope })).body)) as BoardModel
    expect(json.assessments.map((a) => a.title).sort()).toEqual([...TITLES[scope]].sort())
  })

  it('states how many of the board’s assessments a narrower export holds', () => {
    expect(buildBriefing(board, version, { scope: 'final' }).scope.statement).toBe(
      'Final assessments only; drafts and assessments in review left out. 2 of 5 assessments.',
    )
  })
})

describe('the briefing’s own parts, in every format', () => {
  it('opens with the analysts’ BLUF, paragraph by paragraph', () => {
    for (const [format, text] of Object.entries(all)) {
      expect(text, format).toContain('Wagner settles in Belarus and poses no military threat to Lithuania this year.')
      expect(text, format).toContain('NATO’s posture on the eastern flank holds.')
      expect(text, format).not.toContain('The analysts have not written a bottom line')
    }
    const report = stix('all').find((o) => o.type === 'report')!
    expect(report.description).toContain(BLUF)
  })

  it('states the snapshot’s review status and each sign-off, and what was retracted since', () => {
    for (const [format, text] of Object.entries(all)) {
      expect(text, format).toContain('Changes requested by Sam Senior; approved by Rita Reviewer.')
      expect(text, format).toContain('Approved: Rita Reviewer, 281600Z NOV 26: Sound.')
      expect(text, format).toContain('Changes requested: Sam Senior, 281630Z NOV 26: Rate the confidence of 3.')
      expect(text, format).toContain('1 judgment relied on a claim retracted since.')
    }
    const report = stix('all').find((o) => o.type === 'report')!
    expect(report.x_assay_review).toEqual({
      status: 'changes-requested',
      signoffs: [
        { decision: 'approved', created: '2026-11-28T16:00:00.000Z' },
        { decision: 'changes-requested', created: '2026-11-28T16:30:00.000Z' },
      ],
    })
    expect(JSON.stringify(report)).not.toContain('Rita Reviewer')
    // Read from the live board, which records no time for it: a note of its own on the report, not the report's content.
    expect(report.x_assay_retracted_since).toBeUndefined()
    expect(stix('all').find((o) => o.type === 'note' && o.object_refs !== undefined && (o.object_refs as string[])[0] === report.id)).toMatchObject({
      // STIX carries member text without the isolates (server/export/bidi.ts isolatesForMachines).
      content: '1 judgment relied on a claim retracted since. (No nuclear escalation)',
      labels: ['retracted-since'],
    })
    const live = buildBriefing(board, { kind: 'live', at: AT, hash: 'sha256:x' })
    expect(live.review).toEqual({ status: 'not-reviewed', statement: 'Not reviewed: the live board, not a snapshot reviewers have signed off.', signoffs: [] })
  })

  it('prints the checks, open ones and acknowledged ones with their reasons', () => {
    for (const [format, text] of Object.entries(all)) {
      expect(text, format).toContain('Analytic checks')
      expect(text, format).toContain(`3. Allied support for Kyiv holds: No analytic confidence. No analytic confidence is set. Acknowledged by Ana Petrova: ${ACK_REASON}`)
      expect(text, format).toContain('1. Wagner forces relocate to Belarus: Relies on a retracted claim.')
    }
    const checks = stix('all').find((o) => o.type === 'report')!.x_assay_checks as { acknowledged: { reason: string }[] }
    expect(checks.acknowledged.map((c) => c.reason)).toEqual([ACK_REASON])
    expect(JSON.stringify(checks)).not.toContain('Ana Petrova')
  })

  it('appends the ACH matrix with plain and weighted scores and the rated cells', () => {
    for (const [format, text] of Object.entries(all)) {
      expect(text, format).toContain('Appendix: analysis of competing hypotheses')
      expect(text, format).toContain('H1: 4. Renewed mutiny in Russia')
      expect(text, format).toContain('H2: 5. Wagner is disbanded')
      // Renewed mutiny: the D4 formula claim I (credibility L = 1/√2, × −1); disbanded: the C3 report II (1 × −2).
      expect(text, format).toMatch(/Weighted score \(nearer 0 is less refuted\)\s*\|?\s*\|?\s*\|?\s*\|?\s*−0\.71 \(?least refuted so far\)?\s*\|?\s*−2\.00/)
      expect(text, format).toContain(ACH_TEXT.rated)
      expect(text, format).toMatch(/3 of 3\s*\|?\s*2 of 3/)
    }
  })

  it('fills the sources’ kind, "not stated" where the analysts gave none', () => {
    const briefing = buildBriefing(board, version)
    expect(briefing.sources.find((s) => s.name === 'Milblogger')!.kind).toBe('not stated')
    expect(briefing.sources.find((s) => s.name === 'NATO')!.kind).toBe('official statement')
    for (const [format, text] of Object.entries(all)) expect(text, format).toMatch(/Milblogger\s*\|?\s*not stated/)
  })

  it('orders the key judgments by the board’s order and says so', () => {
    for (const [format, text] of Object.entries(all)) {
      expect(text, format).toContain('Most important first: the order the analysts set on the board.')
      expect(text.indexOf('1. Wagner forces relocate to Belarus'), format).toBeLessThan(text.indexOf('2. No nuclear escalation'))
    }
  })
})

describe('the ACH matrix as CSV', () => {
  /** RFC 4180 read back: quoted cells may hold commas, quotes and line breaks. */
  function rows(csv: string): string[][] {
    const table: string[][] = [[]]
    let cell = ''
    let quoted = false
    const body = csv.replace(/^\uFEFF/, '')
    for (let i = 0; i < body.length; i++) {
      const char = body[i]!
      if (quoted) {
        if (char === '"' && body[i + 1] === '"') (cell += '"'), i++
        else if (char === '"') quoted = false
        else cell += char
      } else if (char === '"') quoted = true
      else if (char === ',') table.at(-1)!.push(cell), (cell = '')
      else if (char === '\r' && body[i + 1] === '\n') table.at(-1)!.push(cell), (cell = ''), table.push([]), i++
      else cell += char
    }
    return table.filter((row) => row.length > 0)
  }

  it('has a row per claim rated, a column per hypothesis, and the scores', async () => {
    const file = await exportBoard('csv', board, version)
    expect(file.contentType).toBe('text/csv; charset=utf-8; header=present')
    expect(file.fileName).toMatch(/\.ach\.csv$/)
    const table = rows(String(file.body))
    expect(table[0]).toEqual(['Evidence', 'Source', 'Grade', 'Relevance', 'Weight', 'Status', 'H1: Renewed mutiny in Russia', 'H2: Wagner is disbanded'])
    const report = table.find((r) => r[0] === 'Reports say Prigozhin’s faction might relocate to Belarus.')!
    expect(report).toEqual(['Reports say Prigozhin’s faction might relocate to Belarus.', 'Western intelligence', 'C3', 'M (not rated)', '1.00', 'active', 'C', 'II'])
    expect(table.slice(-6)).toEqual([
      ['Inconsistency score (lower is less refuted)', '', '', '', '', '', '1', '2'],
      ['Weighted score (nearer 0 is less refuted)', '', '', '', '', '', '-0.71', '-2.00'],
      ['Cells rated', '', '', '', '', '', '3', '2'],
      ['Cells not rated', '', '', '', '', '', '0', '1'],
      ['least refuted so far (inconsistency)', '', '', '', '', '', 'yes', ''],
      ['least refuted so far (weighted)', '', '', '', '', '', 'yes', ''],
    ])
  })

  it('never lets a spreadsheet run a claim as a formula', () => {
    const formula = rows(renderAchCsv(board)).find((r) => r[0]!.includes('HYPERLINK'))!
    expect(formula[0]).toBe(`'${FORMULA_CLAIM}`)
  })

  it('holds only the chosen assessments’ columns', async () => {
    const table = rows(String((await exportBoard('csv', board, version, { scope: 'final' })).body))
    expect(table[0]!.slice(6)).toEqual(['H1: Wagner is disbanded'])
  })
})

describe('STIX: claim → assessment relationships typed by their rating, in a bundle that keeps to STIX 2.1', () => {
  const objects = stix('all')
  const byId = new Map(objects.map((o) => [o.id, o]))
  it('types each link supports, refutes or related-to, from the claim to the assessment, keeping the rating', () => {
    const relationships = objects.filter((o) => o.type === 'relationship')
    expect(relationships).toHaveLength(board.links.length)
    for (const link of board.links) {
      const relationship = byId.get(boardObjectId(board.id, 'relationship', `link:${link.id}`))!
      const expected = { CC: 'supports', C: 'supports', I: 'refutes', II: 'refutes', N: 'related-to', NA: 'related-to' }[link.rating]
      expect(relationship).toMatchObject({
        relationship_type: expected,
        source_ref: boardObjectId(board.id, 'note', `claim:${link.claimId}`),
        target_ref: boardObjectId(board.id, 'note', `assessment:${link.assessmentId}`),
        x_assay_ach_rating: link.rating,
      })
    }
    expect(new Set(relationships.map((r) => r.relationship_type))).toEqual(new Set(['supports', 'refutes', 'related-to']))
  })

  it.each(EXPORT_SCOPES)('keeps to the 2.1 rules with the %s scope: required properties, id formats, references that resolve', (scope) => {
    expect(stixViolations(JSON.parse(renderStix(board, version, { scope })) as StixBundle)).toEqual([])
  })

  it('finds a broken bundle broken: the rules are not vacuous', () => {
    const bundle = JSON.parse(renderStix(board, version)) as StixBundle
    const relationship = bundle.objects.find((o) => o.type === 'relationship')!
    const note = bundle.objects.find((o) => o.type === 'note')!
    const assay = bundle.objects.find((o) => o.type === 'identity')!
    const broken: StixBundle = {
      ...bundle,
      objects: [
        ...bundle.objects.filter((o) => o.id !== note.id && o.id !== relationship.id),
        { ...relationship, relationship_type: 'Supports Strongly', id: relationship.id.replace('relationship--', 'relation--') },
        { ...note, content: '', modified: '2020-01-01T00:00:00Z', x_assay_impact: null, x_assay_checks: { open: [] } },
        // A UUIDv5, as the export once wrote.
        { ...assay, id: 'identity--2f2b8d3e-5c1a-5e0b-9a4d-1c3e5f7a9b0d' },
      ],
    }
    const problems = stixViolations(broken)
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('id is not relationship--UUID'),
        expect.stringContaining('relationship_type Supports Strongly'),
        expect.stringContaining('no content'),
        expect.stringContaining('modified 2020-01-01T00:00:00Z'),
        expect.stringContaining(`reference ${relationship.id} does not resolve`),
        expect.stringContaining('x_assay_impact is null or an empty list'),
        expect.stringContaining('x_assay_checks.open is null or an empty list'),
        expect.stringContaining('identity--2f2b8d3e-5c1a-5e0b-9a4d-1c3e5f7a9b0d: id is not identity--UUID'),
      ]),
    )
  })

  it('gives each scope of a version a report of its own', () => {
    const reports = EXPORT_SCOPES.map((scope) => stix(scope).find((o) => o.type === 'report')!.id)
    expect(new Set(reports).size).toBe(3)
  })
})

describe('headings kept with what follows them', () => {
  /** A board long enough that section and assessment headings fall at every height of a page. */
  function longBoard(): BoardModel {
    const { board: base } = fixtureBoards()
    const assessments: AssessmentModel[] = Array.from({ length: 60 }, (_, i) => ({
      ...base.assessments[2]!,
      id: `long-${i}`,
      title: `Assessment ${i + 1} of the long board`,
      judgment: 'A sentence of judgment. '.repeat(1 + ((i * 7) % 13)),
      kind: i < 20 ? 'key-judgment' : 'assessment',
      order: `a${String(i).padStart(3, '0')}`,
    }))
    const sources = Array.from({ length: 30 }, (_, i) => ({ ...base.sources[0]!, id: `src-${i}`, name: `Source number ${i + 1}` }))
    return { ...base, assessments, links: [], sources, claims: [] }
  }

  it('never leaves a heading last on a PDF page', async () => {
    const file = join(dir, 'long.pdf')
    writeFileSync(file, await renderPdf(buildBriefing(longBoard(), version)))
    const pages = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
      .split('\f')
      .filter((p) => p.trim())
    expect(pages.length).toBeGreaterThan(5)
    const headings = /^(\d+\. Assessment \d+ of the long board|Key judgments|Assessments|Sources|Source\s+Kind\s+Reliability\s+Claims|Analytic checks|Open|Changes since .*|Bottom line up front)$/
    for (const [index, page] of pages.entries()) {
      const lines = page.split('\n').map((l) => l.trim()).filter(Boolean)
      // The last lines are the page number and the marking.
      const last = lines.filter((l) => !/^Page \d+ of \d+$/.test(l) && l !== 'TLP:AMBER').at(-1) ?? ''
      expect(last, `page ${index + 1} ends with a heading`).not.toMatch(headings)
    }
  })

  it('marks every DOCX heading "keep with next"', async () => {
    const file = join(dir, 'keep.docx')
    writeFileSync(file, await renderDocx(buildBriefing(board, version)))
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' })
    const headings = [...xml.matchAll(/<w:pPr>(?:(?!<\/w:pPr>).)*<w:pStyle w:val="Heading[12]"\/>(?:(?!<\/w:pPr>).)*<\/w:pPr>/gs)].map((m) => m[0])
    expect(headings.length).toBeGreaterThan(10)
    for (const heading of headings) expect(heading).toContain('<w:keepNext/>')
  })
})
