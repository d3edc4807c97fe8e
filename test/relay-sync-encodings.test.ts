/**
 * Sync replies of their own against the real server. A step 1 whose state
 * vector the room keeps no reply for costs the relay an encoding of most of
 * the board: a reviewer reconnecting with a new vector on each socket (the
 * join's reply counts against no bytes a second) held the relay's thread 96
 * to 100% busy. Each person may have the board's bytes encoded for them only
 * so fast; past that their reply is the whole state kept encoded, which any
 * client applies, whatever it holds. Stock providers reconnecting with
 * offline edits converge either way. The instance has only so many encodings
 * a second for everyone beside (ENCODED_BYTES_PER_SECOND): five to seven
 * reviewer accounts, each within their own, held an editor’s keystrokes up to 2 s.
 */
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { MESSAGE_SYNC } from '../shared/protocol.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

/**
 * A person's encodings refill at 1 KiB a second: one encoding of the test's
 * board of some 20 KB, and the next only some 20 s later, far longer than a
 * test takes.
 */
const SMALL_ALLOWANCE = { WS_MAX_BYTES_PER_SECOND: '1024' }
const SOCKETS = 12

const servers: TestServer[] = []
const clients: TestClient[] = []
const sockets: RawSocket[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const socket of sockets.splice(0)) socket.terminate()
  for (const server of servers.splice(0)) await server.destroy()
})

type Board = { server: TestServer; boardId: string; editor: TestClient; editorToken: string; reviewerToken: string }

/**
 * The instance's encodings refill at 1 KiB a second, each person's at 1 MiB
 * (the default): as SMALL_ALLOWANCE, for all of them together.
 */
const SMALL_INSTANCE_ALLOWANCE = { ENCODED_BYTES_PER_SECOND: '1024' }
const REVIEWERS = 4

/** A board of some 20 KB that an editor typed, with a reviewer on it (and `reviewers - 1` more, whose tokens follow). */
async function boardWithReviewer(env: Record<string, string> = SMALL_ALLOWANCE, reviewers = 1): Promise<Board & { moreReviewerTokens: string[] }> {
  const server = await startTestServer({ accounts: true, env })
  servers.push(server)
  const [owner, reviewer] = [await addAccount(server, { name: 'Owner' }), await addAccount(server, { name: 'Rita Reviewer' })]
  const editorToken = (await addToken(server, owner)).token
  const boardId = await apiClient(server.url, { authorization: `Bearer ${editorToken}` }).createBoard('Encodings')
  await addMember(server, boardId, reviewer, 'reviewer')
  const editor = connect(server, boardId, editorToken)
  await editor.synced()
  editor.doc.transact(() => {
    for (let i = 0; i < 20; i++) assessmentText(editor.doc, addAssessment(editor.doc, { title: `Judged ${i}` }), 'judgment').insert(0, 'word '.repeat(200))
  })
  const room = server.services.rooms.loadedRooms.get(boardId)!
  await waitFor(() => boardToModel(room.doc, boardId).assessments.length === 20, 'the board at the server')
  await room.whenSaved()
  const moreReviewerTokens: string[] = []
  for (let i = 1; i < reviewers; i++) {
    const more = await addAccount(server, { name: `Reviewer ${i}` })
    await addMember(server, boardId, more, 'reviewer')
    moreReviewerTokens.push((await addToken(server, more)).token)
  }
  return { server, boardId, editor, editorToken, reviewerToken: (await addToken(server, reviewer)).token, moreReviewerTokens }
}

function connect(server: TestServer, boardId: string, token: string): TestClient {
  const client = connectClient(server.wsUrl, boardId, { token })
  clients.push(client)
  return client
}

/**
 * The sync reply to a socket's first step 1 of `stateVector`: the updates and
 * the step 2 it is sent, joined. The socket is left open until the reply has
 * come, so a close by the server fails the wait.
 */
