/**
 * One claim rated twice against one assessment (red team 28b): the HTTP API
 * refuses a second link of a pair 409, but an editor's stock WebsocketProvider
 * can write one past the mutations, and two editors offline each add one
 * honestly. Before, the board held both ratings (CC and II): the ACH matrix
 * took the last, the "No diagnostic evidence" check counted the two as
 * evidence rated differently, and the briefing cited the claim as both very
 * consistent and very inconsistent. Every reader now keeps the earliest link
 * of a pair (then the lowest id) and sets the others aside, named by the
 * checks until an editor keeps one rating; every replica reads the same.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { collection } from '../shared/board-doc.ts'
import type { BoardModel, LinkModel } from '../shared/board-model.ts'
import { addLink, findLink, keepLink } from '../shared/board-mutations.ts'
import type { ChecksReport } from '../shared/checks-report.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { waitFor } from './helpers/wait-for.ts'

describe('two ratings of one claim against one assessment', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Two ratings' })
  const base = () => `/api/boards/${given.boardId}`
  const created = async <T = { id: string }>(path: string, body: unknown) => (await given.api.post<T>(`${base()}/${path}`, body)).body
  const readBoard = async () => (await given.api.get<BoardModel>(base())).body
  const rules = async () => (await given.api.get<ChecksReport>(`${base()}/checks`)).body.findings.map((f) => f.rule)
  const ratings = (links: readonly LinkModel[] | undefined) => (links ?? []).map((l) => [l.id, l.rating])

  /** A source, a claim, and two hypotheses, the second rated CC by the claim. */
  async function hypotheses() {
    const source = (await created('sources', { name: 'Wire', kind: 'news', reliability: 'B' })).id
    const claim = (await created('claims', { text: 'Troops moved.', sourceId: source, credibility: 2 })).id
    const h1 = (await created('assessments', { title: 'Exercise', kind: 'hypothesis' })).id
    const h2 = (await created('assessments', { title: 'Invasion', kind: 'hypothesis' })).id
    await created('links', { assessmentId: h2, claimId: claim, rating: 'CC' })
    return { claim, h1 }
  }

  it('counts one rating of a pair written past the mutations, and names the other in the model, the checks and the Markdown briefing', async () => {
    const { claim, h1 } = await hypotheses()
    const counted = await created<LinkModel>('links', { assessmentId: h1, claimId: claim, rating: 'CC' })
    expect((await given.api.post(`${base()}/links`, { assessmentId: h1, claimId: claim, rating: 'II' })).status).toBe(409)
    // Rated the same against both: nothing yet tells them apart.
    expect(await rules()).toContain('no-diagnostic-evidence')

    const mallory = await given.connectEditor('Mallory Editor')
    const second = crypto.randomUUID()
    const later = new Date(Date.parse(counted.createdAt) + 1).toISOString()
    mallory.client.doc.transact(() => {
      const link = new Y.Map<unknown>()
      for (const [field, value] of Object.entries({ id: second, assessmentId: h1, claimId: claim, rating: 'II', createdAt: later })) link.set(field, value)
      collection(mallory.client.doc, 'links').set(second, link)
    })
    const read = await waitFor(async () => {
      const model = await readBoard()
      return model.links.length + (model.setAsideLinks?.length ?? 0) === 3 ? model : null
    }, 'the second link stored')
    // The relay takes it: refusing a second link of a pair would refuse an honest offline editor's whole reconnect.
    expect(mallory.closes).toEqual([])

    expect(ratings(read.links.filter((l) => l.assessmentId === h1))).toEqual([[counted.id, 'CC']])
    expect(ratings(read.setAsideLinks)).toEqual([[second, 'II']])

    const checks = (await given.api.get<ChecksReport>(`${base()}/checks`)).body
    expect(checks.findings.map((f) => f.rule)).toContain('no-diagnostic-evidence')
    const twoRatings = checks.findings.filter((f) => f.rule === 'two-ratings')
    expect(twoRatings.map((f) => [f.key, f.label, f.claimIds])).toEqual([[`two-ratings:board:${h1}:${claim}:${second}`, 'Two ratings of one pair', [claim]]])
    expect(twoRatings[0]!.message).toContain('CC counts; II, rated at the same time or offline, is set aside')

    const markdown = (await given.api.get<string>(`${base()}/export?format=md`)).body
    expect(markdown).toContain('Two ratings of one pair')
    expect(markdown).not.toContain('very inconsistent (II).')
    expect(markdown).not.toContain('*Contradicted by:*')

    // An editor keeps the set-aside rating: the pair has one link, and the evidence now tells the hypotheses apart.
    keepLink(mallory.client.doc, second)
    const kept = await waitFor(async () => {
      const model = await readBoard()
      return model.links.some((l) => l.id === second) ? model : null
    }, 'the kept rating stored')
    expect(ratings(kept.links.filter((l) => l.assessmentId === h1))).toEqual([[second, 'II']])
    expect(kept.setAsideLinks).toBeUndefined()
    const after = await rules()
    expect(after).not.toContain('two-ratings')
    expect(after).not.toContain('no-diagnostic-evidence')
  })

  it('reads the same one rating on every replica when two editors offline each rate the pair', async () => {
    const { claim, h1 } = await hypotheses()
    const ana = await given.connectEditor('Ana Analyst')
    const ben = await given.connectEditor('Ben Analyst')
    for (const editor of [ana, ben]) await waitFor(() => collection(editor.client.doc, 'links').size === 1 || undefined, 'the board synced')
    ana.client.provider.disconnect()
    ben.client.provider.disconnect()
    const ownCloses = await waitFor(() => (ana.closes.length > 0 && ben.closes.length > 0 ? [ana.closes.length, ben.closes.length] : null), 'both offline')

    // Each page's addLink sees only its own copy, with no link of the pair: both are honest. Ben's is the earlier.
    const now = Date.now()
    const anas = addLink(ana.client.doc, { assessmentId: h1, claimId: claim, rating: 'CC' }, { now: new Date(now + 1_000) })
    const bens = addLink(ben.client.doc, { assessmentId: h1, claimId: claim, rating: 'II' }, { now: new Date(now) })
    ana.client.provider.connect()
    ben.client.provider.connect()

    const pairOf = (model: BoardModel) => ({ links: ratings(model.links.filter((l) => l.assessmentId === h1)), setAside: ratings(model.setAsideLinks) })
    const expected = { links: [[bens, 'II']], setAside: [[anas, 'CC']] }
    for (const [who, doc] of [['Ana', ana.client.doc], ['Ben', ben.client.doc]] as const) {
      await waitFor(() => collection(doc, 'links').size === 3 || undefined, `${who}'s page to hold both links`)
      expect(pairOf(boardToModel(doc, given.boardId)), who).toEqual(expected)
      // A new rating on either page changes the counted link, the one everyone reads.
      expect(findLink(doc, h1, claim), who).toBe(bens)
    }
    const served = await waitFor(async () => {
      const model = await readBoard()
      return model.setAsideLinks ? model : null
    }, 'the server to hold both links')
    expect(pairOf(served)).toEqual(expected)
    expect(await rules()).toContain('two-ratings')
    // The relay took both: neither reconnected page was closed.
    expect([ana.closes.slice(ownCloses[0]), ben.closes.slice(ownCloses[1])]).toEqual([[], []])

    // Ana keeps her rating: every replica reads one link of the pair, hers.
    keepLink(ana.client.doc, anas)
    for (const [who, doc] of [['Ana', ana.client.doc], ['Ben', ben.client.doc]] as const) {
      await waitFor(() => collection(doc, 'links').size === 2 || undefined, `${who}'s page to hold one link of the pair`)
      expect(pairOf(boardToModel(doc, given.boardId)), who).toEqual({ links: [[anas, 'CC']], setAside: [] })
    }
    await waitFor(async () => (await readBoard()).setAsideLinks === undefined || undefined, 'the server to hold one link of the pair')
    expect(await rules()).not.toContain('two-ratings')
  })
})
