/**
 * Items that begin below what the board's document holds of their client and
 * end past it, against the real server (server/relay/straddling-items.ts).
 * Yjs links such an item after the struct the document holds at its client's
 * last clock, whatever the item names: one continuing a collected struct made
 * Yjs throw halfway through its apply and reset the board for everyone, at
 * every frame; one continuing a card's `order` value while naming the bottom
 * line made every client read its text as the card's order, locked the
 * card's next mover out, and left a value standing that threw when the card
 * was deleted. Stock providers beside raw sockets; an honest client's run
 * sent again across its earlier update still passes.
 */
import * as Y from 'yjs'
import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText, blufText, entity } from '../shared/board-doc.ts'
import { addAssessment, deleteAssessment, moveAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { apiClient } from './helpers/api.ts'
import { craftedCollected, craftedItem, craftedRuns } from './helpers/crafted-update.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

/** The Yjs client id the hostile socket writes under. */
const ATTACKER = 424_242
/** Another client id in the attacker's frame, higher so that Yjs integrates its struct first. */
const TYPIST = ATTACKER + 1
/** An honest client id that sets a value after the attacker's. */
const SETTER = ATTACKER + 2

let server: TestServer | undefined
const clients: TestClient[] = []
const sockets: RawSocket[] = []
const docs: Y.Doc[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const socket of sockets.splice(0)) socket.terminate()
  for (const doc of docs.splice(0)) doc.destroy()
  await server?.destroy()
  server = undefined
})

/** A board with two stock providers, `a` and `c`, both synced, and its room. */
async function boardWithTwoEditors(title: string) {
  const running = (server = await startTestServer({ env: { METRICS_TOKEN } }))
  const boardId = await apiClient(running.url).createBoard(title)
  const [a, c] = [connectClient(running.wsUrl, boardId), connectClient(running.wsUrl, boardId)]
  clients.push(a, c)
  const codes = [closeCodes(a), closeCodes(c)]
  await Promise.all([a.synced(), c.synced()])
  const room = running.services.rooms.loadedRooms.get(boardId)!
  return { running, boardId, a, c, codes, room }
}

async function rawSocket(running: TestServer, boardId: string): Promise<RawSocket> {
  const socket = await openRawSocket(`${running.wsUrl}/${boardId}`)
  sockets.push(socket)
  return socket
}

/** A Yjs document of its own under `clientId`, holding what `from` holds. */
function forkOf(from: Y.Doc, clientId: number): Y.Doc {
  const doc = new Y.Doc()
  docs.push(doc)
  doc.clientID = clientId
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(from))
  return doc
}

/** The id of a text's last character, as a client typing at its end names it. */
function lastCharacter(text: Y.Text): Y.ID {
  let item = text._start
  while (item?.right) item = item.right
  if (!item) throw new Error('the text is empty')
  return item.lastId
}

/** Waits (within a deadline: a socket whose frame was accepted stays open) for the socket to be closed as one whose update is refused. */
async function closedAsRefused(socket: RawSocket): Promise<void> {
  await waitFor(() => socket.isClosed(), 'the sender to be closed')
  expect((await socket.closed).code).toBe(CLOSE.updateRejected.code)
}

/** Nobody honest was closed, the board was never reset, and what is stored reads as the room does. */
async function boardUnharmed(running: TestServer, boardId: string, room: { doc: Y.Doc; whenSaved(): Promise<void> }, codes: number[][]): Promise<void> {
  expect(running.services.rooms.loadedRooms.get(boardId), 'the same room, not one loaded afresh').toBe(room)
  expect(codes.flat(), 'close codes met by the stock providers').toEqual([])
  expect(sample(await metricsText(running), 'assay_board_resets_total')).toBe(0)
  await room.whenSaved()
  expect(await storedBoard(running, boardId)).toEqual(boardToModel(room.doc, boardId))
}

