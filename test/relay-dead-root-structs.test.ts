/**
 * Deleted items of root types, which nothing frees (dead-root-structs.ts):
 * an editor's characters typed backwards into the bottom line and deleted, or
 * settings overwritten again and again, left an empty board full for good,
 * its owner refused every change after any deletion, restore or reload (red
 * team 39a). Now the size limit leaves them out, and each struct of a root
 * type costs its maker 1 KiB of their hour as it is made; charged to whoever
 * deleted it, a colleague clearing an editor's bottom line typed backwards
 * could write on no board for an hour and a half (red team 40a). Against the
 * real server, SQLite, stock clients.
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
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

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

it('each struct of a root type costs its maker 1 KiB of the hour, a run of backspaces one: the backwards typist is refused, the honest one is not', async () => {
  // The least an hour may be: 100 root structs at 1 KiB pass it, at the 48 bytes of any struct they came nowhere near.
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
  await whenTaken(target, (doc) => Y.getState(doc.store, mallory.client.doc.clientID) === 100, 'the backwards characters to be taken')
  const refused = await mallory.api.post<{ error: { code: string } }>(`/api/boards/${target.boardId}/assessments`, { title: 'One more' })
  expect([refused.status, refused.body.error?.code]).toEqual([429, 'written_too_much'])
})

/** An hour of 1 MiB: some 980 root structs at 1 KiB each and 48 bytes, some 21,800 at 48 bytes alone. */
const SMALL_HOUR = { WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(1024 * 1024) }

/** The room's bottom line once it reads `text`, or `codes` (closeCodes) once `client` was closed: whichever comes first. */
async function takenOrClosed(target: Board, codes: number[], text: string, what: string): Promise<string> {
  return waitFor(() => {
    const doc = target.server.services.rooms.loadedRooms.get(target.boardId)?.doc
    if (codes.length > 0) return `closed ${codes.join(',')}`
    return doc && blufText(doc).toString() === text ? text : undefined
  }, what)
}

const clearings: [string, (page: Awaited<ReturnType<Board['page']>>, boardId: string) => Promise<void>][] = [
  [
    'in her page',
    async (page) => {
      const bluf = blufText(page.client.doc)
      bluf.delete(0, bluf.length)
    },
  ],
  [
    'over HTTP',
    async (page, boardId) => {
      expect((await page.api.patch(`/api/boards/${boardId}`, { bluf: '' })).status).toBe(200)
    },
  ],
]

it.each(clearings)('a colleague who clears an editor’s 2,000 characters typed backwards into the bottom line %s can still type and change the board', async (_how, clear) => {
  const target = await board(SMALL_HOUR)
  const mallory = await target.page('Mallory')
  const theirs = blufText(mallory.client.doc)
  // One change, taken while their hour lasts: 2,000 root structs, some 2 MB of it, the rest owed.
  mallory.client.doc.transact(() => {
    for (let i = 0; i < 2_000; i++) theirs.insert(0, 'abcdefghij'[i % 10]!)
  })
  await whenTaken(target, (doc) => blufText(doc).length === 2_000, 'the backwards characters to be taken')

  const ana = await target.page('Ana')
  const codes = closeCodes(ana.client)
  await clear(ana, target.boardId)
  await whenTaken(target, (doc) => blufText(doc).length === 0, 'the bottom line to be cleared')
  blufText(ana.client.doc).insert(0, 'Summary.')
  expect(await takenOrClosed(target, codes, 'Summary.', 'her bottom line to be taken, or her page closed')).toBe('Summary.')
  const renamed = await ana.api.patch(`/api/boards/${target.boardId}`, { title: 'Renamed by a colleague' })
  expect(renamed.status).toBe(200)
})

it('an editor typing backwards into the bottom line meets their hour at some 1,000 characters', async () => {
  const target = await board(SMALL_HOUR)
  const mallory = await target.page('Mallory')
  const codes = closeCodes(mallory.client)
  const theirs = blufText(mallory.client.doc)
  let typed = ''
  while (codes.length === 0 && typed.length < 3_000) {
    mallory.client.doc.transact(() => {
      for (let i = 0; i < 100; i++) theirs.insert(0, 'x')
    })
    typed = theirs.toString()
    await takenOrClosed(target, codes, typed, 'their characters to be taken, or their page closed')
  }
  expect(codes[0]).toBe(4429)
  const taken = blufText(target.server.services.rooms.loadedRooms.get(target.boardId)!.doc).length
  // 1 MiB at 1,072 bytes a character is 978; the change that passed it is taken whole.
  expect(taken).toBeGreaterThanOrEqual(900)
  expect(taken).toBeLessThanOrEqual(1_100)
})

it('an editor typing the bottom line forwards, a keystroke a change, pays for one root struct, not one a keystroke', async () => {
  // Frames as fast as the test sends them: the hour is what is measured.
  const target = await board({ ...SMALL_HOUR, WS_MAX_MESSAGES_PER_SECOND: '1000000' })
  const ana = await target.page('Ana')
  const codes = closeCodes(ana.client)
  const bluf = blufText(ana.client.doc)
  // 1,200 keystrokes: at 1 KiB each, more than the hour.
  const sentence = 'The adversary is unlikely to act before the spring thaw. '
  for (let burst = 0; burst < 12; burst++) {
    for (let keystroke = 0; keystroke < 100; keystroke++) bluf.insert(bluf.length, sentence[(burst * 100 + keystroke) % sentence.length]!)
    expect(await takenOrClosed(target, codes, bluf.toString(), 'her keystrokes to be taken, or her page closed')).toBe(bluf.toString())
  }
  const added = await ana.api.post(`/api/boards/${target.boardId}/assessments`, { title: 'Still writable' })
  expect(added.status).toBe(201)
})
