/**
 * A change that makes Yjs throw in the middle of its transaction, against the
 * real server over real sockets. Yjs collects a deleted map's entries when the
 * transaction ends, and throws on an entry that is not deleted; a board can
 * hold one (a run of text stored as a map's value, cut in two by an item after
 * its first half), stored before the relay refused such a value, and then an
 * ordinary deletion of its entity throws. Its transaction then never finishes,
 * and before the room reset the board's document applied every later change
 * without sending or storing any: typing reached nobody, and an HTTP change
 * answered 201 was lost. Now the board is loaded again from storage, its
 * clients (stock providers) reconnect by themselves, edits flow again, and
 * nothing acknowledged is lost.
 */
import * as Y from 'yjs'
import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText, entity } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import type { Access, Principal } from '../server/access/access.ts'
import { deletionsUpdate } from '../server/relay/deletions-within.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { AppendControl } from './helpers/append-control.ts'
import { apiClient } from './helpers/api.ts'
import { craftedItem, craftedItems, type CraftedPlace } from './helpers/crafted-update.ts'
import { openAccess } from './helpers/open-access.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { splitMapValue } from './helpers/split-map-value.ts'
import { storeUpdate } from './helpers/stored-board.ts'
import { startTestServer, type TestServer, type TestServerOptions } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

/** The Yjs client id of whoever wrote the split value, or sends what the relay refuses. */
const ATTACKER = 424_242

let server: TestServer | undefined
const clients: TestClient[] = []
const sockets: RawSocket[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const socket of sockets.splice(0)) socket.terminate()
  await server?.destroy()
  server = undefined
})

async function start(options: TestServerOptions = {}): Promise<TestServer> {
  server = await startTestServer({ ...options, env: { METRICS_TOKEN, ...options.env } })
  return server
}

/** A stock provider, with the close codes it meets from now on. */
function connect(wsUrl: string, boardId: string): TestClient & { codes: number[] } {
  const client = connectClient(wsUrl, boardId)
  clients.push(client)
  return Object.assign(client, { codes: closeCodes(client) })
}

async function hostile(running: TestServer, boardId: string): Promise<RawSocket> {
  const socket = await openRawSocket(`${running.wsUrl}/${boardId}`)
  sockets.push(socket)
  return socket
}

const titles = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((assessment) => assessment.title).sort()

/**
 * A board whose stored log holds an assessment "Target" with its `kind` split,
 * written into storage while no room holds the board (the server is restarted
 * first). Its kind reads as the text's last character, which is no kind, so
 * every model reads the card with its kind not assessed; its map is there, and
 * deleting it throws.
 */
async function boardHoldingSplitValue(running: TestServer, title: string): Promise<{ running: TestServer; boardId: string; targetId: string }> {
  const api = apiClient(running.url)
  const boardId = await api.createBoard(title)
  const target = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Target' })
  expect(target.status).toBe(201)
  const restarted = (server = await running.restart())
  await storeUpdate(restarted, boardId, 'ws:anonymous', (doc) => splitMapValue(doc, target.body.id, ATTACKER))
  return { running: restarted, boardId, targetId: target.body.id }
}

/** The assessment's own deletion, as any editor deletes one (deletions alone pass every check): collecting it throws on the standing "poi". */
function deletion(doc: Y.Doc, assessmentId: string): Uint8Array {
  const { id } = entity(doc, 'assessments', assessmentId)!._item!
  return deletionsUpdate([[id.client, [[id.clock, 1]]]])
}

/** Waits until the client was closed with `code` and has synced again since, by itself. */
async function reconnected(client: TestClient & { codes: number[] }, code: number, what: string): Promise<void> {
  await waitFor(() => client.codes.includes(code) && client.provider.wsconnected && client.provider.synced, `${what} to reconnect and sync`)
}

/** Open access, counting the decisions of a role: each HTTP change has one for its route, and one right before it is made. */
function countingAccess(): Access & { authorized: number } {
  const open = openAccess()
  const counting = {
    ...open,
    authorized: 0,
    authorize(principal: Principal, boardId: string) {
      counting.authorized++
      return open.authorize(principal, boardId)
    },
  }
  return counting
}

