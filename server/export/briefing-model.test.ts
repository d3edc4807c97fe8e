import { describe, expect, it } from 'vitest'
import { CONFIDENCE_LEVELS, likelihoodTerm } from '../../shared/domain.ts'
import { allCitations, buildBriefing, type BriefingAssessment } from './briefing-model.ts'
import { dateTimeGroup } from '../../shared/date-time-group.ts'
import { CYRILLIC_CLAIM, fixtureBoards, fixtureSnapshot, XSS_CLAIM } from '../../test/helpers/fixture-board.ts'
import { FSI, PDI } from '../../shared/bidi.ts'

const { previous, board } = fixtureBoards()
const briefing = buildBriefing(board, fixtureSnapshot(previous))
const assessments = briefing.sections.flatMap((s) => s.assessments)
const byTitle = (title: string): BriefingAssessment => assessments.find((a) => a.title === title)!

describe('buildBriefing', () => {
  it('heads the briefing with marking, title, DTG, snapshot label and hash', () => {
    expect(briefing.marking).toBe('TLP:AMBER')
    expect(briefing.tlp).toBe('TLP:AMBER')
    expect(briefing.title).toBe(board.title)
    expect(briefing.dtg).toBe('281530Z NOV 26')
    expect(briefing.version).toMatchObject({ kind: 'snapshot', label: 'v2 — after the Vilnius summit', hash: fixtureSnapshot(previous).hash })
    expect(briefing.version.description).toBe(`Snapshot “${FSI}v2 — after the Vilnius summit${PDI}” of 281530Z NOV 26`)
  })

  it('names a live board and its time instead of a snapshot', () => {
    const live = buildBriefing(board, { kind: 'live', at: '2026-03-05T07:04:09.000Z', hash: 'sha256:abc' })
    expect(live.version).toMatchObject({ kind: 'live', label: 'live board', hash: 'sha256:abc' })
    expect(live.version.description).toBe('Live board as of 050704Z MAR 26')
    expect(live.dtg).toBe('050704Z MAR 26')
    expect(live.changes).toBeNull()
    // With a snapshot made before it, the live board says what changed since, naming the snapshot and its time.
    const since = buildBriefing(board, { kind: 'live', at: '2026-03-05T07:04:09.000Z', hash: 'sha256:abc', previous: { model: previous, label: 'v1', createdAt: '2026-03-04T18:00:00.000Z' } })
    expect(since.changes).toEqual({ since: `snapshot “${FSI}v1${PDI}” of 041800Z MAR 26`, items: briefing.changes!.items })
  })

  it('names the board as of a past time with that time, and the moment kept when the time’s detail is gone', () => {
    const exact = buildBriefing(board, { kind: 'as-of', asOf: '2026-03-05T14:00:00.000Z', at: '2026-03-05T14:00:00.000Z', exact: true, hash: 'sha256:abc' })
    expect(exact.version).toMatchObject({ kind: 'as-of', label: 'board as of 2026-03-05 14:00 UTC', time: '2026-03-05T14:00:00.000Z', hash: 'sha256:abc' })
    expect(exact.version.description).toBe('Board as it was at 2026-03-05 14:00 UTC, from its history')
    expect(exact.dtg).toBe('051400Z MAR 26')
    expect(exact.review.status).toBe('not-reviewed')
    const kept = buildBriefing(board, { kind: 'as-of', asOf: '2026-03-05T14:00:00.000Z', at: '2026-03-04T23:41:07.250Z', exact: false, hash: 'sha256:abc' })
    expect(kept.version.description).toBe('Board as it was at 2026-03-04 23:41:07 UTC, from its history (the nearest moment kept before 2026-03-05 14:00 UTC)')
    expect(kept.dtg).toBe('042341Z MAR 26')
    // Asked for the kept moment itself, the board is that moment's: nothing nearer to name.
    const atKept = buildBriefing(board, { kind: 'as-of', asOf: '2026-03-04T23:41:07.250Z', at: '2026-03-04T23:41:07.250Z', exact: false, hash: 'sha256:abc' })
    expect(atKept.version.description).toBe('Board as it was at 2026-03-04 23:41:07 UTC, from its history')
  })

  it('puts the key judgments first, then assessments, then hypotheses, each in board order', () => {
    expect(briefing.sections.map((s) => s.kind)).toEqual(['key-judgment', 'assessment', 'hypothesis'])
    expect(assessments.map((a) => a.title)).toEqual([
      'Wagner forces relocate to Belarus',
      'No nuclear escalation',
      'Allied support for Kyiv holds',
      'Renewed mutiny in Russia',
    ])
    expect(assessments.map((a) => a.number)).toEqual([1, 2, 3, 4])
  })

  it('gives the analysts’ BLUF, or else lists the key judgments with their likelihood terms', () => {
    // Not written by the analysts: the key judgments as a list, never run together into one paragraph.
    expect(briefing.bluf).toEqual({
      kind: 'key-judgments',
      items: [`${FSI}Wagner forces relocate to Belarus${PDI}: likely (55–80%).`, `${FSI}No nuclear escalation${PDI}: very likely (80–95%).`],
    })
    const none = buildBriefing({ ...board, assessments: board.assessments.filter((a) => a.kind !== 'key-judgment') }, fixtureSnapshot(previous))
    expect(none.bluf).toEqual({ kind: 'none', text: 'No key judgments yet.' })
    const written = buildBriefing({ ...board, bluf: 'Wagner settles in Belarus.\n\nNo threat to Lithuania this year.' }, fixtureSnapshot(previous))
    expect(written.bluf).toEqual({ kind: 'written', paragraphs: ['Wagner settles in Belarus.', 'No threat to Lithuania this year.'] })
  })

  it('states likelihood, with its range in the board’s wording, and confidence in separate sentences', () => {
    const relocation = byTitle('Wagner forces relocate to Belarus')
    expect(relocation.likelihood).toBe('We assess the likelihood as likely (55–80%).')
    expect(relocation.confidence).toBe('We have moderate confidence in this judgment.')
    for (const a of assessments) {
      expect(CONFIDENCE_LEVELS.some((level) => a.likelihood.includes(`${level} confidence`))).toBe(false)
      expect(a.confidence).not.toMatch(/likel|chance|certain/)
    }
    const statedUnderPhia = board.assessments.map((a) => ({ ...a, likelihoodYardstick: 'phia' as const }))
    const phia = buildBriefing({ ...board, profile: 'phia', assessments: statedUnderPhia }, fixtureSnapshot(previous))
    expect(phia.sections[0]!.assessments[0]!.likelihood).toBe(`We assess the likelihood as ${likelihoodTerm('phia', 5)} (55–75%).`)
    // A band stated under ICD 203 on a board now PHIA is given in its author's words, flagged, and left out of the grid.
    const unrestated = buildBriefing({ ...board, profile: 'phia' }, fixtureSnapshot(previous)).sections[0]!.assessments[0]!
    expect(unrestated.likelihood).toBe(
      'The likelihood stated under ICD 203 (wording row A) as likely, 55–80%; needs restating under PHIA probability yardstick.',
    )
    expect(unrestated.band).toBeNull()
  })

  it('cites claims as numbered notes naming the source and its grade; a retracted claim is marked and not counted', () => {
    const relocation = byTitle('Wagner forces relocate to Belarus')
    expect(relocation.supporting.map((c) => c.attribution)).toEqual(['\u2068Western intelligence\u2069 (C3)'])
    expect(relocation.contradicting.map((c) => c.attribution)).toEqual(['\u2068Open forum\u2069 (F6)'])
    expect(relocation.contradicting[0]!.footnote).toBe(`\u2068Open forum\u2069 (F6): “\u2068${XSS_CLAIM}\u2069” (added by hand) — inconsistent (I).`)
    expect(relocation.retracted).toHaveLength(1)
    expect(relocation.retracted[0]!.footnote).toBe(`\u2068Telegram «Пригожин»\u2069 (E5): “\u2068${CYRILLIC_CLAIM}\u2069” (added by hand) (retracted) — very consistent (CC).`)
    expect(relocation.supporting[0]!.footnote).toContain('Single-source reporting.')
    const notes = assessments.flatMap((a) => [...a.supporting, ...a.contradicting, ...a.retracted].map((c) => c.note))
    expect(notes).toEqual(notes.map((_, i) => i + 1))
  })

  it('quotes an imported claim as its source’s words, the analyst’s note after them and outside the quotes', () => {
    const imported = { ...board, claims: board.claims.map((c) => (c.text === XSS_CLAIM ? { ...c, documentId: 'doc-1', note: 'Posted anonymously.' } : c)) }
    const relocation = buildBriefing(imported, fixtureSnapshot(previous)).sections.flatMap((s) => s.assessments).find((a) => a.title === 'Wagner forces relocate to Belarus')!
    expect(relocation.contradicting[0]!.footnote).toBe(`\u2068Open forum\u2069 (F6): “\u2068${XSS_CLAIM}\u2069” — inconsistent (I). Analyst’s note: \u2068Posted anonymously.\u2069`)
  })

  it('quotes a claim once, in its first note; a later citation of it names that note, with the link’s own rating and note', () => {
    const claim = board.claims.find((c) => c.text === XSS_CLAIM)!
    const others = board.assessments.filter((a) => a.title !== 'Wagner forces relocate to Belarus')
    const cited = {
      ...board,
      claims: board.claims.map((c) => (c.id === claim.id ? { ...c, note: 'Posted anonymously.' } : c)),
      links: [
        ...board.links,
        ...others.map((a, i) => ({ id: `again-${i}`, assessmentId: a.id, claimId: claim.id, rating: 'C' as const, note: `Reading ${i}.`, createdAt: a.createdAt })),
      ],
    }
    const citations = allCitations(buildBriefing(cited, fixtureSnapshot(previous)))
    const ofClaim = citations.filter((c) => c.attribution === '\u2068Open forum\u2069 (F6)')
    expect(ofClaim).toHaveLength(others.length + 1)
    const [first, ...later] = ofClaim
    expect(first!.quotedIn).toBeNull()
    expect(first!.footnote).toContain(XSS_CLAIM)
    for (const c of later) {
      expect(c.quotedIn).toBe(first!.note)
      expect(c.footnote).toMatch(new RegExp(`^\u2068Open forum\u2069 \\(F6\\), see note ${first!.note} — consistent \\(C\\)\\. \u2068Reading \\d\\.\u2069$`))
    }
    // The claim's text, and the analyst's note on it, are in the briefing once.
    expect(citations.filter((c) => c.footnote.includes(XSS_CLAIM))).toHaveLength(1)
    expect(citations.filter((c) => c.footnote.includes('Posted anonymously.'))).toHaveLength(1)
  })

  it('places each assessment in the likelihood × impact grid, or lists it as unplaced', () => {
    const cell = (band: number, impact: string) =>
      briefing.grid.rows.find((r) => r.band === band)!.cells[briefing.grid.impacts.indexOf(impact as never)]!.numbers
    expect(briefing.grid.rows.map((r) => r.band)).toEqual([7, 6, 5, 4, 3, 2, 1])
    expect(cell(5, 'major')).toEqual([1])
    expect(cell(6, 'severe')).toEqual([2])
    expect(cell(5, 'moderate')).toEqual([3])
    expect(briefing.grid.unplaced).toEqual([4])
  })

  it('lists sources with their reliability, and the yardstick used', () => {
    const nato = briefing.sources.find((s) => s.name === 'NATO')!
    expect(nato).toMatchObject({ reliability: 'B', reliabilityLabel: 'Usually reliable', url: 'https://www.nato.int/', claims: 2 })
    expect(briefing.appendix.yardstickName).toBe('ICD 203 (wording row A)')
    expect(briefing.appendix.yardstick).toHaveLength(7)
  })

  it('says what changed since the previous snapshot', () => {
    expect(briefing.changes?.since).toBe(`snapshot “${FSI}v1${PDI}” of 270900Z NOV 26`)
    expect(briefing.changes?.items).toEqual([
      // Member text isolated (FSI … PDI): an override in a name cannot reorder the grade after it.
      `Hypothesis added: “${FSI}Renewed mutiny in Russia${PDI}”.`,
      `Key judgment “${FSI}Wagner forces relocate to Belarus${PDI}”: judgment edited; likelihood from unlikely (20–45%) to likely (55–80%); ` +
        'confidence from low to moderate.',
      `Claim ${FSI}Telegram «Пригожин»${PDI} (E5) “${FSI}${CYRILLIC_CLAIM}${PDI}”: status from active to retracted.`,
      `Claim ${FSI}Western intelligence${PDI} (C4) “${FSI}Café owners in Užupis said the “march for justice” rattled Vilnius’ residents.${PDI}” ` +
        `linked to “${FSI}Renewed mutiny in Russia${PDI}” as consistent (C).`,
    ])
  })

  it('takes what XML cannot carry out of board texts; a vertical tab (Word’s line break), in a one-line title, a space', () => {
    const dirty = { ...board, title: 'Bell\u0007 and\u000B tab\tkept\uFFFE' }
    expect(buildBriefing(dirty, fixtureSnapshot(previous)).title).toBe('Bell and tab\tkept')
  })
})

describe('dateTimeGroup', () => {
  it('writes DDHHMMZ MON YY in UTC', () => {
    expect(dateTimeGroup('2026-11-28T15:30:59.999Z')).toBe('281530Z NOV 26')
    expect(dateTimeGroup('2027-01-01T00:05:00+02:00')).toBe('312205Z DEC 26')
  })
})
