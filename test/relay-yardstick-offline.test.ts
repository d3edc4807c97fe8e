/**
 * A likelihood set where a change of yardstick had not yet been seen, against
 * the real server with an analyst's stock WebsocketProvider. The analyst's page
 * goes offline on an ICD 203 board and sets a judgment to "roughly even chance,
 * 45–55%"; meanwhile the owner changes the board to PHIA, confirming the
 * restatement of the one judgment the server holds. The band that lands on
 * reconnecting was stored as is and read in PHIA's words ("realistic
 * possibility, 40–50%"), a range nobody confirmed, silently on every page,
 * in the checks and in the briefing. Now each likelihood records the yardstick
 * it was stated under (shared/stated-likelihood.ts): nothing is refused, the
 * band is shown in its author's words and flagged until an editor restates it.
 */
import { describe, expect, it } from 'vitest'
import { readAssessments } from '../shared/board-convert.ts'
import { boardProfile } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { updateAssessment } from '../shared/board-mutations.ts'
import type { ChecksReport } from '../shared/checks-report.ts'
import { bandNeedingRestatement } from '../shared/stated-likelihood.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { waitFor } from './helpers/wait-for.ts'

type ErrorBody = { error: { code: string; message: string } }
type StixBundle = { objects: { type: string; abstract?: string; content?: string; x_assay_likelihood?: Record<string, unknown> }[] }

const FLAG = 'likelihood stated under ICD 203 (wording row A) as roughly even chance, 45–55%; needs restating under PHIA probability yardstick'

describe('a likelihood set offline across a change of yardstick', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Yardstick race' })
  const base = () => `/api/boards/${given.boardId}`
  const readBoard = async () => (await given.api.get<BoardModel>(base())).body
  const markdown = async () => (await given.api.get<string>(`${base()}/export?format=md`)).body
  const restatementFindings = async () =>
    (await given.api.get<ChecksReport>(`${base()}/checks`)).body.findings.filter((f) => f.rule === 'likelihood-needs-restatement')

  it('lands the band flagged in its author’s words, never as confirmed under the new yardstick, until an editor restates it', async () => {
    await given.api.post(`${base()}/assessments`, { title: 'Held by the server', likelihood: 3, confidence: 'moderate' })
    const offline = (await given.api.post<{ id: string }>(`${base()}/assessments`, { title: 'Set offline', confidence: 'moderate' })).body.id
    const analyst = await given.connectEditor('Ana Analyst')

    analyst.client.provider.disconnect()
    updateAssessment(analyst.client.doc, offline, { likelihood: 4 })

    const refused = await given.api.patch<ErrorBody>(base(), { profile: 'phia' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toContain('“Held by the server”')
    expect(refused.body.error.message).not.toContain('Set offline')
    expect((await given.api.patch(base(), { profile: 'phia', restateLikelihoods: true })).status).toBe(200)

    analyst.client.provider.connect()
    const landed = await waitFor(async () => {
      const model = await readBoard()
      return model.assessments.find((a) => a.id === offline)?.likelihood === 4 ? model : undefined
    }, 'the offline band to land')
    // Nothing refused: the one close is the analyst's own going offline (no code).
    expect(analyst.closes).toEqual([0])

    // The confirmed judgment is stated under PHIA; the offline band keeps the yardstick its author chose it under.
    expect(landed.profile).toBe('phia')
    expect(landed.assessments.map((a) => [a.title, a.likelihood, a.likelihoodYardstick])).toEqual([
      ['Held by the server', 3, 'phia'],
      ['Set offline', 4, 'icd203'],
    ])

    // The analyst's own page, once it has the change, shows the band as needing restatement.
    await waitFor(() => boardProfile(analyst.client.doc) === 'phia' || undefined, 'the analyst to see PHIA')
    const seen = readAssessments(analyst.client.doc).find((a) => a.id === offline)!
    expect(bandNeedingRestatement(seen, boardProfile(analyst.client.doc))).toBe(4)

    const findings = await restatementFindings()
    expect(findings.map((f) => [f.subject, f.message])).toEqual([[{ kind: 'assessment', id: offline }, `The ${FLAG}.`]])

    const briefing = await markdown()
    const section = briefing.slice(briefing.indexOf('### 2. Set offline'), briefing.indexOf('###', briefing.indexOf('### 2. Set offline') + 3))
    expect(section).toContain(`The ${FLAG}.`)
    expect(section).not.toContain('realistic possibility')
    expect(briefing).toContain('We assess the likelihood as unlikely (25–35%).')
    // Not placed in the grid's row of PHIA's band 4, which would print it under PHIA's words.
    expect(briefing).toMatch(/Not placed, for want of a likelihood stated under this yardstick or an impact: [0-9, ]*\b2\b/)

    const stix = (await given.api.get<StixBundle>(`${base()}/export?format=stix`)).body
    const note = stix.objects.find((o) => o.type === 'note' && o.abstract === 'Set offline')!
    expect(note.content).toContain(FLAG)
    expect(note.x_assay_likelihood).toEqual({ band: 4, term: 'roughly even chance', range: '45–55%', yardstick: 'ICD 203 (wording row A)', needs_restating_under: 'PHIA probability yardstick' })

    // The analyst keeps band 4 under PHIA: now it reads, and is briefed, as PHIA's.
    updateAssessment(analyst.client.doc, offline, { likelihood: 4 })
    await waitFor(async () => ((await restatementFindings()).length === 0 ? true : undefined), 'the restated band stored')
    expect((await readBoard()).assessments.find((a) => a.id === offline)?.likelihoodYardstick).toBe('phia')
    expect(await markdown()).toContain('We assess the likelihood as realistic possibility (40–50%).')
    expect(analyst.closes).toEqual([0])
  })
})