it('an item continuing a collected struct of its own closes only its sender with nothing of its frame applied, at every try: the board is not reset, and edits flow', async () => {
  const { running, boardId, a, c, codes, room } = await boardWithTwoEditors('Continues a collected struct')
  const cardId = addAssessment(a.doc, { title: 'Title' })
  await waitFor(() => assessmentText(c.doc, cardId, 'title').toString() === 'Title', 'the card at c')
  const attacker = await rawSocket(running, boardId)
  attacker.send(frames.update(craftedCollected({ client: ATTACKER, clock: 0 }, 1)))
  await waitFor(() => Y.getState(room.doc.store, ATTACKER) === 1, 'the collected struct to be held')

  // A character at the end of the title, which Yjs integrated first, then the attacker's clock 0 again with one more: Yjs linked it after the collected struct and threw.
  const titleEnd = lastCharacter(assessmentText(a.doc, cardId, 'title'))
  const frame = (typist: number) =>
    craftedRuns([
      { first: { client: typist, clock: 0 }, items: [{ place: { after: titleEnd }, content: { string: '!' } }] },
      { first: { client: ATTACKER, clock: 0 }, items: [{ place: { root: 'bluf' }, content: { string: 'xy' } }] },
    ])
  attacker.send(frames.update(frame(TYPIST)))
  await closedAsRefused(attacker)
  // The collected struct is stored: before, any new socket reset the board again with the second frame alone.
  const again = await rawSocket(running, boardId)
  again.send(frames.update(frame(TYPIST + 10)))
  await closedAsRefused(again)
  expect(assessmentText(room.doc, cardId, 'title').toString(), 'the typist’s character, not applied').toBe('Title')
  expect(blufText(room.doc).toString()).toBe('')

  assessmentText(c.doc, cardId, 'title').insert(5, ' typed after')
  await waitFor(() => assessmentText(a.doc, cardId, 'title').toString() === 'Title typed after', 'an edit after it at a')
  await boardUnharmed(running, boardId, room, codes)
})

/** Two cards, and the attacker's move of the first after the second, which makes its clock `moved` the first card's `order` value. */
async function cardMovedByAttacker(title: string) {
  const board = await boardWithTwoEditors(title)
  const { running, boardId, a, c, room } = board
  const first = addAssessment(a.doc, { title: 'First' })
  const second = addAssessment(a.doc, { title: 'Second' })
  await waitFor(() => entity(c.doc, 'assessments', second) !== undefined, 'both cards at c')
  const attacker = await rawSocket(running, boardId)
  const attackerDoc = forkOf(a.doc, ATTACKER)
  attackerDoc.on('update', (update: Uint8Array) => attacker.send(frames.update(update)))
  moveAssessment(attackerDoc, first, second)
  const moved = Y.createID(ATTACKER, Y.getState(attackerDoc.store, ATTACKER) - 1)
  const order = () => entity(attackerDoc, 'assessments', first)!.get('order')
  await waitFor(() => entity(c.doc, 'assessments', first)!.get('order') === order() && Y.getState(room.doc.store, ATTACKER) === moved.clock + 1, 'the move at c and in the room')
  return { ...board, first, attacker, moved }
}

it('an item continuing a card’s order value while naming the bottom line closes only its sender: the order reads the same everywhere, and the next move of the card flows', async () => {
  const { running, boardId, a, c, codes, room, first, attacker, moved } = await cardMovedByAttacker('Continues an order value')
  attacker.send(frames.update(craftedItem(moved, { root: 'bluf' }, { string: 'xyz' })))
  await closedAsRefused(attacker)
  expect(blufText(room.doc).toString()).toBe('')

  moveAssessment(a.doc, first, null)
  const movedTo = entity(a.doc, 'assessments', first)!.get('order')
  await waitFor(() => entity(c.doc, 'assessments', first)!.get('order') === movedTo, 'the honest move at c')
  expect(entity(room.doc, 'assessments', first)!.get('order')).toBe(movedTo)
  await boardUnharmed(running, boardId, room, codes)
})

it('an item continuing a card’s order value, refused, leaves no value standing: another value set after it and the card’s deletion flow, and the board is not reset', async () => {
  const { running, boardId, a, c, codes, room, first, attacker, moved } = await cardMovedByAttacker('Continues an order value, then deleted')
  attacker.send(frames.update(craftedItem(moved, { root: 'bluf' }, { string: 'xy' })))
  await closedAsRefused(attacker)

  const setter = await rawSocket(running, boardId)
  setter.send(frames.update(craftedItem({ client: SETTER, clock: 0 }, { after: moved }, { any: 'a1' })))
  await waitFor(() => entity(c.doc, 'assessments', first)!.get('order') === 'a1', 'the value set after it at c')
  deleteAssessment(a.doc, first)
  await waitFor(() => entity(c.doc, 'assessments', first) === undefined && entity(room.doc, 'assessments', first) === undefined, 'the card’s deletion at c and in the room')
  expect(setter.isClosed()).toBe(false)
  await boardUnharmed(running, boardId, room, codes)
})

