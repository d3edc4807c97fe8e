/**
 * An editor writing under a member's client id while the member's page is
 * offline with edits of her own: Yjs keeps whichever of two structs under one
 * id and clock the relay stored first, so the editor's text took the place of
 * hers, dropped wherever the relay sent it, her page diverged for good. The
 * relay refused it only while its room remembered who wrote the id: an
 * update under 4,097 fresh ids pushed her out of a room-wide list, and an
 * idle unload or a restart forgot the list. Who wrote each id is now stored
 * with the update that first wrote under it and loaded with the room: the
 * forging update is refused, and her offline text reaches the board when she
 * comes back.
 */
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { NEW_CLIENTS_PER_HOUR, NEW_CLIENTS_PER_UPDATE } from '../server/relay/client-writers.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

/** Fresh client ids in the red team's eviction frame: one past what a room remembered. */
const EVICTING_IDS = 4097
const OFFLINE_TEXT = ' (checked offline)'
/** Loads of one page offline, each typing under its own client id: more than the 16 the relay once took in one update. */
const OFFLINE_LOADS = 20
const FORGED_TEXT = ' FORGED UNDER HER ID'

let server: TestServer | undefined
const clients: TestClient[] = []
const sockets: RawSocket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate()
  for (const client of clients.splice(0)) client.destroy()
  await server?.destroy()
  server = undefined
})

/**
 * A board with an owner (the victim) and an editor (the attacker); the
 * victim's page, real WebsocketProvider, has written an assessment, stored,
 * then gone offline and typed more into its title under its own client id.
 */
async function victimOffline(running: TestServer) {
  const [victim, attacker] = [await addAccount(running, { name: 'Vera' }), await addAccount(running, { name: 'Mallory' })]
  const victimToken = (await addToken(running, victim)).token
  const boardId = await apiClient(running.url, { authorization: `Bearer ${victimToken}` }).createBoard('Whose id')
  await addMember(running, boardId, attacker, 'editor')
  const attackerToken = (await addToken(running, attacker)).token
  const page = connectClient(running.wsUrl, boardId, { token: victimToken })
  clients.push(page)
  await page.synced()
  const assessmentId = addAssessment(page.doc, { title: 'Will the bridge hold?' })
  await waitFor(async () => (await storedBoard(running, boardId)).assessments[0]?.title === 'Will the bridge hold?', 'the victim’s assessment stored')
  page.provider.disconnect()
  const title = assessmentText(page.doc, assessmentId, 'title')
  title.insert(title.length, OFFLINE_TEXT)
  return { boardId, assessmentId, page, attackerToken }
}

/** Sends `update` over a fresh socket of the attacker's; how the relay closed it. */
async function sendAs(running: TestServer, boardId: string, token: string, update: Uint8Array) {
  const socket = await openRawSocket(`${running.wsUrl}/${boardId}?token=${token}`)
  sockets.push(socket)
  socket.send(frames.update(update))
  await waitFor(() => socket.isClosed(), 'the attacker’s socket to be closed')
  return socket.closed
}

/** The victim's next clock under her own client id, written by the attacker from the board as stored before she went offline. */
function forgedUnderVictim(page: TestClient, assessmentId: string, stored: Uint8Array): Uint8Array {
  return forgedUpdate(stored, page.doc.clientID, (doc) => {
    const title = assessmentText(doc, assessmentId, 'title')
    title.insert(title.length, FORGED_TEXT)
  })
}

/** The board as the server holds it, encoded, as the attacker's page gets it. */
async function storedState(running: TestServer, boardId: string, token: string): Promise<Uint8Array> {
  const watcher = connectClient(running.wsUrl, boardId, { token })
  clients.push(watcher)
  await watcher.synced()
  return Y.encodeStateAsUpdate(watcher.doc)
}

/** The victim's page comes back: her offline text must reach the board, stored, and the forged text never. */
async function victimBack(running: TestServer, boardId: string, page: TestClient) {
  page.provider.serverUrl = running.wsUrl
  page.provider.connect()
  const title = async () => (await storedBoard(running, boardId)).assessments[0]?.title
  await waitFor(async () => (await title()) === `Will the bridge hold?${OFFLINE_TEXT}`, 'the victim’s offline text stored')
  expect(boardToModel(page.doc, boardId).assessments[0]?.title).toBe(`Will the bridge hold?${OFFLINE_TEXT}`)
}