const updatesReceived = async (running: TestServer) => sample(await metricsText(running), 'assay_updates_received_total') ?? 0

it('a socket’s deletion that breaks Yjs’s transaction closes its sender; everyone else reconnects by themselves, the board loads again, edits flow, and every acknowledged edit survives a restart', async () => {
  const appends = new AppendControl()
  const logged: Record<string, unknown>[] = []
  const access = countingAccess()
  const { running, boardId, targetId } = await boardHoldingSplitValue(
    await start({ access: () => access, wrapStorage: appends.wrap, logSink: (line) => logged.push(JSON.parse(line) as Record<string, unknown>) }),
    'Reset',
  )
  const [a, b, c] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
  await Promise.all([a.synced(), b.synced(), c.synced()])
  addAssessment(a.doc, { title: 'Before' })
  await waitFor(() => titles(c, boardId).includes('Before') && Y.getState(c.doc.store, ATTACKER) > 0, 'the split value and the first edit at the third client')

  // A commit in flight, and an edit and the deletion waiting for it: once it ends, the edit is applied (not yet committed), then the deletion.
  appends.hold()
  const received = await updatesReceived(running)
  addAssessment(a.doc, { title: 'Committed when it broke' })
  await waitFor(() => appends.waiting === 1, 'the commit to be in flight')
  addAssessment(b.doc, { title: 'Applied, not yet committed, when it broke' })
  const attacker = await hostile(running, boardId)
  attacker.send(frames.update(deletion(c.doc, targetId)))
  await waitFor(async () => (await updatesReceived(running)) === received + 3, 'both edits and the deletion to wait for the commit')
  // An HTTP change holding the board's room meanwhile (past its route's access check and the one right before the change) is refused, not lost.
  const checked = access.authorized
  const meanwhile = apiClient(running.url).post(`/api/boards/${boardId}/assessments`, { title: 'Sent over HTTP meanwhile' })
  await waitFor(() => access.authorized >= checked + 2, 'the HTTP change to wait for the commit')
  appends.release()

  expect((await attacker.closed).code).toBe(CLOSE.updateRejected.code)
  addAssessment(a.doc, { title: 'Typed after' })
  await waitFor(() => titles(c, boardId).includes('Typed after'), 'an edit typed after the deletion to reach another client')
  for (const [client, name] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) await reconnected(client, CLOSE.boardReloaded.code, `client ${name}`)
  addAssessment(c.doc, { title: 'Typed by c after' })
  await waitFor(() => titles(a, boardId).includes('Typed by c after'), 'edits to flow both ways')
  const answered = await meanwhile
  expect(answered.status).toBe(503)
  expect(answered.body).toMatchObject({ error: { code: 'board_reloading' } })
  expect(answered.headers.get('retry-after')).not.toBeNull()
  // With the card holding the split value, which the deletion that broke the board did not remove.
  const acknowledged = ['Target', 'Before', 'Committed when it broke', 'Applied, not yet committed, when it broke', 'Typed after', 'Typed by c after']
  await waitFor(() => titles(b, boardId).length === acknowledged.length, 'every edit at b')

  const errors = logged.filter((line) => line.level === 50)
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatchObject({ boardId, cause: expect.stringContaining('an update from connection') as unknown })
  expect(sample(await metricsText(running), 'assay_board_resets_total')).toBe(1)

  for (const client of clients.splice(0)) client.destroy()
  server = await running.restart()
  const later = connect(server.wsUrl, boardId)
  await later.synced()
  expect(titles(later, boardId)).toEqual(acknowledged.sort())
  expect(entity(later.doc, 'assessments', targetId)?.get('title')?.toString(), 'the deletion that broke it, not saved').toBe('Target')
})

