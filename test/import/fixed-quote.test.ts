/**
 * An imported claim's quote is the document's words: the HTTP API refuses to
 * change it (409), and so does the relay for a hostile websocket client that
 * writes the claim's map directly (closed with a named code, nothing stored),
 * while its note, grade and status stay editable and claims added by hand stay
 * editable as typed. A claim added by hand cannot pose as a quote: one that
 * names a document must carry its exact words, where it says they are: the
 * offsets and the paragraph that holds them.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { collection, requireEntity } from '../../shared/board-doc.ts'
import type { BoardModel, ClaimModel } from '../../shared/board-model.ts'
import { deleteClaim } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { craftedItem } from '../helpers/crafted-update.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { frames, openRawSocket } from '../helpers/raw-socket.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { closeCodes } from '../helpers/yjs-client.ts'

const ARTICLE = ['Drones over Vilnius', 'Border guards saw three drones. Two were shot down. [citation: LRT]'].join('\n')
type ErrorBody = { error: { code: string; message: string } }

describe('the quote of an imported claim', () => {
  const given = useOwnedBoard({ owner: 'Ines Importer', board: 'Fixed quotes' })

  beforeEach(async () => {
    expect((await given.api.post(`/api/boards/${given.boardId}/import`, { text: ARTICLE })).status).toBe(200)
  })

  const board = async () => (await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body
  const importedClaim = async (): Promise<ClaimModel> => (await board()).claims[0]!
  const storedModel = () => storedBoard(given.server, given.boardId)
  const editorClient = async () => {
    const account = await addAccount(given.server)
    await addMember(given.server, given.boardId, account, 'editor')
    const client = await given.connectAs(account)
    return { client, closes: closeCodes(client) }
  }

  it('is refused over HTTP, while the note, grade and status change; a claim added by hand stays editable', async () => {
    const claim = await importedClaim()
    const refused = await given.api.patch<ErrorBody>(`/api/boards/${given.boardId}/claims/${claim.id}`, { text: 'Border guards saw no drones.' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toMatch(/imported from a document: its quoted text cannot change/)
    const other = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/sources`, { name: 'Reuters' })
    expect((await given.api.patch(`/api/boards/${given.boardId}/claims/${claim.id}`, { sourceId: other.body.id })).status).toBe(409)

    const noted = await given.api.patch<ClaimModel>(`/api/boards/${given.boardId}/claims/${claim.id}`, { note: 'Guards’ own count.', credibility: 2, status: 'retracted' })
    expect(noted.status).toBe(200)
    expect(noted.body).toMatchObject({ text: 'Border guards saw three drones.', note: 'Guards’ own count.', credibility: 2, status: 'retracted' })

    const typed = await given.api.post<ClaimModel>(`/api/boards/${given.boardId}/claims`, { text: 'Drones seen', sourceId: other.body.id })
    const retyped = await given.api.patch<ClaimModel>(`/api/boards/${given.boardId}/claims/${typed.body.id}`, { text: 'Drones were seen.' })
    expect(retyped.body).toMatchObject({ text: 'Drones were seen.' })
    expect(retyped.body.documentId).toBeUndefined()
  })

  it('is refused on the websocket: a client that rewrites it, moves it or deletes it is closed and nothing is stored', async () => {
    const claim = await importedClaim()
    const witness = await editorClient()
    const rewriter = await editorClient()
    const provenance = await editorClient()
    const unsetter = await editorClient()

    requireEntity(rewriter.client.doc, 'claims', claim.id).set('text', 'Border guards saw no drones.')
    requireEntity(provenance.client.doc, 'claims', claim.id).set('paragraph', 0)
    requireEntity(unsetter.client.doc, 'claims', claim.id).delete('text')
    for (const [who, hostile] of [['rewriter', rewriter], ['provenance', provenance], ['unsetter', unsetter]] as const) {
      await waitFor(() => hostile.closes.includes(CLOSE.quoteFixed.code), `the ${who} closed with ${CLOSE.quoteFixed.code}`)
      expect(hostile.client.provider.shouldConnect).toBe(false)
    }

    // The room carries on: a note from the witness travels and is stored; the quote is as imported everywhere.
    requireEntity(witness.client.doc, 'claims', claim.id).set('note', 'Checked against the wire.')
    await waitFor(async () => (await storedModel()).claims[0]?.note === 'Checked against the wire.', 'the note stored')
    expect((await storedModel()).claims[0]).toMatchObject({ text: claim.text, paragraph: claim.paragraph, sourceId: claim.sourceId })
    expect(boardToModel(witness.client.doc, given.boardId).claims[0]).toMatchObject({ text: claim.text, paragraph: claim.paragraph })

    // Deleting the whole claim (its fields with it) is an ordinary edit, as is creating one with its provenance.
    deleteClaim(witness.client.doc, claim.id)
    await waitFor(async () => !(await storedModel()).claims.some((c) => c.id === claim.id), 'the deletion stored')
    expect(witness.closes).toEqual([])
    expect(collection(witness.client.doc, 'claims').has(claim.id)).toBe(false)
  })

  it("is refused on the websocket through its document: a client that rewrites or deletes the document's text is closed and nothing is stored", async () => {
    const claim = await importedClaim()
    const documentId = claim.documentId!
    const witness = await editorClient()
    const rewriter = await editorClient()
    const unsetter = await editorClient()
    const rehasher = await editorClient()

    // The claims would no longer quote it, and read as claims by hand: the provenance of every one of them gone.
    requireEntity(rewriter.client.doc, 'documents', documentId).set('text', ARTICLE.replace('three drones', 'no drones'))
    requireEntity(unsetter.client.doc, 'documents', documentId).delete('text')
    requireEntity(rehasher.client.doc, 'documents', documentId).set('hash', 'another document')
    for (const [who, hostile] of [['rewriter', rewriter], ['unsetter', unsetter], ['rehasher', rehasher]] as const) {
      await waitFor(() => hostile.closes.includes(CLOSE.quoteFixed.code), `the ${who} closed with ${CLOSE.quoteFixed.code}`)
    }

    // The document's title is the analysts' to correct; the room carries on and every claim still quotes the document.
    requireEntity(witness.client.doc, 'documents', documentId).set('title', 'Drones over Vilnius (LRT)')
    await waitFor(async () => (await storedModel()).documents[0]?.title === 'Drones over Vilnius (LRT)', 'the title stored')
    expect((await storedModel()).claims.map((c) => c.documentId)).toEqual([documentId, documentId])
    expect(requireEntity(witness.client.doc, 'documents', documentId).get('text')).toBe(ARTICLE)
    expect(witness.closes).toEqual([])
  })

  it('is refused on the websocket when the new value is written beside the old one, naming neither the claim nor the field', async () => {
    const claim = await importedClaim()
    const witness = await editorClient()
    const quote = requireEntity(witness.client.doc, 'claims', claim.id)._map.get('text')!.lastId
    const paragraph = requireEntity(witness.client.doc, 'claims', claim.id)._map.get('paragraph')!.lastId
    const editor = await addAccount(given.server)
    await addMember(given.server, given.boardId, editor, 'editor')
    const url = `${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, editor)).token}`
    // Yjs takes the map and the key from the item it follows, and replaces the old value itself: no deletion is sent.
    const attacks: [string, Uint8Array][] = [
      ['a new quote', craftedItem({ client: 987_654_321, clock: 0 }, { after: quote }, { any: 'Border guards saw nuclear warheads.' })],
      ['the quote removed', craftedItem({ client: 987_654_322, clock: 0 }, { after: quote }, { deleted: 1 })],
      ['a new paragraph', craftedItem({ client: 987_654_323, clock: 0 }, { after: paragraph }, { any: 0 })],
    ]
    for (const [what, update] of attacks) {
      const socket = await openRawSocket(url)
      socket.send(frames.update(update))
      expect((await socket.closed).code, what).toBe(CLOSE.quoteFixed.code)
    }
    expect((await storedModel()).claims[0]).toMatchObject({ text: claim.text, paragraph: claim.paragraph })
    expect(witness.closes).toEqual([])
  })

  it('cannot be forged over HTTP: a claim naming a document must be its exact words, where it says', async () => {
    const claim = await importedClaim()
    const documentId = claim.documentId!
    const forged = { text: 'Border guards saw nuclear warheads.', sourceId: claim.sourceId, documentId, paragraph: claim.paragraph, start: claim.start, end: claim.end }
    const claims = `/api/boards/${given.boardId}/claims`
    for (const body of [forged, { ...forged, paragraph: 9_999_999, start: 999_999_999, end: 3 }, { ...forged, text: claim.text, start: undefined }]) {
      const refused = await given.api.post<ErrorBody>(claims, body)
      expect(refused.status).toBe(400)
      expect(refused.body.error.message).toMatch(/must quote it/)
    }
    // The document's words, but not where it says: another paragraph, or a span across two.
    const misplaced = [
      { body: { ...forged, text: claim.text, paragraph: claim.paragraph! - 1 }, problem: /in paragraph 1 \(counted from 0\), not 0/ },
      { body: { ...forged, text: 'Vilnius\nBorder', paragraph: 0, start: ARTICLE.indexOf('Vilnius'), end: ARTICLE.indexOf(' guards') }, problem: /not within one paragraph/ },
    ]
    for (const { body, problem } of misplaced) {
      expect(ARTICLE.slice(body.start, body.end)).toBe(body.text)
      const refused = await given.api.post<ErrorBody>(claims, body)
      expect(refused.status).toBe(400)
      expect(refused.body.error.message).toMatch(problem)
      const batch = await given.api.post<ErrorBody>(`/api/boards/${given.boardId}/batch`, { operations: [{ op: 'add', collection: 'claims', input: body }] })
      expect(batch.status).toBe(400)
      expect(batch.body.error.message).toMatch(problem)
    }
    const batch = await given.api.post<ErrorBody>(`/api/boards/${given.boardId}/batch`, { operations: [{ op: 'add', collection: 'claims', input: forged }] })
    expect(batch.status).toBe(400)
    expect((await board()).claims.map((c) => c.text)).toEqual([claim.text, 'Two were shot down.'])

    // The document's own words, where they are, are a quote of it like the import's.
    const quoted = await given.api.post<ClaimModel>(claims, { ...forged, text: claim.text })
    expect(quoted.status).toBe(201)
    expect(quoted.body).toMatchObject({ text: claim.text, documentId, start: claim.start, end: claim.end })
  })
})
