/**
 * A claim's relevance as ACH evidence (L, M, H; DOMAIN.md's weighting)
 * against the real server: an editor's stock WebsocketProvider setting it to a
 * value outside L, M, H is closed 4422 with nothing stored; an honest rating
 * reaches the API, whose PATCH refuses a bad one 400; it travels through the
 * JSON export, a snapshot and a batch that re-creates the claim; and every
 * briefing format's ACH appendix, the CSV and the STIX bundle carry it, with
 * the weighted score it makes. (A relevance outside them stored before the
 * relay refused it: test/stored-field-values.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { collection } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { addAssessment, addClaim, addLink, addSource } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import type { SnapshotSummary } from '../shared/snapshot-model.ts'
import { dropBidiControls } from '../server/export/bidi.ts'
import { addToken } from './helpers/accounts.ts'
import { BRIEFING_FORMATS, readerText } from './helpers/briefing-text.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { waitFor } from './helpers/wait-for.ts'

describe('the relevance of ACH evidence', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Relevance' })
  const base = () => `/api/boards/${given.boardId}`
  const readBoard = async () => (await given.api.get<BoardModel>(base())).body
  /** An export's bytes, as the owner downloads it with a token of theirs. */
  const exported = async (format: string, query = '') => {
    const { token } = await addToken(given.server, given.owner)
    const response = await fetch(`${given.server.url}${base()}/export?format=${format}${query}`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status, format).toBe(200)
    return new Uint8Array(await response.arrayBuffer())
  }

  it('closes 4422 an editor who sets a relevance outside L, M, H, and takes an honest one', async () => {
    const analyst = await given.connectEditor('Ana Analyst')
    const doc = analyst.client.doc
    const source = addSource(doc, { name: 'Harbour watcher', reliability: 'B' })
    const claim = addClaim(doc, { text: 'Three ships left the harbour.', sourceId: source, credibility: 2 })
    const card = addAssessment(doc, { title: 'Fleet sails within the week', kind: 'hypothesis' })
    addLink(doc, { assessmentId: card, claimId: claim, rating: 'I' })
    const before = await waitFor(async () => {
      const model = await readBoard()
      return model.links.length === 1 ? model : null
    }, 'the board to hold the link')
    expect(before.claims[0]!.relevance).toBeUndefined()

    for (const bad of ['h', 'X', 2, null, 'HIGH']) {
      const mallory = await given.connectEditor(`Mallory ${JSON.stringify(bad)}`)
      const entry = collection(mallory.client.doc, 'claims').get(claim) as Y.Map<unknown>
      entry.set('relevance', bad)
      await waitFor(() => mallory.closes.length > 0 || undefined, `relevance ${JSON.stringify(bad)}: its sender closed`)
      expect(mallory.closes, String(bad)).toEqual([CLOSE.updateRejected.code])
      expect(await readBoard(), String(bad)).toEqual(before)
    }

    ;(collection(doc, 'claims').get(claim) as Y.Map<unknown>).set('relevance', 'H')
    await waitFor(async () => ((await readBoard()).claims[0]?.relevance === 'H' ? true : null), 'the honest relevance stored')
    expect(analyst.closes).toEqual([])
  })

  it('rates relevance over the API, round-trips it through the JSON export, a snapshot and a batch, and briefs it in every format', async () => {
    const { api } = given
    const source = (await api.post<{ id: string }>(`${base()}/sources`, { name: 'Harbour watcher', reliability: 'B' })).body.id
    const claim = async (text: string, relevance?: string) =>
      (await api.post<{ id: string }>(`${base()}/claims`, { text, sourceId: source, credibility: 2, ...(relevance ? { relevance } : {}) })).body.id
    const strong = await claim('Three ships left the harbour at night.', 'H')
    const slight = await claim('A tanker refuelled at the quay.')
    const unrated = await claim('The harbour master took leave.')
    const h1 = (await api.post<{ id: string }>(`${base()}/assessments`, { title: 'A naval exercise', kind: 'hypothesis' })).body.id
    const h2 = (await api.post<{ id: string }>(`${base()}/assessments`, { title: 'A blockade', kind: 'hypothesis' })).body.id
    const rate = (claimId: string, assessmentId: string, rating: string) => api.post(`${base()}/links`, { claimId, assessmentId, rating })
    for (const [c, h, r] of [[strong, h1, 'II'], [strong, h2, 'C'], [slight, h1, 'C'], [slight, h2, 'II'], [unrated, h1, 'N'], [unrated, h2, 'I']] as const) {
      expect((await rate(c, h, r)).status).toBe(201)
    }

    expect((await api.patch(`${base()}/claims/${slight}`, { relevance: 'Q' })).status).toBe(400)
    expect((await api.patch(`${base()}/claims/${slight}`, { relevance: 'L' })).status).toBe(200)
    const model = await readBoard()
    expect(model.claims.map((c) => [c.id, c.relevance])).toEqual([[strong, 'H'], [slight, 'L'], [unrated, undefined]])

    // JSON export and a snapshot of it hold the ratings; a claim re-created from the export keeps its relevance.
    const json = JSON.parse(new TextDecoder().decode(await exported('json'))) as BoardModel
    expect(json.claims.map((c) => c.relevance)).toEqual(['H', 'L', undefined])
    const snapshot = (await api.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Rated' })).body
    const fromSnapshot = JSON.parse(new TextDecoder().decode(await exported('json', `&snapshot=${snapshot.id}`))) as BoardModel
    expect(fromSnapshot.claims.map((c) => c.relevance)).toEqual(['H', 'L', undefined])
    const { id: _id, createdAt: _createdAt, createdBy: _createdBy, ...input } = json.claims[1]!
    const batch = await api.post<{ ids: string[] }>(`${base()}/batch`, { operations: [{ op: 'add', collection: 'claims', input }] })
    expect(batch.status).toBe(200)
    expect((await readBoard()).claims.find((c) => c.id === batch.body.ids[0])?.relevance).toBe('L')

    // Weighted by DOMAIN.md: h1 = √2 × √2 × −2 = −4; h2 = √2 × 1/√2 × −2 + √2 × 1 × −1 ≈ −3.41 (the copy is rated nowhere).
    for (const format of BRIEFING_FORMATS) {
      const text = dropBidiControls(readerText(format, await exported(format)))
      expect(text, format).toContain('Relevance')
      expect(text, format).toMatch(/B2\)[\s|]*H[\s|]*2\.00/)
      expect(text, format).toMatch(/B2\)[\s|]*L[\s|]*1\.00/)
      expect(text, format).toMatch(/B2\)[\s|]*M \(not rated\)[\s|]*1\.41/)
      expect(text, format).toContain('−4.00')
      expect(text, format).toContain('−3.41')
      expect(text, format).toContain('Weighted score = Σ credibility × relevance × consistency')
      expect(text, format).not.toContain('taken as M (1) for every claim')
    }
    const csv = new TextDecoder().decode(await exported('csv'))
    expect(csv).toContain('Evidence,Source,Grade,Relevance,Weight,Status')
    expect(csv).toContain('Three ships left the harbour at night.,Harbour watcher,B2,H,2.00,active')
    expect(csv).toContain('The harbour master took leave.,Harbour watcher,B2,M (not rated),1.41,active')
    const bundle = JSON.parse(new TextDecoder().decode(await exported('stix'))) as { objects: { type: string; content?: string; x_assay_ach_relevance?: string }[] }
    const relevanceOf = (text: string) => bundle.objects.find((o) => o.type === 'note' && o.content === text)?.x_assay_ach_relevance
    expect(relevanceOf('Three ships left the harbour at night.')).toBe('H')
    expect(relevanceOf('A tanker refuelled at the quay.')).toBe('L')
    expect(relevanceOf('The harbour master took leave.')).toBeUndefined()
  })
})