it('every page reconnects to the board loaded afresh with its presence client id, which no other person can take first', async () => {
  const first = await start({ accounts: true })
  const [owner, ben, mallory] = [await addAccount(first, { name: 'Owner' }), await addAccount(first, { name: 'Ben' }), await addAccount(first, { name: 'Mallory' })]
  const ownerToken = (await addToken(first, owner)).token
  const api = apiClient(first.url, { authorization: `Bearer ${ownerToken}` })
  const boardId = await api.createBoard('Reset presence')
  await addMember(first, boardId, ben, 'editor')
  await addMember(first, boardId, mallory, 'reviewer')
  const target = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Target' })
  expect(target.status).toBe(201)
  const running = (server = await first.restart())
  await storeUpdate(running, boardId, 'ws:anonymous', (doc) => splitMapValue(doc, target.body.id, ATTACKER))
  const tokenOf = async (account: typeof ben) => ({ token: (await addToken(running, account)).token })
  const [benPage, observer] = [connectClient(running.wsUrl, boardId, await tokenOf(ben)), connectClient(running.wsUrl, boardId, { token: ownerToken })]
  clients.push(benPage, observer)
  const benCodes = closeCodes(benPage)
  await Promise.all([benPage.synced(), observer.synced()])
  const benId = benPage.doc.clientID
  const stateOfBen = () => observer.provider.awareness.getStates().get(benId) as { focus?: { assessmentId?: string } | null; user?: { name?: string } } | undefined
  benPage.provider.awareness.setLocalStateField('focus', { assessmentId: '0', field: null })
  await waitFor(() => stateOfBen()?.focus?.assessmentId === '0', 'Ben’s presence at the observer')

  // Ben's page is to reconnect only when the test says, after Mallory has tried to take his id in the room loaded afresh.
  benPage.provider.shouldConnect = false
  const breaker = await openRawSocket(`${running.wsUrl}/${boardId}?token=${ownerToken}`)
  sockets.push(breaker)
  breaker.send(frames.update(deletion(observer.doc, target.body.id)))
  await waitFor(() => benCodes.includes(CLOSE.boardReloaded.code), 'Ben’s page to be told to reconnect')
  const squatter = await openRawSocket(`${running.wsUrl}/${boardId}?token=${(await tokenOf(mallory)).token}`)
  sockets.push(squatter)
  squatter.send(frames.awareness([{ clientId: benId, clock: 1_000_000, json: '{"focus":{"assessmentId":"squatted"}}' }]))
  // Her own presence, after: once the observer has it, the squat was handled.
  squatter.send(frames.awareness([{ clientId: 4242, clock: 1, json: '{"focus":{"assessmentId":"own"}}' }]))
  await waitFor(() => observer.provider.synced && observer.provider.awareness.getStates().get(4242) !== undefined, 'Mallory’s own presence in the room loaded afresh')
  expect(stateOfBen()).toBeUndefined()

  benPage.provider.connect()
  await benPage.synced()
  benPage.provider.awareness.setLocalStateField('focus', { assessmentId: '1', field: null })
  await waitFor(() => stateOfBen()?.focus?.assessmentId === '1', 'Ben’s change after he reconnected')
  expect(stateOfBen()?.user?.name).toBe('Ben')
})

it('an HTTP change that breaks Yjs’s transaction is answered 422 with nothing saved; the board loads again and HTTP changes are stored again', async () => {
  const { running, boardId, targetId } = await boardHoldingSplitValue(await start(), 'Reset by HTTP')
  const api = apiClient(running.url)
  const [a, c] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
  await Promise.all([a.synced(), c.synced()])

  const deleted = await api.delete(`/api/boards/${boardId}/assessments/${targetId}`)
  expect(deleted.status).toBe(422)
  expect(deleted.body).toMatchObject({ error: { code: 'change_failed' } })
  await reconnected(a, CLOSE.boardReloaded.code, 'client a')
  await reconnected(c, CLOSE.boardReloaded.code, 'client c')
  expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'Added over HTTP after' })).status).toBe(201)
  addAssessment(a.doc, { title: 'Typed after' })
  await waitFor(() => titles(c, boardId).includes('Added over HTTP after') && titles(c, boardId).includes('Typed after'), 'changes to flow again')

  for (const client of clients.splice(0)) client.destroy()
  server = await running.restart()
  const later = connect(server.wsUrl, boardId)
  await later.synced()
  expect(titles(later, boardId)).toEqual(['Added over HTTP after', 'Target', 'Typed after'])
  expect(entity(later.doc, 'assessments', targetId)?.get('title')?.toString(), 'the deletion that broke it, not saved').toBe('Target')
})