it('an item continuing a card’s order value after a character not yet sent is held, and checked again once the character comes: its sender is closed, and the order stays', async () => {
  const { running, boardId, c, codes, room, first, attacker, moved } = await cardMovedByAttacker('Continues an order value, held')
  const order = entity(room.doc, 'assessments', first)!.get('order')
  // After a character of another client the board lacks: where it lands cannot be told, and Yjs holds it until the character comes, in the next frame.
  attacker.send(frames.update(craftedItem(moved, { after: Y.createID(SETTER, 0) }, { string: 'xy' })))
  attacker.send(frames.update(craftedItem({ client: SETTER, clock: 0 }, { root: 'bluf' }, { string: 'q' })))
  await closedAsRefused(attacker)
  await waitFor(() => blufText(c.doc).toString() === 'q', 'the character at c')
  expect(entity(room.doc, 'assessments', first)!.get('order')).toBe(order)
  expect(entity(c.doc, 'assessments', first)!.get('order')).toBe(order)
  await boardUnharmed(running, boardId, room, codes)
})

it('an honest client’s run sent again across the update it sent before passes, where its card was kept and where it was deleted meanwhile', async () => {
  const { running, boardId, a, c, codes, room } = await boardWithTwoEditors('Run sent again')
  const kept = addAssessment(a.doc, { title: 'Kept' })
  const deleted = addAssessment(a.doc, { title: 'Deleted' })
  await waitFor(() => entity(c.doc, 'assessments', deleted) !== undefined, 'both cards at c')
  const honest = await rawSocket(running, boardId)
  const honestDoc = forkOf(a.doc, ATTACKER)
  const sendSince = (before: Uint8Array) => honest.send(frames.update(Y.encodeStateAsUpdate(honestDoc, before)))

  // Two keystrokes, the first sent as typed and held by the room; the client's document merges them, and its answer to a sync step 1 from before both writes them as one struct from the first one's clock (a provider whose update crossed the room's step 1).
  const typedTwice = async (cardId: string, field: 'title' | 'judgment'): Promise<Uint8Array> => {
    const before = Y.encodeStateVector(honestDoc)
    const text = assessmentText(honestDoc, cardId, field)
    text.insert(text.length, 'a')
    sendSince(before)
    await waitFor(() => assessmentText(room.doc, cardId, field).toString().endsWith('a'), 'the first keystroke in the room')
    text.insert(text.length, 'b')
    const resent = Y.encodeStateAsUpdate(honestDoc, before)
    const [struct, ...rest] = Y.decodeUpdate(resent).structs
    expect({ clock: struct!.id.clock, length: struct!.length, rest: rest.length }, 'one struct straddling what the room holds').toEqual({ clock: Y.getState(room.doc.store, ATTACKER) - 1, length: 2, rest: 0 })
    return resent
  }
  honest.send(frames.update(await typedTwice(kept, 'title')))
  await waitFor(() => assessmentText(c.doc, kept, 'title').toString() === 'Keptab', 'both keystrokes at c')

  // The second card deleted by another editor once the first keystroke of its empty judgment is in: the room collects it with the judgment, and the run sent again, which names the judgment as its parent, lands nowhere.
  const resentIntoDeleted = await typedTwice(deleted, 'judgment')
  deleteAssessment(c.doc, deleted)
  const lastHeld = () => Y.getItem(room.doc.store, Y.createID(ATTACKER, Y.getState(room.doc.store, ATTACKER) - 1))
  await waitFor(() => lastHeld() instanceof Y.GC, 'the room to collect the first keystroke')
  honest.send(frames.update(resentIntoDeleted))

  const before = Y.encodeStateVector(honestDoc)
  assessmentText(honestDoc, kept, 'title').insert(6, '!')
  sendSince(before)
  await waitFor(() => assessmentText(c.doc, kept, 'title').toString() === 'Keptab!', 'a later keystroke from the same socket at c')
  expect(honest.isClosed()).toBe(false)
  expect(entity(a.doc, 'assessments', deleted)).toBeUndefined()
  await boardUnharmed(running, boardId, room, codes)
})
