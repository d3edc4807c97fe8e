/**
 * One hostile editor froze colleagues' tabs for minutes with a judgment of one
 * letter and thousands of combining marks (shaped whole each time the page
 * laid it out), and could store a judgment of 200,000 characters. Against the
 * real server: the relay refuses a run of more than MAX_MARK_RUN marks however
 * a stock client or a raw frame builds it, and a shared text grown past twice
 * its limit, closing the sender with a named code and storing nothing, while
 * honest edits beside them are stored; HTTP cuts such a run by the same rule.
 * The board's title, marking and key question, plain values a stock client
 * sets whole, are held to twice their limit likewise, and so are a card's
 * tags, each tag, its order and a value under a key no schema names. An edit
 * that replaces a text merged past its limit is counted less what it deletes.
 * An imported document's text is held to its 2 MB in UTF-8 bytes, as the
 * import counts it, not in UTF-16 units (which let three times as much in).
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText, collection, metaMap, requireEntity } from '../../shared/board-doc.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

const ACUTE = '\u0301'

describe('hostile long texts', () => {
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Long texts' })

  const newCard = async (judgment: string) => (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment })).body.id
  const storedJudgment = async (card: string) => (await storedBoard(given.server, given.boardId)).assessments.find((a) => a.id === card)!.judgment
  /** An honest edit after the refusals, stored: the room carries on. */
  const honestEditStored = async (card: string, text: string) => {
    const { client } = await given.connectEditor('Honest Hana')
    const judgment = assessmentText(client.doc, card, 'judgment')
    judgment.insert(judgment.length, text)
    await waitFor(async () => (await storedJudgment(card)).endsWith(text), 'the honest edit stored')
  }

  it('refuses a run of combining marks past the bound from a stock client, in one insertion, frame after frame, or as many items', async () => {
    const card = await newCard('Plain.')
    const honestRun = `e${ACUTE.repeat(MAX_MARK_RUN)}`

    // The red team's attack: one letter and 10,000 marks, written through the stock client.
    const oneInsertion = await given.connectEditor('Hostile One')
    assessmentText(oneInsertion.client.doc, card, 'judgment').insert(6, `a${ACUTE.repeat(10_000)}`)
    await waitFor(() => oneInsertion.closes.includes(CLOSE.invalidText.code), 'the sender closed 4415')
    expect(oneInsertion.client.provider.shouldConnect).toBe(false)

    // Thirty marks a frame, each after the last: the first is a run within the bound, the second makes it too long.
    const frameAfterFrame = await given.connectEditor('Hostile Two')
    const text = assessmentText(frameAfterFrame.client.doc, card, 'judgment')
    text.insert(text.length, `a${ACUTE.repeat(MAX_MARK_RUN)}`)
    await waitFor(async () => (await storedJudgment(card)).endsWith(ACUTE), 'a run within the bound stored')
    text.insert(text.length, ACUTE)
    await waitFor(() => frameAfterFrame.closes.includes(CLOSE.invalidText.code), 'the second frame closed 4415')

    // One frame of 10,000 items of one mark each, each put just after the letter, so that Yjs cannot merge them into one string.
    const manyItems = await given.connectEditor('Hostile Three')
    const forger = new Y.Doc()
    Y.applyUpdate(forger, Y.encodeStateAsUpdate(manyItems.client.doc))
    const before = Y.encodeStateVector(forger)
    const forged = assessmentText(forger, card, 'judgment')
    const letter = forged.length
    forger.transact(() => {
      forged.insert(letter, 'b')
      for (let i = 0; i < 10_000; i++) forged.insert(letter + 1, ACUTE)
    })
    const frame = Y.encodeStateAsUpdate(forger, before)
    expect(Y.decodeUpdate(frame).structs.length).toBeGreaterThan(MAX_MARK_RUN)
    Y.applyUpdate(manyItems.client.doc, frame)
    await waitFor(() => manyItems.closes.includes(CLOSE.invalidText.code), 'the frame of many items closed 4415')

    await honestEditStored(card, ` ${honestRun}.`)
    expect(await storedJudgment(card)).toBe(`Plain.a${ACUTE.repeat(MAX_MARK_RUN)} ${honestRun}.`)
  })

  it('cuts such a run to the bound in an HTTP body', async () => {
    const card = await newCard(`Zalgo a${ACUTE.repeat(10_000)}!`)
    expect(await storedJudgment(card)).toBe(`Zalgo a${ACUTE.repeat(MAX_MARK_RUN)}!`)
    const patched = await given.api.patch<{ title: string }>(`/api/boards/${given.boardId}/assessments/${card}`, { title: `T${'\u0300\u0301'.repeat(1_000)}` })
    expect(patched.body.title).toBe(`T${'\u0300\u0301'.repeat(MAX_MARK_RUN / 2)}`)
  })

  it('refuses a text grown past twice its limit, in one frame or frame after frame, or a value set so, and keeps what an honest editor adds', async () => {
    const card = await newCard('Start.')
    const oneFrame = await given.connectEditor('Hostile Four')
    assessmentText(oneFrame.client.doc, card, 'judgment').insert(0, 'x'.repeat(200_000))
    await waitFor(() => oneFrame.closes.includes(CLOSE.updateRejected.code), 'the sender of 200,000 characters closed 4422')

    // Within twice the limit a text may go (a merge of two editors can), past it not.
    const frameAfterFrame = await given.connectEditor('Hostile Five')
    const text = assessmentText(frameAfterFrame.client.doc, card, 'judgment')
    text.insert(0, 'y'.repeat(LIMITS.longText + 10_000))
    /** The judgment's length as the room holds it, past the limit the API reads it cut to. */
    const held = () => given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').length)
    await waitFor(async () => (await held()) === LIMITS.longText + 10_006, 'the first frame taken')
    text.insert(0, 'z'.repeat(LIMITS.longText))
    await waitFor(() => frameAfterFrame.closes.includes(CLOSE.updateRejected.code), 'the frame past twice the limit closed 4422')

    // A plain value, set whole, likewise: a claim's text past twice its limit.
    const source = (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/sources`, { name: 'NATO' })).body.id
    const claim = (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/claims`, { text: 'Short.', sourceId: source })).body.id
    const setter = await given.connectEditor('Hostile Six')
    requireEntity(setter.client.doc, 'claims', claim).set('text', 'x'.repeat(2 * LIMITS.longText + 1))
    await waitFor(() => setter.closes.includes(CLOSE.updateRejected.code), 'the setter of a long claim closed 4422')
    expect((await storedBoard(given.server, given.boardId)).claims.find((c) => c.id === claim)!.text).toBe('Short.')

    // Read cut to the limit as ever; an honest edit, which only shortens it, stored.
    const { client } = await given.connectEditor('Honest Hana')
    assessmentText(client.doc, card, 'judgment').delete(0, 10_000)
    await waitFor(async () => (await held()) === LIMITS.longText + 6, 'the honest deletion taken')
    expect(await held()).toBe(LIMITS.longText + 6)
    const read = (await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body.assessments.find((a) => a.id === card)!
    expect(read.judgment).toBe('y'.repeat(LIMITS.longText))
  })

  it('stores an honest select all and paste over a judgment merged past its limit, and refuses one that keeps what it pastes over', async () => {
    const card = await newCard('Start.')
    /** The judgment as the room holds it, past the limit the API reads it cut to. */
    const held = () => given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').toString())
    // As two editors' copies merge: 25,006 characters, within twice the limit.
    const merger = await given.connectEditor('Merging Mo')
    assessmentText(merger.client.doc, card, 'judgment').insert(0, 'y'.repeat(LIMITS.longText - 15_000))
    assessmentText(merger.client.doc, card, 'judgment').insert(0, 'y'.repeat(20_000))
    await waitFor(async () => (await held())?.length === LIMITS.longText + 5_006, 'the merged judgment taken')

    // A paste of the limit that deletes one character only would make 45,005: refused.
    const hostile = await given.connectEditor('Hostile Seven')
    hostile.client.doc.transact(() => {
      const text = assessmentText(hostile.client.doc, card, 'judgment')
      text.delete(0, 1)
      text.insert(0, 'x'.repeat(LIMITS.longText))
    })
    await waitFor(() => hostile.closes.includes(CLOSE.updateRejected.code), 'the paste that keeps the merged text closed 4422')

    const { client, closes } = await given.connectEditor('Honest Hana')
    const pasted = 'z'.repeat(LIMITS.longText)
    client.doc.transact(() => {
      const text = assessmentText(client.doc, card, 'judgment')
      text.delete(0, text.length)
      text.insert(0, pasted)
    })
    await waitFor(async () => (await held()) === pasted, 'the honest paste taken')
    expect(closes).toEqual([])
    expect(await storedJudgment(card)).toBe(pasted)
  })

  it("refuses a card's tags, its order or a key no schema names set past twice their bounds, and stores honest tags", async () => {
    const card = await newCard('Tagged.')
    /** The card's fields as the room holds them, not read cut. */
    const held = (key: string) => given.server.services.rooms.withRoom(given.boardId, (room) => requireEntity(room.doc, 'assessments', card).get(key))
    const before = { tags: await held('tags'), order: await held('order') }
    // The red team's: one tag of 200,000 characters, read as one of 64 while every page held it whole; and 65 tags, past twice 32.
    const overlong: [string, string, unknown][] = [
      ['One', 'tags', ['x'.repeat(200_000)]],
      ['Many', 'tags', Array.from({ length: 65 }, (_, index) => `tag ${index}`)],
      ['Order', 'order', `a${'x'.repeat(2 * LIMITS.longText)}`],
      ['Unnamed', 'notes', { words: ['x'.repeat(2 * LIMITS.longText)] }],
    ]
    for (const [name, key, value] of overlong) {
      const setter = await given.connectEditor(`Hostile ${name}`)
      requireEntity(setter.client.doc, 'assessments', card).set(key, value)
      await waitFor(() => setter.closes.includes(CLOSE.updateRejected.code), `the setter of ${name.toLowerCase()} ${key} closed 4422`)
    }
    expect({ tags: await held('tags'), order: await held('order'), notes: await held('notes') }).toEqual({ ...before, notes: undefined })

    // An honest client's: 32 tags of 64 characters each, stored and read whole.
    const { client, closes } = await given.connectEditor('Honest Hana')
    const tags = Array.from({ length: 32 }, (_, index) => `${index}`.padEnd(64, 't'))
    requireEntity(client.doc, 'assessments', card).set('tags', tags)
    await waitFor(async () => JSON.stringify(await held('tags')) === JSON.stringify(tags), 'the honest tags taken')
    expect(closes).toEqual([])
    expect((await storedBoard(given.server, given.boardId)).assessments.find((a) => a.id === card)!.tags).toEqual(tags)
  })

  it("refuses an imported document's text past its 2 MB counted in UTF-8 bytes, and stores one at them", async () => {
    /** A new document holding `text`, as the browser's import writes it. */
    const newDocument = (client: { doc: Y.Doc }, id: string, text: string) => {
      const entry = new Y.Map<unknown>()
      for (const [key, value] of Object.entries({ id, title: 'Article', importedAt: new Date().toISOString(), text })) entry.set(key, value)
      collection(client.doc, 'documents').set(id, entry)
    }
    const heldText = (id: string) => given.server.services.rooms.withRoom(given.boardId, (room) => (collection(room.doc, 'documents').get(id) as Y.Map<unknown> | undefined)?.get('text'))
    // Three bytes a character, one in its length: under 2 MB of length, past 2 MB of bytes (counted by length, it passed at up to three times them).
    const euros = '€'.repeat(Math.floor(LIMITS.maxDocumentBytes / 3) + 1)
    expect(euros.length).toBeLessThan(LIMITS.maxDocumentBytes)
    const hostile = await given.connectEditor('Hostile Hal')
    newDocument(hostile.client, 'past', euros)
    await waitFor(() => hostile.closes.includes(CLOSE.updateRejected.code), 'the writer of a document past its bytes closed 4422')
    expect(await heldText('past')).toBeUndefined()

    // Two bytes a character, 2 MB of them exactly: an honest import's.
    const honest = 'é'.repeat(LIMITS.maxDocumentBytes / 2)
    const { client, closes } = await given.connectEditor('Honest Hana')
    newDocument(client, 'at', honest)
    await waitFor(async () => (await heldText('at')) === honest, 'the honest document taken')
    expect(closes).toEqual([])
  })

  it("refuses the board's title, marking or key question set past twice its limit, and stores an honest one", async () => {
    /** The setting as the room holds it, not read cut. */
    const held = (key: string) => given.server.services.rooms.withRoom(given.boardId, (room) => metaMap(room.doc).get(key))
    const before = { title: await held('title'), marking: await held('marking'), question: await held('question') }
    const overlong = { title: 2 * LIMITS.shortText + 1, marking: 2 * LIMITS.shortText + 1, question: 2 * LIMITS.longText + 1 }
    for (const [key, length] of Object.entries(overlong)) {
      const setter = await given.connectEditor(`Hostile ${key}`)
      metaMap(setter.client.doc).set(key, 'x'.repeat(length))
      await waitFor(() => setter.closes.includes(CLOSE.updateRejected.code), `the setter of a long ${key} closed 4422`)
    }
    expect({ title: await held('title'), marking: await held('marking'), question: await held('question') }).toEqual(before)

    // An honest client's, each at its limit, stored and read whole.
    const { client } = await given.connectEditor('Honest Hana')
    const honest = { title: 'T'.repeat(LIMITS.shortText), marking: 'M'.repeat(LIMITS.shortText), question: 'Q'.repeat(LIMITS.longText) }
    client.doc.transact(() => {
      for (const [key, value] of Object.entries(honest)) metaMap(client.doc).set(key, value)
    })
    await waitFor(async () => (await held('question')) === honest.question, 'the honest settings taken')
    const stored = await storedBoard(given.server, given.boardId)
    expect({ title: stored.title, marking: stored.marking, question: stored.question }).toEqual(honest)
  })
})