it('an update Yjs refuses before changing anything closes only its sender: nobody else is disconnected, and the board carries on', async () => {
  const running = await start()
  const boardId = await apiClient(running.url).createBoard('Refused cleanly')
  const [a, c] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
  await Promise.all([a.synced(), c.synced()])
  const attacker = await hostile(running, boardId)
  // After an item of its own client that exists nowhere: Yjs checks only other clients' neighbours for being missing, and throws looking for it.
  attacker.send(frames.update(craftedItem({ client: ATTACKER, clock: 0 }, { after: Y.createID(ATTACKER, 5) }, { any: 1 })))
  expect((await attacker.closed).code).toBe(CLOSE.updateRejected.code)
  addAssessment(a.doc, { title: 'Still served' })
  await waitFor(() => titles(c, boardId).includes('Still served'), 'the board to carry on')
  expect([...a.codes, ...c.codes]).toEqual([])
  expect(sample(await metricsText(running), 'assay_board_resets_total')).toBe(0)
})

it.each<[string, (ahead: Y.ID) => CraftedPlace]>([
  ['its parent', (ahead) => ({ parent: ahead })],
  ['its left neighbour', (ahead) => ({ after: ahead })],
])('an item that names a later item of its own client as %s, after one Yjs applied, closes only its sender: the board is not reset, and every count of connections comes back', async (_, place) => {
  const running = await start()
  const boardId = await apiClient(running.url).createBoard('Forward reference')
  const [a, c] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
  await Promise.all([a.synced(), c.synced()])
  const assessmentId = addAssessment(a.doc, { title: 'Title' })
  await waitFor(() => titles(c, boardId).includes('Title'), 'the assessment at c')
  const room = running.services.rooms.loadedRooms.get(boardId)!
  await room.whenSaved()
  const attacker = await hostile(running, boardId)
  await waitFor(() => running.services.rooms.connectionCount === 3, 'the attacker to be counted')
  // A character typed at the end of the title, which Yjs applies, and then one that names the attacker's own clock 5, which comes after it: Yjs looked that up directly and threw halfway through its transaction (found by the relay fuzzer, seed 1201837736).
  const titleEnd = lastItemOf(assessmentText(a.doc, assessmentId, 'title'))
  const typed = { place: { after: titleEnd }, content: { string: 'x' } }
  const ahead = { place: place(Y.createID(ATTACKER, 5)), content: { string: 'y' } }
  attacker.send(frames.update(craftedItems({ client: ATTACKER, clock: 0 }, [typed, ahead])))
  expect((await attacker.closed).code).toBe(CLOSE.updateRejected.code)
  expect(running.services.rooms.loadedRooms.get(boardId)).toBe(room)
  await waitFor(() => room.connections.size === 2 && running.services.rooms.connectionCount === 2, 'the attacker to be counted no more')
  addAssessment(a.doc, { title: 'Still served' })
  await waitFor(() => titles(c, boardId).includes('Still served'), 'the board to carry on')
  expect(titles(c, boardId)).toEqual(['Still served', 'Title'])
  expect([...a.codes, ...c.codes]).toEqual([])
  expect(sample(await metricsText(running), 'assay_board_resets_total')).toBe(0)
})

/** The id of a text's last character, as a client typing at its end names it. */
function lastItemOf(text: Y.Text): Y.ID {
  let item = text._start
  while (item?.right) item = item.right
  if (!item) throw new Error('the text is empty')
  return item.lastId
}
