/**
 * An entity's field holds what its schema accepts, over the websocket too,
 * against the real server with an editor's stock WebsocketProvider (red team
 * 24b): a source's reliability set to "b", a claim's credibility to 0, a key
 * judgment's likelihood to 9, a link's rating to "XX", the board's profile to
 * "nato", or a new source created with a reliability of "G", closes its sender
 * 4422 with nothing stored, and the board, its API read and its Markdown
 * export, are as before; no one else is closed. Honest changes of those
 * fields still go through.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { collection, metaMap, type Collection } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { addAssessment, addClaim, addLink, addSource, updateSource } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { waitFor } from './helpers/wait-for.ts'

const CREATED_AT = '2026-01-01T00:00:00.000Z'

describe('field values over the websocket', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Field values' })
  const base = () => `/api/boards/${given.boardId}`
  const readBoard = async () => (await given.api.get<BoardModel>(base())).body
  /** The live board's briefing, the minute it was made left out (its date-time groups, the live version's "as of" among them): two exports a minute apart are the same briefing. */
  const markdown = async () =>
    (await given.api.get<string>(`${base()}/export?format=md`)).body.replace(/\b\d{6}Z [A-Z]{3} \d{2}\b/g, '(DTG)')

  it('closes 4422 an editor who sets a field to a value its schema refuses, with the board and its export unchanged', async () => {
    const analyst = await given.connectEditor('Ana Analyst')
    const doc = analyst.client.doc
    const source = addSource(doc, { name: 'Harbour watcher', reliability: 'B' })
    const claim = addClaim(doc, { text: 'Three ships left the harbour.', sourceId: source, credibility: 2 })
    const card = addAssessment(doc, { title: 'Fleet sails within the week', kind: 'key-judgment', likelihood: 5, confidence: 'moderate' })
    const link = addLink(doc, { assessmentId: card, claimId: claim, rating: 'CC' })
    const before = await waitFor(async () => {
      const model = await readBoard()
      return model.links.length === 1 ? model : null
    }, 'the board to hold the link')
    const exported = await markdown()
    expect(exported).toContain('Harbour watcher')
    expect(exported).toContain('Three ships left the harbour.')

    const field = (mallory: Y.Doc, name: Collection, id: string) => collection(mallory, name).get(id) as Y.Map<unknown>
    const attacks: [what: string, attack: (mallory: Y.Doc) => void][] = [
      ['reliability "b"', (m) => field(m, 'sources', source).set('reliability', 'b')],
      ['reliability "G"', (m) => field(m, 'sources', source).set('reliability', 'G')],
      ['credibility 0', (m) => field(m, 'claims', claim).set('credibility', 0)],
      ['claim status "withdrawn"', (m) => field(m, 'claims', claim).set('status', 'withdrawn')],
      ['likelihood 9', (m) => field(m, 'assessments', card).set('likelihood', 9)],
      ['confidence "Moderate"', (m) => field(m, 'assessments', card).set('confidence', 'Moderate')],
      ['tags a number', (m) => field(m, 'assessments', card).set('tags', 7)],
      ['rating "XX"', (m) => field(m, 'links', link).set('rating', 'XX')],
      ['profile "nato"', (m) => metaMap(m).set('profile', 'nato')],
      ['a new source of reliability "G"', (m) => collection(m, 'sources').set('s-new', entry({ id: 's-new', name: 'New', kind: '', reliability: 'G', createdAt: CREATED_AT }))],
      ['a new link of rating 3', (m) => collection(m, 'links').set('l-new', entry({ id: 'l-new', assessmentId: card, claimId: claim, rating: 3, createdAt: CREATED_AT }))],
    ]
    for (const [what, attack] of attacks) {
      const mallory = await given.connectEditor(`Mallory ${what}`)
      mallory.client.doc.transact(() => attack(mallory.client.doc))
      await waitFor(() => mallory.closes.length > 0 || undefined, `${what}: its sender closed`)
      expect(mallory.closes, what).toEqual([CLOSE.updateRejected.code])
      expect(await readBoard(), what).toEqual(before)
      expect(await markdown(), what).toBe(exported)
    }
    expect(analyst.closes).toEqual([])

    // What the schema accepts still goes through (a key it does not name is refused: test/relay-entry-keys.test.ts).
    updateSource(doc, source, { reliability: 'A' })
    ;(collection(doc, 'assessments').get(card) as Y.Map<unknown>).set('likelihood', null)
    const after = await waitFor(async () => {
      const model = await readBoard()
      return model.sources[0]?.reliability === 'A' && model.assessments[0]?.likelihood === null ? model : null
    }, 'the honest changes stored')
    expect(after.claims.map((c) => c.id)).toEqual([claim])
    expect(analyst.closes).toEqual([])
  })
})

function entry(fields: Record<string, unknown>): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  for (const [key, value] of Object.entries(fields)) map.set(key, value)
  return map
}