it('refuses an update writing under more fresh client ids than a page does or than an hour allows, and one under a member’s id however many came before', async () => {
  const running = (server = await startTestServer({ accounts: true }))
  const { boardId, assessmentId, page, attackerToken } = await victimOffline(running)
  const stored = await storedState(running, boardId, attackerToken)
  const attackerRoom = connectClient(running.wsUrl, boardId, { token: attackerToken })
  clients.push(attackerRoom)
  await attackerRoom.synced()

  /** The board as the attacker's page holds it, with one character typed into the judgment under each of `count` fresh ids. */
  const underFreshIds = (firstId: number, count: number) => {
    const scratch = new Y.Doc()
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(attackerRoom.doc))
    const before = Y.encodeStateVector(scratch)
    for (let index = 0; index < count; index++) {
      scratch.clientID = firstId + index
      assessmentText(scratch, assessmentId, 'judgment').insert(0, 'x')
    }
    const update = Y.encodeStateAsUpdate(scratch, before)
    scratch.destroy()
    return update
  }
  const base = 10_000_000
  // One frame, one character under each of 4,097 fresh ids, as the red team sent it.
  expect((await sendAs(running, boardId, attackerToken, underFreshIds(base, EVICTING_IDS))).code).toBe(CLOSE.updateRejected.code)
  // As many as a page reloaded offline may carry are taken, until the hour's are brought.
  for (let frame = 0; frame * NEW_CLIENTS_PER_UPDATE < NEW_CLIENTS_PER_HOUR; frame++) {
    Y.applyUpdate(attackerRoom.doc, underFreshIds(base + EVICTING_IDS + frame * NEW_CLIENTS_PER_UPDATE, NEW_CLIENTS_PER_UPDATE))
  }
  await waitFor(
    () => running.services.rooms.loadedRooms.get(boardId)?.isSaved && (boardToModel(attackerRoom.doc, boardId).assessments[0]?.judgment.length ?? 0) >= NEW_CLIENTS_PER_HOUR,
    'the attacker’s hour of fresh ids stored',
    60_000,
  )
  // The red team's flood brought 16 fresh ids an update for minutes: one more this hour is refused.
  expect((await sendAs(running, boardId, attackerToken, underFreshIds(base + 2 * EVICTING_IDS, 1))).code).toBe(CLOSE.updateRejected.code)

  expect((await sendAs(running, boardId, attackerToken, forgedUnderVictim(page, assessmentId, stored))).code).toBe(CLOSE.updateRejected.code)
  await victimBack(running, boardId, page)
})

it('takes a page reloaded offline 20 times whole when it reconnects, and still refuses an update under more fresh client ids than the bound', async () => {
  const running = (server = await startTestServer({ accounts: true }))
  const { boardId, assessmentId, page, attackerToken } = await victimOffline(running)
  // Each load of the page reads the offline copy, types under its own fresh client id, and leaves it in the copy: the page's doc holds them all.
  const loads = Array.from({ length: OFFLINE_LOADS }, (_, load) => ` load ${load}`)
  for (const [load, typed] of loads.entries()) {
    const reload = new Y.Doc()
    reload.clientID = 20_000_000 + load
    Y.applyUpdate(reload, Y.encodeStateAsUpdate(page.doc))
    const judgment = assessmentText(reload, assessmentId, 'judgment')
    judgment.insert(judgment.length, typed)
    Y.applyUpdate(page.doc, Y.encodeStateAsUpdate(reload, Y.encodeStateVector(page.doc)))
    reload.destroy()
  }

  const codes = closeCodes(page)
  await victimBack(running, boardId, page)
  await waitFor(async () => (await storedBoard(running, boardId)).assessments[0]?.judgment === loads.join(''), 'every offline load’s text stored')
  expect(codes).toEqual([])

  const stored = await storedState(running, boardId, attackerToken)
  const scratch = new Y.Doc()
  Y.applyUpdate(scratch, stored)
  const before = Y.encodeStateVector(scratch)
  for (let index = 0; index <= NEW_CLIENTS_PER_UPDATE; index++) {
    scratch.clientID = 30_000_000 + index
    assessmentText(scratch, assessmentId, 'judgment').insert(0, 'x')
  }
  expect((await sendAs(running, boardId, attackerToken, Y.encodeStateAsUpdate(scratch, before))).code).toBe(CLOSE.updateRejected.code)
  scratch.destroy()
})

it('refuses an update under a member’s client id once her board’s room was unloaded idle', async () => {
  const running = (server = await startTestServer({ accounts: true, env: { ROOM_IDLE_MS: '0' } }))
  const { boardId, assessmentId, page, attackerToken } = await victimOffline(running)
  const stored = await storedState(running, boardId, attackerToken)
  for (const client of clients.splice(1)) client.destroy()
  await waitFor(() => !running.services.rooms.loadedRooms.has(boardId), 'the board’s room to unload')

  expect((await sendAs(running, boardId, attackerToken, forgedUnderVictim(page, assessmentId, stored))).code).toBe(CLOSE.updateRejected.code)
  await victimBack(running, boardId, page)
})

it('refuses an update under a member’s client id after a restart on the same database file', async () => {
  const first = (server = await startTestServer({ accounts: true }))
  const { boardId, assessmentId, page, attackerToken } = await victimOffline(first)
  const stored = await storedState(first, boardId, attackerToken)
  for (const client of clients.splice(1)) client.destroy()
  const restarted = (server = await first.restart())

  expect((await sendAs(restarted, boardId, attackerToken, forgedUnderVictim(page, assessmentId, stored))).code).toBe(CLOSE.updateRejected.code)
  await victimBack(restarted, boardId, page)
})
