/**
 * Recorded changes of a card's tags and links cost about the item toggled.
 * Two people take turns at one tag of a card holding 32 tags of 64 characters
 * (the most it holds), one taking it off, the other putting it back; and at
 * one link of a card linked to 1,000 claims (a card holds a link per claim of
 * the board). Each recorded change used to hold the whole list before and
 * after, and the turns never joined (two authors): a tag's turn of some 2 KB
 * sent recorded some 4 KB, a link's turn of some 150 bytes some 128 KB. Now a
 * change holds the items removed and added, and how many the list held
 * (shared/list-excerpt.ts); one person's changes of a list join across
 * compactions, but a reordering is not joined to the items a change added,
 * which would drop it. On SQLite and PostgreSQL, against the real server.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { readEntity } from '../../shared/board-convert.ts'
import { entities } from '../../shared/board-doc.ts'
import { addAssessment, addClaim, addLink, addSource, deleteLink, findLink, updateAssessment } from '../../shared/board-mutations.ts'
import type { AssessmentChange } from '../../shared/history-model.ts'
import { recordChanges } from '../helpers/recorded-changes.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { takingTurns, type TakingTurns } from '../helpers/taking-turns.ts'
import { waitFor } from '../helpers/wait-for.ts'
import type { TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

const TAGS = Array.from({ length: 32 }, (_, i) => `${i}-`.padEnd(64, 't'))
const LINKED_CLAIMS = 1_000
/** Turns, each taken back by the next. */
const TURNS = 20
/** What a recorded change may hold: the item toggled (a tag of 64 characters, or a link's claim id and rating) and the JSON around it, each side. */
const BYTES_PER_RECORD = 2 * (64 + 64)

