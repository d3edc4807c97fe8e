/**
 * A board that holds a field with a value its schema does not recognise,
 * stored before the relay refused it (red team 24b: a source's reliability
 * "b", a claim's credibility 0, a key judgment's likelihood 9 and confidence
 * "Moderate", a link's rating "XX"), written to the real server's update log
 * past the relay. Before, the reader dropped each such entity whole: the
 * source with its claims, the card with its links, vanished from the API, the
 * exports and the checks. Each is now read with that field not assessed, and
 * the checks name the field so that an editor sets it. A claim's ACH
 * relevance outside L, M, H so stored reads as not rated, M.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { collection } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import type { ChecksReport } from '../shared/checks-report.ts'
import { EXPORT_FORMATS } from '../shared/export-formats.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { storeChange } from './helpers/stored-board.ts'
import { waitFor } from './helpers/wait-for.ts'

describe('a board storing values its schema does not recognise', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Stored values', env: { ROOM_IDLE_MS: '0' } })
  const base = () => `/api/boards/${given.boardId}`
  const created = async (path: string, body: unknown) => (await given.api.post<{ id: string }>(`${base()}/${path}`, body)).body.id

  it('reads each entity kept, the field not assessed, in the API, the Markdown export (every format answering) and the checks', async () => {
    const source = await created('sources', { name: 'Harbour watcher', reliability: 'B' })
    const claim = await created('claims', { text: 'Three ships left the harbour.', sourceId: source, credibility: 2 })
    const card = await created('assessments', { title: 'Fleet sails within the week', kind: 'key-judgment', likelihood: 5, confidence: 'moderate' })
    const link = await created('links', { assessmentId: card, claimId: claim, rating: 'CC' })
    await waitFor(() => !given.server.services.rooms.loadedRooms.has(given.boardId) || undefined, 'the board to unload')

    await storeChange(given.server, given.boardId, 'ws:before-the-rule', (doc) => {
      const entry = (name: 'sources' | 'claims' | 'assessments' | 'links', id: string) => collection(doc, name).get(id) as Y.Map<unknown>
      entry('sources', source).set('reliability', 'b')
      entry('claims', claim).set('credibility', 0)
      entry('assessments', card).set('likelihood', 9)
      entry('assessments', card).set('confidence', 'Moderate')
      entry('links', link).set('rating', 'XX')
    })

    const read = (await given.api.get<BoardModel>(base())).body
    expect(read.sources.map((s) => [s.id, s.reliability])).toEqual([[source, 'F']])
    expect(read.claims.map((c) => [c.id, c.credibility])).toEqual([[claim, 6]])
    expect(read.assessments.map((a) => [a.id, a.likelihood, a.confidence])).toEqual([[card, null, null]])
    expect(read.links.map((l) => [l.id, l.rating])).toEqual([[link, 'NA']])
    expect(read.unrecognised).toEqual([
      { collection: 'sources', id: source, field: 'reliability' },
      { collection: 'claims', id: claim, field: 'credibility' },
      { collection: 'assessments', id: card, field: 'likelihood' },
      { collection: 'assessments', id: card, field: 'confidence' },
      { collection: 'links', id: link, field: 'rating' },
    ])

    const markdown = await given.api.get<string>(`${base()}/export?format=md`)
    expect(markdown.status).toBe(200)
    for (const words of ['Harbour watcher', 'Three ships left the harbour.', 'Fleet sails within the week']) expect(markdown.body).toContain(words)
    for (const format of EXPORT_FORMATS) {
      expect((await given.api.get(`${base()}/export?format=${format}`)).status, format).toBe(200)
    }

    const checks = await given.api.get<ChecksReport>(`${base()}/checks`)
    expect(checks.status).toBe(200)
    const unrecognised = checks.body.findings.filter((f) => f.rule === 'unrecognised-value')
    expect(unrecognised.map((f) => f.key)).toEqual([
      `unrecognised-value:board:sources:${source}:reliability`,
      `unrecognised-value:board:claims:${claim}:credibility`,
      `unrecognised-value:board:assessments:${card}:likelihood`,
      `unrecognised-value:board:assessments:${card}:confidence`,
      `unrecognised-value:board:links:${link}:rating`,
    ])
    expect(unrecognised[0]!.message).toContain('Harbour watcher')
  })

  it('reads a claim’s relevance outside L, M, H as not rated, M, and the checks name the field', async () => {
    const source = await created('sources', { name: 'Harbour watcher', reliability: 'B' })
    const claim = await created('claims', { text: 'Three ships left the harbour.', sourceId: source, credibility: 2 })
    const hypothesis = await created('assessments', { title: 'Fleet sails within the week', kind: 'hypothesis' })
    await created('links', { assessmentId: hypothesis, claimId: claim, rating: 'I' })
    await waitFor(() => !given.server.services.rooms.loadedRooms.has(given.boardId) || undefined, 'the board to unload')
    await storeChange(given.server, given.boardId, 'ws:before-the-rule', (doc) => {
      ;(collection(doc, 'claims').get(claim) as Y.Map<unknown>).set('relevance', 'HIGH')
    })

    const read = (await given.api.get<BoardModel>(base())).body
    expect(read.claims.map((c) => [c.id, c.relevance])).toEqual([[claim, undefined]])
    expect(read.unrecognised).toEqual([{ collection: 'claims', id: claim, field: 'relevance' }])
    const markdown = (await given.api.get<string>(`${base()}/export?format=md`)).body
    expect(markdown).toMatch(/B2\)\s*\|\s*M \(not rated\)\s*\|\s*1\.41/)
    const checks = (await given.api.get<ChecksReport>(`${base()}/checks`)).body
    expect(checks.findings.filter((f) => f.rule === 'unrecognised-value').map((f) => f.key)).toEqual([`unrecognised-value:board:claims:${claim}:relevance`])
  })
})