async function joinReply({ server, boardId }: Board, token: string, stateVector: Uint8Array): Promise<Uint8Array> {
  const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${token}`)
  sockets.push(socket)
  socket.send(frames.syncStep1(stateVector))
  const isReply = (frame: Uint8Array) => frame[0] === MESSAGE_SYNC && frame[1] !== 0
  const isStep2 = (frame: Uint8Array) => frame[0] === MESSAGE_SYNC && frame[1] === 1
  await waitFor(() => socket.received.some(isStep2) || socket.isClosed(), 'the sync reply')
  expect(socket.isClosed()).toBe(false)
  socket.terminate()
  return Buffer.concat(socket.received.filter(isReply))
}

/** A state vector the room keeps no reply for: one of the board's clients at a clock short of its own, new for each `index`. */
function unseenStateVector(doc: Y.Doc, index: number): Uint8Array {
  const [client, clock] = [...doc.store.clients.keys()].map((id) => [id, Y.getState(doc.store, id)] as const).sort((a, b) => b[1] - a[1])[0]!
  return Y.encodeStateVector(new Map([[client, 1 + ((index * 97) % (clock - 2))]]))
}

it('a reviewer reconnecting with a new state vector on each socket has one reply encoded for them, then the whole state kept encoded, while an editor syncs on', async () => {
  const board = await boardWithReviewer()
  const { server, boardId, editor, reviewerToken } = board
  const editorCloses = closeCodes(editor)
  const wholeState = await joinReply(board, reviewerToken, new Uint8Array([0]))

  const replies: Uint8Array[] = []
  for (let i = 0; i < SOCKETS; i++) replies.push(await joinReply(board, reviewerToken, unseenStateVector(editor.doc, i)))
  const encodedForThem = replies.filter((reply) => !Buffer.from(reply).equals(wholeState)).length
  // Each encoding is charged the whole state's bytes before it is made: the first, and none until they have refilled.
  expect(wholeState.byteLength).toBeGreaterThan(16 * 1024)
  expect(encodedForThem).toBe(1)
  expect(replies.slice(1).every((reply) => Buffer.from(reply).equals(wholeState))).toBe(true)

  addAssessment(editor.doc, { title: 'Typed after the flood' })
  const joiner = connect(server, boardId, board.editorToken)
  await waitFor(() => boardToModel(joiner.doc, boardId).assessments.some((a) => a.title === 'Typed after the flood'), 'the edit at a joiner')
  expect(editorCloses).toEqual([])
  expect(editor.provider.wsconnected).toBe(true)
})

it('reviewer accounts each reconnecting with a new state vector have one reply encoded among them all, past the instance’s encodings the whole state kept encoded, whatever their own', async () => {
  const board = await boardWithReviewer(SMALL_INSTANCE_ALLOWANCE, REVIEWERS)
  const wholeState = await joinReply(board, board.reviewerToken, new Uint8Array([0]))
  const tokens = [board.reviewerToken, ...board.moreReviewerTokens]
  const replies: Uint8Array[] = []
  for (let round = 0; round < 2; round++) for (const [i, token] of tokens.entries()) replies.push(await joinReply(board, token, unseenStateVector(board.editor.doc, round * REVIEWERS + i)))
  // Each person could have the board encoded for them fifty times a second; the instance, for all of them, once.
  expect(replies.filter((reply) => !Buffer.from(reply).equals(wholeState)).length).toBe(1)

  // An editor's stock provider reconnecting with offline edits converges on the whole state all the same.
  const other = connect(board.server, board.boardId, board.editorToken)
  await other.synced()
  board.editor.provider.disconnect()
  addAssessment(board.editor.doc, { title: 'Written offline' })
  board.editor.provider.connect()
  await waitFor(() => boardToModel(other.doc, board.boardId).assessments.some((a) => a.title === 'Written offline'), 'the offline edit at another editor')
})

it('pages a few items behind are charged the share of the board they lack: several are encoded for within what one far behind would spend', async () => {
  // Four seconds' worth of 1 KiB at once.
  const board = await boardWithReviewer({ ENCODED_BYTES_PER_SECOND: '2048' }, REVIEWERS)
  const wholeState = await joinReply(board, board.reviewerToken, new Uint8Array([0]))
  const tokens = [board.reviewerToken, ...board.moreReviewerTokens]
  const doc = board.editor.doc
  const [client, clock] = [...doc.store.clients.keys()].map((id) => [id, Y.getState(doc.store, id)] as const).sort((a, b) => b[1] - a[1])[0]!
  const behind = (items: number) => Y.encodeStateVector(new Map([...doc.store.clients.keys()].map((id) => [id, id === client ? clock - items : Y.getState(doc.store, id)])))
  // Each charged the fixed part of an encoding, a twentieth of the board (some 1 KB); one far behind would be charged all of its 20 KB.
  const replies = [await joinReply(board, tokens[0]!, behind(1)), await joinReply(board, tokens[1]!, behind(2))]
  expect(replies.map((reply) => Buffer.from(reply).equals(wholeState))).toEqual([false, false])
})

it('later step 1s on one socket are charged before they are encoded too: past their person’s encodings each is answered with the whole state kept encoded', async () => {
  const board = await boardWithReviewer()
  const wholeState = await joinReply(board, board.reviewerToken, new Uint8Array([0]))
  const socket = await openRawSocket(`${board.server.wsUrl}/${board.boardId}?token=${board.reviewerToken}`)
  sockets.push(socket)
  socket.send(frames.syncStep1(new Uint8Array([0])))
  const step2s = () => socket.received.filter((frame) => frame[0] === MESSAGE_SYNC && frame[1] === 1).length
  await waitFor(() => step2s() === 1, 'the join’s reply')
  const asked = 3
  // Answered one a second each (the latest waiting), so each is sent once the last has been answered.
  for (let i = 0; i < asked; i++) {
    socket.received.length = 0
    socket.send(frames.syncStep1(unseenStateVector(board.editor.doc, i)))
    await waitFor(() => step2s() === 1 || socket.isClosed(), `reply ${i + 1}`)
    const reply = Buffer.concat(socket.received.filter((frame) => frame[0] === MESSAGE_SYNC && frame[1] !== 0))
    expect(reply.equals(wholeState)).toBe(i > 0)
  }
  expect(socket.isClosed()).toBe(false)
})

it.each([
  ['with a reply encoded for it', false],
  ['with the whole state kept encoded as its reply, its person past their encodings', true],
])('a stock provider reconnecting with offline edits while the board changed converges: %s', async (_, pastEncodings) => {
  const board = await boardWithReviewer()
  const { server, boardId, editor, editorToken } = board
  const other = connect(server, boardId, editorToken)
  await other.synced()
  if (pastEncodings) for (let i = 0; i < SOCKETS; i++) await joinReply(board, editorToken, unseenStateVector(editor.doc, i))

  editor.provider.disconnect()
  addAssessment(editor.doc, { title: 'Written offline' })
  assessmentText(editor.doc, boardToModel(editor.doc, boardId).assessments[0]!.id, 'judgment').insert(0, 'Offline words. ')
  addAssessment(other.doc, { title: 'Written meanwhile' })
  const room = server.services.rooms.loadedRooms.get(boardId)!
  await waitFor(() => boardToModel(room.doc, boardId).assessments.some((a) => a.title === 'Written meanwhile'), 'the other edit at the server')
  await room.whenSaved()

  editor.provider.connect()
  const same = () =>
    Buffer.from(Y.encodeStateVector(editor.doc)).equals(Buffer.from(Y.encodeStateVector(other.doc))) &&
    JSON.stringify(boardToModel(editor.doc, boardId)) === JSON.stringify(boardToModel(other.doc, boardId))
  await waitFor(() => editor.provider.synced && same(), 'the two providers to converge')
  const titles = boardToModel(other.doc, boardId).assessments.map((a) => a.title)
  expect(titles).toEqual(expect.arrayContaining(['Written offline', 'Written meanwhile']))
  expect(boardToModel(other.doc, boardId).assessments.some((a) => a.judgment.startsWith('Offline words. '))).toBe(true)
})

it('a step 1 holding the whole board is charged too, once a change: the reply kept is everyone’s until the board changes, past their encodings the whole state kept encoded', async () => {
  const board = await boardWithReviewer()
  const room = board.server.services.rooms.loadedRooms.get(board.boardId)!
  const judged = async (texts: string[]) => {
    const count = boardToModel(room.doc, board.boardId).assessments.length
    board.editor.doc.transact(() => {
      for (const text of texts) assessmentText(board.editor.doc, addAssessment(board.editor.doc, { title: 'More' }), 'judgment').insert(0, text)
    })
    await waitFor(() => boardToModel(room.doc, board.boardId).assessments.length === count + texts.length, 'the change at the server')
  }
  // Some 120 KB in all: an encoding's fixed part, a twentieth of the board, is more than the person's allowance holds, so one leaves them seconds in debt.
  await judged(Array.from({ length: 10 }, () => 'evidence '.repeat(1_100)))
  const holdingAll = () => joinReply(board, board.reviewerToken, Y.encodeStateVector(room.doc))
  const fresh = () => joinReply(board, board.reviewerToken, new Uint8Array([0]))
  const first = await holdingAll()
  expect(first.byteLength).toBeLessThan((await fresh()).byteLength / 10)
  // Between changes every client holding the whole board is sent the reply kept: no encoding, nothing charged.
  expect(await holdingAll()).toEqual(first)
  // After a change its reply would be encoded anew: the person is past their encodings, and is sent the whole state.
  await judged(['word'])
  expect(await holdingAll()).toEqual(await fresh())
})
