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
import { collection, entities } from '../shared/board-doc.ts'
import type { BoardModel, LinkModel } from '../shared/board-model.ts'
import { addLink, findLink, keepLink } from '../shared/board-mutations.ts'
import type { ChecksReport } from '../shared/checks-report.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { storeChange } from './helpers/stored-board.ts'
import { waitFor } from './helpers/wait-for.ts'

describe('two ratings of one claim against one assessment', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Two ratings' })
  const base = () => `/api/boards/${given.boardId}`
  const created = async <T = { id: string }>(path: string, body: unknown) => (await given.api.post<T>(`${base()}/${path}`, body)).body
  const readBoard = async () => (await given.api.get<BoardModel>(base())).body
  const rules = async () => (await given.api.get<ChecksReport>(`${base()}/checks`)).body.findings.map((f) => f.rule)
  const ratings = (links: readonly LinkModel[] | undefined) => (links ?? []).map((l) => [l.id, l.rating])
  type Editor = Awaited<ReturnType<typeof given.connectEditor>>

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
    expect(twoRatings[0]!.message).toContain('CC counts; II, another rating of the same pair, is set aside')

    const markdown = (await given.api.get<string>(`${base()}/export?format=md`)).body
    expect(markdown).toContain('Two ratings of one pair')
    expect(markdown).not.toContain('very inconsistent (II).')
    expect(markdown).not.toContain('*Contradicted by:*')

    // An editor keeps the set-aside rating: the counted link takes it, the pair has one link, and the evidence now
    // tells the hypotheses apart.
    keepLink(mallory.client.doc, second)
    const kept = await waitFor(async () => {
      const model = await readBoard()
      return model.setAsideLinks === undefined ? model : null
    }, 'the kept rating stored')
    expect(ratings(kept.links.filter((l) => l.assessmentId === h1))).toEqual([[counted.id, 'II']])
    const after = await rules()
    expect(after).not.toContain('two-ratings')
    expect(after).not.toContain('no-diagnostic-evidence')
  })

  /** The editors offline until `offlineWork` is done, then back; the count of close codes each had once offline. */
  async function offlineThenBack<T>(editors: readonly Editor[], offlineWork: () => T | Promise<T>): Promise<{ result: T; ownCloses: number[] }> {
    const before = editors.map((editor) => editor.closes.length)
    for (const editor of editors) editor.client.provider.disconnect()
    const ownCloses = await waitFor(() => (editors.every((editor, i) => editor.closes.length > before[i]!) ? editors.map((editor) => editor.closes.length) : null), 'offline')
    const result = await offlineWork()
    for (const editor of editors) editor.client.provider.connect()
    return { result, ownCloses }
  }

  /** Two hypotheses, and Ana and Ben each rating the claim against the first offline (Ben's the earlier), back online and synced. */
  async function ratedTwiceOffline() {
    const { claim, h1 } = await hypotheses()
    const ana = await given.connectEditor('Ana Analyst')
    const ben = await given.connectEditor('Ben Analyst')
    for (const editor of [ana, ben]) await waitFor(() => collection(editor.client.doc, 'links').size === 1 || undefined, 'the board synced')
    // Each page's addLink sees only its own copy, with no link of the pair: both are honest. Ben's is the earlier.
    const now = Date.now()
    const { result, ownCloses } = await offlineThenBack([ana, ben], () => ({
      anas: addLink(ana.client.doc, { assessmentId: h1, claimId: claim, rating: 'CC' }, { now: new Date(now + 1_000) }),
      bens: addLink(ben.client.doc, { assessmentId: h1, claimId: claim, rating: 'II' }, { now: new Date(now) }),
    }))
    for (const [who, doc] of [['Ana', ana.client.doc], ['Ben', ben.client.doc]] as const) {
      await waitFor(() => collection(doc, 'links').size === 3 || undefined, `${who}'s page to hold both links`)
    }
    const pairOf = (model: BoardModel) => ({ links: ratings(model.links.filter((l) => l.assessmentId === h1)), setAside: ratings(model.setAsideLinks) })
    return { claim, h1, ana, ben, ...result, ownCloses, pairOf }
  }

  it('reads the same one rating on every replica when two editors offline each rate the pair', async () => {
    const { claim, h1, ana, ben, anas, bens, ownCloses, pairOf } = await ratedTwiceOffline()
    const expected = { links: [[bens, 'II']], setAside: [[anas, 'CC']] }
    for (const [who, doc] of [['Ana', ana.client.doc], ['Ben', ben.client.doc]] as const) {
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

    // Ana keeps her rating: every replica reads one link of the pair, the counted one, rated as she kept it.
    keepLink(ana.client.doc, anas)
    for (const [who, doc] of [['Ana', ana.client.doc], ['Ben', ben.client.doc]] as const) {
      await waitFor(() => collection(doc, 'links').size === 2 || undefined, `${who}'s page to hold one link of the pair`)
      expect(pairOf(boardToModel(doc, given.boardId)), who).toEqual({ links: [[bens, 'CC']], setAside: [] })
    }
    await waitFor(async () => (await readBoard()).setAsideLinks === undefined || undefined, 'the server to hold one link of the pair')
    expect(await rules()).not.toContain('two-ratings')
  })
  it('keeps one rating of the pair when two editors offline each keep a different one', async () => {
    const { h1, ana, ben, anas, bens, pairOf } = await ratedTwiceOffline()
    // Ana keeps her CC, Ben his II, each on a copy that does not hold the other's choice. Before, each deleted the
    // other's link and the pair was left unrated, its two-ratings finding gone with it.
    await offlineThenBack([ana, ben], () => {
      keepLink(ana.client.doc, anas)
      keepLink(ben.client.doc, bens)
    })
    // Each page read its own keep, so until they are alike neither holds the other's.
    const read = await waitFor(() => {
      const [anaReads, benReads] = [ana.client.doc, ben.client.doc].map((doc) => pairOf(boardToModel(doc, given.boardId)))
      return JSON.stringify(anaReads) === JSON.stringify(benReads) ? anaReads : null
    }, 'both pages to hold both keeps')
    expect(read.setAside).toEqual([])
    expect(read.links).toHaveLength(1)
    expect(['CC', 'II']).toContain(read.links[0]![1])
    await waitFor(async () => JSON.stringify(pairOf(await readBoard())) === JSON.stringify(read) || undefined, 'the server to hold the same one rating')
    expect(Array.from(entities(ana.client.doc, 'links')).filter(([, l]) => l.get('assessmentId') === h1)).toHaveLength(1)
    expect(await rules()).not.toContain('two-ratings')
  })

  it('keeps a rating over HTTP (POST …/links/:id/keep) while an editor offline keeps the other: one rating of the pair remains', async () => {
    const { ana, ben, anas, bens, pairOf } = await ratedTwiceOffline()
    // Ana, offline, keeps Ben's II (the counted link); meanwhile the owner keeps Ana's CC over HTTP.
    await offlineThenBack([ana], async () => {
      expect(keepLink(ana.client.doc, bens)).toBe(bens)
      const answer = await given.api.post<LinkModel>(`${base()}/links/${anas}/keep`, {})
      expect([answer.status, answer.body.id, answer.body.rating]).toEqual([200, bens, 'CC'])
    })
    const served = await waitFor(async () => {
      const model = await readBoard()
      return model.setAsideLinks === undefined && model.links.length === 2 ? model : null
    }, 'the server to hold one link of the pair')
    expect(pairOf(served).links).toHaveLength(1)
    for (const [who, doc] of [['Ana', ana.client.doc], ['Ben', ben.client.doc]] as const) {
      await waitFor(() => JSON.stringify(pairOf(boardToModel(doc, given.boardId))) === JSON.stringify(pairOf(served)) || undefined, `${who}'s page to read the server's rating`)
    }
    // A link that is not on the board is not kept.
    expect((await given.api.post(`${base()}/links/not-a-link/keep`, {})).status).toBe(404)
  })
})