describeEachDialect(postgresMissing, 'two authors taking turns at a full card’s tags and links on %s', (dialect) => {
  let turns: TakingTurns
  let assessmentId: string
  let toggledClaim: string

  const linksOf = (doc: Y.Doc) => Array.from(entities(doc, 'links')).length
  const tagsOf = (doc: Y.Doc) => readEntity(doc, 'assessments', assessmentId)?.tags ?? []
  const full = ({ doc }: TestClient) => linksOf(doc) === LINKED_CLAIMS && tagsOf(doc).length === TAGS.length
  const listed = async () => {
    const listing = await turns.as(turns.ana).get<AssessmentChange[]>(`/api/boards/${turns.boardId}/history/changes?assessmentId=${assessmentId}&limit=5000`)
    expect(listing.status).toBe(200)
    return listing.body
  }
  const stored = async (what: string) => {
    await waitFor(async () => (await turns.server.services.storage.log.count(turns.boardId)) === 1, what)
  }

  beforeEach(async () => {
    turns = await takingTurns(dialect, 'Taking turns')
    // The card, its tags and its links written at once, by a writer of their own: a thousand requests would only make the test slow.
    const { client: setUp } = await turns.join(turns.ana, () => true)
    const rows = await turns.server.services.storage.log.count(turns.boardId)
    setUp.doc.transact(() => {
      const sourceId = addSource(setUp.doc, { name: 'NATO', reliability: 'B' })
      assessmentId = addAssessment(setUp.doc, { title: 'Full', tags: TAGS })
      const claims = Array.from({ length: LINKED_CLAIMS }, (_, i) => addClaim(setUp.doc, { text: `Claim ${i}.`, sourceId, credibility: 2 }))
      for (const claimId of claims) addLink(setUp.doc, { assessmentId, claimId, rating: 'C' })
      toggledClaim = claims[0]!
    })
    // One update, one row; a loaded machine may take a while to store its 300 KB.
    await waitFor(async () => (await turns.server.services.storage.log.count(turns.boardId)) === rows + 1, 'the card to be stored', 60_000)
    await turns.server.services.compaction.compact(turns.boardId)
  })
  afterEach(async () => {
    await turns.destroy()
  })

  it('records each turn at a tag as the tag taken off or put back, readable in the listing', async () => {
    const first = await turns.join(turns.ana, full)
    const second = await turns.join(turns.ben, full)
    const toggled = TAGS.at(-1)!
    for (let turn = 0; turn < TURNS; turn++) {
      updateAssessment(first.client.doc, assessmentId, { tags: TAGS.slice(0, -1) })
      await waitFor(() => tagsOf(second.client.doc).length === TAGS.length - 1, 'the tag taken off to reach the other writer')
      updateAssessment(second.client.doc, assessmentId, { tags: TAGS })
      await waitFor(() => tagsOf(first.client.doc).length === TAGS.length, 'the tag put back to reach the other writer')
    }
    const { changes, bytes } = await turns.recorded(assessmentId, 'tags')
    // Still one change a turn.
    expect(changes).toHaveLength(2 * TURNS)
    expect(bytes).toBeLessThan(BYTES_PER_RECORD * changes.length)
    expect(bytes).toBeLessThan(first.sent.bytes + second.sent.bytes)

    const [taken, put] = (await listed()).filter((change) => change.field === 'tags').slice(-2)
    expect(taken).toMatchObject({ by: { name: 'Ana' }, from: { items: [toggled], length: TAGS.length }, to: { items: [], length: TAGS.length - 1 } })
    expect(put).toMatchObject({ by: { name: 'Ben' }, from: { items: [], length: TAGS.length - 1 }, to: { items: [toggled], length: TAGS.length } })
  })

  it('records each turn at a link as the link taken off or made again, readable in the listing', async () => {
    const first = await turns.join(turns.ana, full)
    const second = await turns.join(turns.ben, full)
    for (let turn = 0; turn < TURNS; turn++) {
      deleteLink(first.client.doc, findLink(first.client.doc, assessmentId, toggledClaim)!)
      await waitFor(() => linksOf(second.client.doc) === LINKED_CLAIMS - 1, 'the link taken off to reach the other writer')
      addLink(second.client.doc, { assessmentId, claimId: toggledClaim, rating: 'C' })
      await waitFor(() => linksOf(first.client.doc) === LINKED_CLAIMS, 'the link made again to reach the other writer')
    }
    const written = first.sent.bytes + second.sent.bytes
    const { changes, bytes } = await turns.recorded(assessmentId, 'links')
    expect(changes).toHaveLength(2 * TURNS)
    expect(bytes).toBeLessThan(Math.min(written, BYTES_PER_RECORD * changes.length))

    const link = { claimId: toggledClaim, rating: 'C' }
    const [unlinked, linked] = (await listed()).filter((change) => change.field === 'links').slice(-2)
    expect(unlinked).toMatchObject({ by: { name: 'Ana' }, from: { items: [link], length: LINKED_CLAIMS }, to: { items: [], length: LINKED_CLAIMS - 1 } })
    expect(linked).toMatchObject({ by: { name: 'Ben' }, from: { items: [], length: LINKED_CLAIMS - 1 }, to: { items: [link], length: LINKED_CLAIMS } })
  })

  it('joins one person’s changes of a list across compactions, recorded whole before or as items added and removed', async () => {
    const { client: writer } = await turns.join(turns.ana, full)
    const without = (...dropped: string[]) => TAGS.filter((tag) => !dropped.includes(tag))
    const [last, nextToLast] = [TAGS.at(-1)!, TAGS.at(-2)!]
    updateAssessment(writer.doc, assessmentId, { tags: without(last) })
    await stored('the first change to be stored')
    await turns.server.services.compaction.compact(turns.boardId)
    updateAssessment(writer.doc, assessmentId, { tags: without(last, nextToLast) })
    await stored('the second change to be stored')
    await turns.server.services.compaction.compact(turns.boardId)
    // Not compacted: the newest rows' change joins the recorded ones too.
    updateAssessment(writer.doc, assessmentId, { tags: without(nextToLast) })
    await stored('the third change to be stored')
    const tags = (await listed()).filter((change) => change.field === 'tags')
    expect(tags).toHaveLength(1)
    expect(tags[0]).toMatchObject({ by: { name: 'Ana' }, from: { items: [nextToLast], length: TAGS.length }, to: { items: [], length: TAGS.length - 1 } })

    // A change recorded whole, before the short form, joined by one recorded so.
    const at = new Date().toISOString()
    const author = `ws:${turns.ana.id}`
    const record = (fromValue: unknown, toValue: unknown) =>
      recordChanges(turns.server.services.storage, turns.boardId, [{ assessmentId: 'old', field: 'tags', fromValue: JSON.stringify(fromValue), toValue: JSON.stringify(toValue), author, firstAt: at, at }])
    await record(['a', 'b', 'c'], ['a', 'b'])
    await record({ items: ['b'], length: 2 }, { items: ['d'], length: 2 })
    const joined = await turns.as(turns.ana).get<AssessmentChange[]>(`/api/boards/${turns.boardId}/history/changes?assessmentId=old&limit=10`)
    expect(joined.body).toMatchObject([{ from: { items: ['c', 'b'], length: 3 }, to: { items: ['d'], length: 2 } }])

    // A reordering, recorded whole, then a tag added, recorded so: the items added hold no order, so joined they said
    // only "added c"; they are listed as the two changes they are.
    const reordering = (fromValue: unknown, toValue: unknown) =>
      recordChanges(turns.server.services.storage, turns.boardId, [{ assessmentId: 'reordered', field: 'tags', fromValue: JSON.stringify(fromValue), toValue: JSON.stringify(toValue), author, firstAt: at, at }])
    await reordering(['a', 'b'], ['b', 'a'])
    await reordering({ items: [], length: 2 }, { items: ['c'], length: 3 })
    const apart = await turns.as(turns.ana).get<AssessmentChange[]>(`/api/boards/${turns.boardId}/history/changes?assessmentId=reordered&limit=10`)
    expect(apart.body).toMatchObject([
      { from: ['a', 'b'], to: ['b', 'a'] },
      { from: { items: [], length: 2 }, to: { items: ['c'], length: 3 } },
    ])
  })
})
