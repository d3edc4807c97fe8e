/**
 * Recorded changes of a card's tags and links cost about the item toggled.
 * Two people take turns at one tag of a card holding 32 tags of 64 characters
 * (the most it holds), one taking it off, the other putting it back; and at
 * one link of a card linked to 1,000 claims (a card holds a link per claim of
 * the board). Each recorded change used to hold the whole list before and
 * after, and the turns never joined (two authors): a tag's turn of some 2 KB
 * sent recorded some 4 KB, a link's turn of some 200 bytes some 110 KB. Now a
 * change holds the items added and removed, and how many the list held
 * (shared/list-excerpt.ts). On SQLite and PostgreSQL, against the real server.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { readEntity } from '../../shared/board-convert.ts'
import { entities } from '../../shared/board-doc.ts'
import { addAssessment, addClaim, addLink, addSource, deleteLink, findLink, updateAssessment } from '../../shared/board-mutations.ts'
import type { AssessmentChange, AttributedField } from '../../shared/history-model.ts'
import type { StoredChange } from '../../server/storage/storage.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { recordChanges } from '../helpers/recorded-changes.ts'
import { withStoredDoc } from '../helpers/stored-board.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

const TAGS = Array.from({ length: 32 }, (_, i) => `${i}-`.padEnd(64, 't'))
const LINKED_CLAIMS = 1_000
/** Turns, each taken back by the next. */
const TURNS = 20
/** What a recorded change may hold: the item toggled (a tag of 64 characters, or a link's claim id and rating) and the JSON around it, each side. */
const BYTES_PER_RECORD = 2 * (64 + 64)