describe('a link of a pair the board leaves out', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Malformed link', env: { ROOM_IDLE_MS: '0' } })
  const base = () => `/api/boards/${given.boardId}`
  const created = async <T = { id: string }>(path: string, body: unknown) => (await given.api.post<T>(`${base()}/${path}`, body)).body

  it('neither refuses a rating of the pair nor takes one: the rating goes to the link the board shows', async () => {
    const source = (await created('sources', { name: 'Wire', kind: 'news', reliability: 'B' })).id
    const claim = (await created('claims', { text: 'Troops moved.', sourceId: source, credibility: 2 })).id
    const h1 = (await created('assessments', { title: 'Exercise', kind: 'hypothesis' })).id
    await waitFor(() => !given.server.services.rooms.loadedRooms.has(given.boardId) || undefined, 'the board to unload')
    // A link with no creation time, stored past the relay (which stamps one): the model leaves it out.
    const malformed = crypto.randomUUID()
    await storeChange(given.server, given.boardId, 'ws:past-the-relay', (doc) => {
      const link = new Y.Map<unknown>()
      for (const [field, value] of Object.entries({ id: malformed, assessmentId: h1, claimId: claim, rating: 'II' })) link.set(field, value)
      collection(doc, 'links').set(malformed, link)
    })
    expect((await given.api.get<BoardModel>(base())).body.links).toEqual([])

    // Before, findLink took the malformed link (no time sorts first): the board showed no rating, and this was refused 409.
    const added = await given.api.post<LinkModel>(`${base()}/links`, { assessmentId: h1, claimId: claim, rating: 'CC' })
    expect(added.status).toBe(201)
    const editor = await given.connectEditor('Ed Editor')
    await waitFor(() => collection(editor.client.doc, 'links').size === 2 || undefined, 'the page to hold both links')
    expect(findLink(editor.client.doc, h1, claim)).toBe(added.body.id)
    const model = boardToModel(editor.client.doc, given.boardId)
    expect(model.links.map((l) => [l.id, l.rating])).toEqual([[added.body.id, 'CC']])
    expect(model.setAsideLinks).toBeUndefined()
  })
})
