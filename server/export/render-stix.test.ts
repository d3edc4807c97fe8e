import { afterEach, describe, expect, it, vi } from 'vitest'
import { STIX_CONFIDENCE, admiraltyGrade } from '../../shared/domain.ts'
import { fixtureBoards, fixtureSnapshot, XSS_CLAIM } from '../../test/helpers/fixture-board.ts'
import { boardObjectId, renderStix, stixId } from './render-stix.ts'
import { STIX_REQUIRED, stixReferences, stixViolations, type StixObject } from './stix-validation.ts'


const { previous, board } = fixtureBoards()
const reviewed = { ...fixtureSnapshot(previous), verdicts: [{ assessmentId: board.assessments[0]!.id, reviewerId: 'reviewer-1', reviewerName: 'Rita Reviewer', verdict: 'agree' as const, createdAt: board.assessments[0]!.createdAt }] }
const json = renderStix(board, reviewed)
const bundle = JSON.parse(json) as { type: string; id: string; objects: StixObject[] }
const ofType = (type: string) => bundle.objects.filter((o) => o.type === type)

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

afterEach(() => vi.useRealTimers())

describe('renderStix', () => {
  it('carries reviewers\' verdicts as opinions about the assessments, without naming the reviewers', () => {
    const [opinion, ...others] = ofType('opinion')
    expect(others).toEqual([])
    expect(opinion).toMatchObject({ opinion: 'agree', object_refs: [boardObjectId(board.id, 'note', `assessment:${board.assessments[0]!.id}`)] })
    expect(json).not.toContain('reviewer-1')
  })

  it('writes a bundle whose every object has the common required properties', () => {
    expect(bundle.type).toBe('bundle')
    expect(bundle.id).toMatch(new RegExp(`^bundle--${UUID}$`))
    for (const o of bundle.objects) {
      expect(o.id).toMatch(new RegExp(`^${o.type}--${UUID}$`))
      expect(o.spec_version).toBe('2.1')
      expect(o.created).toMatch(TIMESTAMP)
      // Marking definitions cannot be versioned, so STIX gives them no `modified`.
      if (o.type !== 'marking-definition') {
        expect(o.modified).toMatch(TIMESTAMP)
        expect(String(o.modified) >= String(o.created)).toBe(true)
      }
      expect(Object.keys(STIX_REQUIRED)).toContain(o.type)
      for (const property of STIX_REQUIRED[o.type]!) {
        expect(o[property], `${o.type}.${property}`).toBeTruthy()
        if (property.endsWith('_refs')) expect((o[property] as unknown[]).length).toBeGreaterThan(0)
      }
      for (const ref of (o.external_references as Record<string, unknown>[] | undefined) ?? []) {
        expect(ref.source_name).toBeTruthy()
        expect(ref.description ?? ref.url).toBeTruthy()
      }
    }
    expect(new Set(bundle.objects.map((o) => o.id)).size).toBe(bundle.objects.length)
  })

  it('keeps to the STIX 2.1 rules', () => {
    expect(stixViolations(bundle)).toEqual([])
  })

  it('resolves every reference inside the bundle', () => {
    const ids = new Set(bundle.objects.map((o) => o.id))
    const refs = bundle.objects.flatMap(stixReferences)
    expect(refs.length).toBeGreaterThan(board.links.length * 2)
    for (const ref of refs) expect(ids, ref).toContain(ref)
  })

  it('maps the board: a report, a note per assessment and claim, an identity per source, a relationship per link', () => {
    expect(ofType('report')).toHaveLength(1)
    expect(ofType('note')).toHaveLength(board.assessments.length + board.claims.length)
    expect(ofType('identity')).toHaveLength(board.sources.length + 1)
    expect(ofType('relationship')).toHaveLength(board.links.length)
    const report = ofType('report')[0]!
    expect(report).toMatchObject({ name: board.title, published: '2026-11-28T15:30:00.000Z' })
    // All but the marking, the report itself and the verdict's opinion, which the report does not list.
    expect(report.object_refs).toHaveLength(bundle.objects.length - 3)
  })

  it('carries confidence as STIX confidence and likelihood in its own property', () => {
    const relocation = board.assessments.find((a) => a.title === 'Wagner forces relocate to Belarus')!
    const note = bundle.objects.find((o) => o.id === boardObjectId(board.id, 'note', `assessment:${relocation.id}`))!
    expect(note.confidence).toBe(STIX_CONFIDENCE.moderate)
    expect(note.x_assay_likelihood).toEqual({ band: 5, term: 'likely', range: '55–80%', yardstick: 'ICD 203 (wording row A)' })
    expect(note.content).toContain('We assess the likelihood as likely (55–80%).')
    expect(note.labels).toEqual(['wagner', 'belarus'])
  })

  it('marks every object with the OASIS TLP 2.0 definition, and a free-text marking with a statement', () => {
    const [marking] = ofType('marking-definition')
    expect(marking!.id).toBe('marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421')
    for (const o of bundle.objects.filter((o) => o.type !== 'marking-definition' && o.id !== stixId('identity', 'assay'))) {
      expect(o.object_marking_refs).toEqual([marking!.id])
    }
    const secret = JSON.parse(renderStix({ ...board, marking: 'SECRET//REL TO NATO' }, fixtureSnapshot(previous))) as typeof bundle
    expect(secret.objects[0]).toMatchObject({ definition_type: 'statement', definition: { statement: 'SECRET//REL TO NATO' } })
  })

  it('keeps claims verbatim, and a retracted claim retracted but not revoked, as a retraction can be undone', () => {
    const notes = ofType('note')
    expect(notes.map((n) => n.content)).toContain(XSS_CLAIM)
    const retracted = board.claims.find((c) => c.status === 'retracted')!
    const note = notes.find((n) => n.id === boardObjectId(board.id, 'note', `claim:${retracted.id}`))!
    expect(note).toMatchObject({ x_assay_status: 'retracted', labels: ['retracted'] })
    expect(json).not.toContain('"revoked"')
  })

  it('carries member text without the isolates the briefings set around it for display, closing what a name leaves open', () => {
    expect(json).not.toMatch(/[\u2066-\u2069]/)
    const claim = board.claims[0]!
    const source = board.sources.find((s) => s.id === claim.sourceId)!
    const note = ofType('note').find((n) => n.id === boardObjectId(board.id, 'note', `claim:${claim.id}`))!
    const grade = admiraltyGrade(source.reliability, claim.credibility)
    expect(note.abstract).toBe(`${source.name} (${grade})`)
    expect((note.external_references as { description: string }[])[0]!.description).toContain(`“${claim.text}”`)

    // A name ended by an unclosed RIGHT-TO-LEFT OVERRIDE still reverses none of the product's words after it.
    const hostile = { ...board, sources: board.sources.map((s) => (s.id === source.id ? { ...s, name: `${s.name}\u202E` } : s)) }
    const hostileNote = (JSON.parse(renderStix(hostile, reviewed)) as { objects: StixObject[] }).objects.find((n) => n.id === note.id)!
    expect(hostileNote.abstract).toBe(`${source.name}\u202E\u202C (${grade})`)
  })

  it('gives the same bytes for the same snapshot, whenever it is rendered', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2031-07-04T12:00:00Z'))
    expect(renderStix(board, reviewed)).toBe(json)
  })
})
