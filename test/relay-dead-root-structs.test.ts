/**
 * Deleted items of root types, which nothing frees (dead-root-structs.ts):
 * an editor's characters typed backwards into the bottom line and deleted, or
 * settings overwritten again and again, left an empty board full for good,
 * its owner refused every change after any deletion, restore or reload (red
 * team 39a). Now the size limit leaves them out, and each one costs its
 * maker 1 KiB of their hour. Against the real server, SQLite, stock clients.
 */
import * as Y from 'yjs'
import { afterEach, expect, it } from 'vitest'
import { blufText, metaMap } from '../shared/board-doc.ts'
import { BYTES_PER_LOADED_STRUCT, structsHeld } from '../server/relay/load-cost.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { storedBoard, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const servers: TestServer[] = []
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const server of servers.splice(0)) await server.destroy()
})

/** The least a board may hold; the red team's 2,500 dead structs count for 80 KB past it. */
const LIMIT = 65_536
const DEAD = 2_500
const CHUNK = 500

type Board = { server: TestServer; boardId: string; asOwner: ReturnType<typeof apiClient>; page: (name: string) => Promise<{ client: TestClient; api: ReturnType<typeof apiClient> }> }

/** An owner's board, and editors of it, each with a synced stock page. */
async function board(env: Record<string, string>): Promise<Board> {
  const server = await startTestServer({ accounts: true, env, boardFullRecheckMs: 100 })
  servers.push(server)
  const owner = await addAccount(server, { name: 'Owner' })
  const asOwner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  const boardId = await asOwner.createBoard('Targeted')
  const page = async (name: string) => {
    const person = await addAccount(server, { name })
    await addMember(server, boardId, person, 'editor')
    const token = (await addToken(server, person)).token
    const client = connectClient(server.wsUrl, boardId, { token })
    clients.push(client)
    await client.synced()
    return { client, api: apiClient(server.url, { authorization: `Bearer ${token}` }) }
  }
  return { server, boardId, asOwner, page }
}

/** The room's document once `done` holds of it: the relay took the change. */
function whenTaken(target: Board, done: (doc: Y.Doc) => boolean, what: string): Promise<Y.Doc> {
  return waitFor(() => {
    const doc = target.server.services.rooms.loadedRooms.get(target.boardId)?.doc
    return doc && done(doc) ? doc : undefined
  }, what)
}

const attacks: [string, (doc: Y.Doc, round: number) => void, (doc: Y.Doc, round: number) => boolean][] = [
  [
    'characters typed backwards into the bottom line, then deleted',
    (doc) => {
      const bluf = blufText(doc)
      doc.transact(() => {
        for (let i = 0; i < CHUNK; i++) bluf.insert(0, 'x')
      })
      doc.transact(() => bluf.delete(0, bluf.length))
    },
    // Each round's deletion taken: as many structs held as rounds wrote.
    (doc, round) => blufText(doc).length === 0 && structsHeld(doc) >= (round + 1) * CHUNK,
  ],
  [
    'the title and the question set in turn',
    (doc, round) => {
      const meta = metaMap(doc)
      doc.transact(() => {
        for (let i = round * CHUNK; i < (round + 1) * CHUNK; i++) meta.set(i % 2 ? 'question' : 'title', `v${i}`)
      })
    },
    (doc, round) => metaMap(doc).get('question') === `v${(round + 1) * CHUNK - 1}`,
  ],
]

it.each(attacks)('%s leave a board its owner can still change, loaded again after the editor left', async (_name, write, taken) => {
  const target = await board({ BOARD_MAX_BYTES: String(LIMIT), ROOM_IDLE_MS: '0' })
  const { client } = await target.page('Mallory')
  for (let round = 0; round < DEAD / CHUNK; round++) {
    write(client.doc, round)
    await whenTaken(target, (doc) => taken(doc, round), `round ${round} to be taken`)
  }
  const room = () => target.server.services.rooms.loadedRooms.get(target.boardId)
  await room()!.whenSaved()
  expect(room()!.full).toBeNull()
  client.destroy()
  await waitFor(() => !target.server.services.rooms.loadedRooms.has(target.boardId), 'the board to unload')

  // Loaded again by the owner's change: the dead structs alone count for more than the board may hold.
  const changed = await target.asOwner.patch(`/api/boards/${target.boardId}`, { question: 'After the attack' })
  expect(changed.status).toBe(200)
  expect((await storedBoard(target.server, target.boardId)).question).toBe('After the attack')
  expect(await withStoredDoc(target.server, target.boardId, (doc) => structsHeld(doc) * BYTES_PER_LOADED_STRUCT)).toBeGreaterThan(LIMIT)
})

it('each deleted item left in a root type costs its maker 1 KiB of the hour, a run of backspaces one: the backwards typist is refused, the honest one is not', async () => {
  // The least an hour may be: 100 dead structs at 1 KiB pass it, at the 48 bytes of any struct they came nowhere near.
  const target = await board({ WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(65_536) })
  const honest = await target.page('Ana')
  const bluf = blufText(honest.client.doc)
  bluf.insert(0, 'The bottom line, typed forwards. '.repeat(15))
  for (let backspace = 0; backspace < 100; backspace++) bluf.delete(bluf.length - 1, 1)
  await whenTaken(target, (doc) => blufText(doc).length === bluf.length, 'the backspaces to be taken')
  const fits = await honest.api.post(`/api/boards/${target.boardId}/assessments`, { title: 'Still writable' })
  expect(fits.status).toBe(201)

  const mallory = await target.page('Mallory')
  const theirs = blufText(mallory.client.doc)
  mallory.client.doc.transact(() => {
    for (let i = 0; i < 100; i++) theirs.insert(0, 'x')
  })
  mallory.client.doc.transact(() => theirs.delete(0, 100))
  // All 100 characters taken, and the bottom line as long as before them: their deletion taken too.
  await whenTaken(target, (doc) => Y.getState(doc.store, mallory.client.doc.clientID) === 100 && blufText(doc).length === bluf.length, 'the backwards characters’ deletion to be taken')
  await target.server.services.rooms.loadedRooms.get(target.boardId)!.whenSaved()
  const refused = await mallory.api.post<{ error: { code: string } }>(`/api/boards/${target.boardId}/assessments`, { title: 'One more' })
  expect([refused.status, refused.body.error?.code]).toEqual([429, 'written_too_much'])
})