describeEachDialect(postgresMissing, 'two authors taking turns at a full card’s tags and links on %s', (dialect) => {
  let server: TestServer
  const clients: TestClient[] = []
  let ana: TestAccount
  let ben: TestAccount
  const tokens = new Map<TestAccount, string>()
  let boardId: string
  let assessmentId: string
  let toggledClaim: string

  const as = (account: TestAccount): ApiClient => apiClient(server.url, { authorization: `Bearer ${tokens.get(account)}` })
  const linksOf = (doc: Y.Doc) => Array.from(entities(doc, 'links')).length
  const tagsOf = (doc: Y.Doc) => (readEntity(doc, 'assessments', assessmentId)?.tags ?? [])
  /** A writer over the websocket, and the bytes of the updates it sends. */
  const join = async (account: TestAccount) => {
    const client = connectClient(server.wsUrl, boardId, { token: tokens.get(account)! })
    clients.push(client)
    await client.synced()
    const sent = { bytes: 0 }
    client.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== client.provider) sent.bytes += update.byteLength
    })
    await waitFor(() => linksOf(client.doc) === LINKED_CLAIMS && tagsOf(client.doc).length === TAGS.length, 'the card to reach the writer')
    return { doc: client.doc, sent }
  }
  /** The field's recorded changes once every row is compacted, and the bytes of their values as stored. */
  const recorded = async (field: AttributedField) => {
    await server.services.compaction.compact(boardId)
    expect(await server.services.storage.log.count(boardId)).toBe(0)
    const changes = (await server.services.storage.history.changes(boardId, { assessmentId, limit: 100_000 })).filter((change) => change.field === field)
    const bytes = changes.reduce((sum, change: StoredChange) => sum + Buffer.byteLength(change.fromValue) + Buffer.byteLength(change.toValue), 0)
    return { changes, bytes }
  }
  const listed = async () => {
    const listing = await as(ana).get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes?assessmentId=${assessmentId}&limit=5000`)
    expect(listing.status).toBe(200)
    return listing.body
  }

  beforeEach(async () => {
    server = await startTestServer({ dialect, accounts: true, compactAfterRows: 1_000_000 })
    ana = await addAccount(server, { name: 'Ana' })
    ben = await addAccount(server, { name: 'Ben' })
    for (const account of [ana, ben]) tokens.set(account, (await addToken(server, account)).token)
    boardId = await as(ana).createBoard('Taking turns')
    await addMember(server, boardId, ben, 'editor')
    // The card, its tags and its links written at once, by a writer of their own: a thousand requests would only make the test slow.
    const setUp = connectClient(server.wsUrl, boardId, { token: tokens.get(ana)! })
    clients.push(setUp)
    await setUp.synced()
    setUp.doc.transact(() => {
      const sourceId = addSource(setUp.doc, { name: 'NATO', reliability: 'B' })
      assessmentId = addAssessment(setUp.doc, { title: 'Full', tags: TAGS })
      const claims = Array.from({ length: LINKED_CLAIMS }, (_, i) => addClaim(setUp.doc, { text: `Claim ${i}.`, sourceId, credibility: 2 }))
      for (const claimId of claims) addLink(setUp.doc, { assessmentId, claimId, rating: 'C' })
      toggledClaim = claims[0]!
    })
    await waitFor(() => withStoredDoc(server, boardId, linksOf).then((stored) => stored === LINKED_CLAIMS), 'the card to be stored')
    await server.services.compaction.compact(boardId)
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
  })

  it('records each turn at a tag as the tag taken off or put back, readable in the listing', async () => {
    const first = await join(ana)
    const second = await join(ben)
    const toggled = TAGS.at(-1)!
    for (let turn = 0; turn < TURNS; turn++) {
      updateAssessment(first.doc, assessmentId, { tags: TAGS.slice(0, -1) })
      await waitFor(() => tagsOf(second.doc).length === TAGS.length - 1, 'the tag taken off to reach the other writer')
      updateAssessment(second.doc, assessmentId, { tags: TAGS })
      await waitFor(() => tagsOf(first.doc).length === TAGS.length, 'the tag put back to reach the other writer')
    }
    const { changes, bytes } = await recorded('tags')
    // Still one change a turn.
    expect(changes).toHaveLength(2 * TURNS)
    expect(bytes).toBeLessThan(BYTES_PER_RECORD * changes.length)
    expect(bytes).toBeLessThan(first.sent.bytes + second.sent.bytes)

    const [taken, put] = (await listed()).filter((change) => change.field === 'tags').slice(-2)
    expect(taken).toMatchObject({ by: { name: 'Ana' }, from: { items: [toggled], length: TAGS.length }, to: { items: [], length: TAGS.length - 1 } })
    expect(put).toMatchObject({ by: { name: 'Ben' }, from: { items: [], length: TAGS.length - 1 }, to: { items: [toggled], length: TAGS.length } })
  })

  it('records each turn at a link as the link taken off or made again, readable in the listing', async () => {
    const first = await join(ana)
    const second = await join(ben)
    for (let turn = 0; turn < TURNS; turn++) {
      deleteLink(first.doc, findLink(first.doc, assessmentId, toggledClaim)!)
      await waitFor(() => linksOf(second.doc) === LINKED_CLAIMS - 1, 'the link taken off to reach the other writer')
      addLink(second.doc, { assessmentId, claimId: toggledClaim, rating: 'C' })
      await waitFor(() => linksOf(first.doc) === LINKED_CLAIMS, 'the link made again to reach the other writer')
    }
    const written = first.sent.bytes + second.sent.bytes
    const { changes, bytes } = await recorded('links')
    expect(changes).toHaveLength(2 * TURNS)
    expect(bytes).toBeLessThan(Math.min(written, BYTES_PER_RECORD * changes.length))

    const link = { claimId: toggledClaim, rating: 'C' }
    const [unlinked, linked] = (await listed()).filter((change) => change.field === 'links').slice(-2)
    expect(unlinked).toMatchObject({ by: { name: 'Ana' }, from: { items: [link], length: LINKED_CLAIMS }, to: { items: [], length: LINKED_CLAIMS - 1 } })
    expect(linked).toMatchObject({ by: { name: 'Ben' }, from: { items: [], length: LINKED_CLAIMS - 1 }, to: { items: [link], length: LINKED_CLAIMS } })
  })

  it('joins one person’s changes of a list across compactions, recorded whole before or as items added and removed', async () => {
    const writer = await join(ana)
    const without = (...dropped: string[]) => TAGS.filter((tag) => !dropped.includes(tag))
    const [last, nextToLast] = [TAGS.at(-1)!, TAGS.at(-2)!]
    updateAssessment(writer.doc, assessmentId, { tags: without(last) })
    await waitFor(async () => (await server.services.storage.log.count(boardId)) === 1, 'the first change to be stored')
    await server.services.compaction.compact(boardId)
    updateAssessment(writer.doc, assessmentId, { tags: without(last, nextToLast) })
    await waitFor(async () => (await server.services.storage.log.count(boardId)) === 1, 'the second change to be stored')
    await server.services.compaction.compact(boardId)
    // Not compacted: the newest rows' change joins the recorded ones too.
    updateAssessment(writer.doc, assessmentId, { tags: without(nextToLast) })
    await waitFor(async () => (await server.services.storage.log.count(boardId)) === 1, 'the third change to be stored')
    const tags = (await listed()).filter((change) => change.field === 'tags')
    expect(tags).toHaveLength(1)
    expect(tags[0]).toMatchObject({ by: { name: 'Ana' }, from: { items: [nextToLast], length: TAGS.length }, to: { items: [], length: TAGS.length - 1 } })

    // A change recorded whole, before the short form, joined by one recorded so.
    const at = new Date().toISOString()
    await recordChanges(server.services.storage, boardId, [
      { assessmentId: 'old', field: 'tags', fromValue: JSON.stringify(['a', 'b', 'c']), toValue: JSON.stringify(['a', 'b']), author: `ws:${ana.id}`, firstAt: at, at },
    ])
    await recordChanges(server.services.storage, boardId, [
      { assessmentId: 'old', field: 'tags', fromValue: JSON.stringify({ items: ['b'], length: 2 }), toValue: JSON.stringify({ items: ['d'], length: 2 }), author: `ws:${ana.id}`, firstAt: at, at },
    ])
    const joined = await as(ana).get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes?assessmentId=old&limit=10`)
    expect(joined.body).toMatchObject([{ from: { items: ['c', 'b'], length: 3 }, to: { items: ['d'], length: 2 } }])
  })
})
