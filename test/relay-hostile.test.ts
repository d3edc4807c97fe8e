/**
 * A member who sends what no well-behaved client would, against the real
 * server over real sockets: nothing ends or stalls the process (this test
 * process is the server's, so an unhandled rejection fails the run), only the
 * sender's connection is closed, joiners are shown only what is stored, and
 * every limit answers with its named close code or status.
 */
import type { Socket } from 'node:net'
import * as Y from 'yjs'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { acknowledgementsMap, assessmentText, blufText, metaMap } from '../shared/board-doc.ts'
import { addAssessment, deleteAssessment } from '../shared/board-mutations.ts'
import { LIMITS } from '../shared/limits.ts'
import { hasNonStringContent, sharedTexts } from '../shared/plain-text.ts'
import { CLOSE, MESSAGE_AWARENESS, UPGRADE_REFUSED } from '../shared/protocol.ts'
import { deletionsUpdate } from '../server/relay/deletions-within.ts'
import { MAX_PRESENCE_ENTRIES } from '../server/relay/presence-state.ts'
import type { Storage } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { largeSourceDocument } from './helpers/large-inputs.ts'
import { apiClient } from './helpers/api.ts'
import { AppendControl } from './helpers/append-control.ts'
import { craftedItem } from './helpers/crafted-update.ts'
import { openAccess } from './helpers/open-access.ts'
import { frames, openRawSocket, refusedUpgrade, syncReplies, type RawSocket } from './helpers/raw-socket.ts'
import { describeEachDialect, describeUnless, missingServices } from './helpers/services.ts'
import { storedBoard, withStoredDoc } from './helpers/stored-board.ts'
import { startTcpProxy } from './helpers/tcp-proxy.ts'
import { REDIS_URL, startTestServer, type TestServer, type TestServerOptions } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'
import { METRICS_TOKEN, metricsText } from './helpers/prometheus-text.ts'

/** Connections ask for the reviewer role with `?as=reviewer`; access control proper has its own tests. */
const roleFromQuery = () => openAccess((request) => (new URL(request.url).searchParams.get('as') === 'reviewer' ? 'reviewer' : 'editor'))

const servers: TestServer[] = []
const clients: TestClient[] = []
const sockets: RawSocket[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const socket of sockets.splice(0)) socket.terminate()
  for (const server of servers.splice(0).reverse()) await server.destroy()
})

async function start(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer({ access: roleFromQuery, ...options })
  servers.push(server)
  return server
}

function connect(server: TestServer, boardId: string, params: Record<string, string> = {}): TestClient {
  const client = connectClient(server.wsUrl, boardId, params)
  clients.push(client)
  return client
}

async function raw(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = await openRawSocket(`${server.wsUrl}/${path}`, headers)
  sockets.push(socket)
  return socket
}

/**
 * Types `text` into the shared bottom-line text of `client`, one keystroke a
 * frame, each at the server (`serverDoc`) before the next: compared by the
 * client's own clock, as content relayed meanwhile lengthens the text too.
 */
async function typeAtServer(serverDoc: Y.Doc, client: TestClient, text: string): Promise<void> {
  const notes = blufText(client.doc)
  for (const character of text) {
    notes.insert(notes.length, character)
    await waitFor(() => Y.getState(serverDoc.store, client.doc.clientID) === Y.getState(client.doc.store, client.doc.clientID), 'the keystroke at the server')
  }
}

const titles = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((a) => a.title).sort()
const receivedPresenceFrames = (socket: RawSocket) => socket.received.filter((frame) => frame[0] === MESSAGE_AWARENESS).length
const liveRoom = (server: TestServer, boardId: string) => server.services.rooms.loadedRooms.get(boardId)

/** The log lines a server writes, parsed, for tests that check what was logged. */
function logLines(): { sink: (line: string) => void; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  return { lines, sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }
}

describe('frames no client should send', () => {
  it('a cut-short state vector sent while another client’s edit is being committed closes only its sender; the edit still echoes and two providers converge', async () => {
    const appends = new AppendControl()
    const server = await start({ wrapStorage: appends.wrap })
    const boardId = await apiClient(server.url).createBoard('Cut short')
    const [a, b] = [connect(server, boardId), connect(server, boardId)]
    await Promise.all([a.synced(), b.synced()])

    appends.hold()
    const attemptsBefore = appends.attempts
    addAssessment(a.doc, { title: 'Committed while attacked' })
    await waitFor(() => appends.attempts > attemptsBefore, 'the editor’s commit to be in flight')
    const honest = await raw(server, `${boardId}?as=reviewer`)
    honest.send(frames.syncStep1(new Uint8Array([0])))
    const attacker = await raw(server, `${boardId}?as=reviewer`)
    attacker.send(new Uint8Array([0, 0, 1, 5]))
    // Refused while the commit is still held: the state vector was read when it arrived, not when the reply was due.
    expect(await attacker.closed).toEqual(CLOSE.malformedMessage)
    expect(honest.isClosed()).toBe(false)

    appends.release()
    await waitFor(() => titles(b, boardId).includes('Committed while attacked'), 'the edit at the other client')
    // The honest joiner's held reply was answered after the commit.
    await waitFor(() => syncReplies(honest.received).length === 1, 'the held sync reply')
    addAssessment(b.doc, { title: 'After the attack' })
    addAssessment(a.doc, { title: 'Also after' })
    await waitFor(() => titles(a, boardId).length === 3 && titles(b, boardId).length === 3, 'both providers to converge')
    expect(boardToModel(a.doc, boardId)).toEqual(boardToModel(b.doc, boardId))
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc))
    await liveRoom(server, boardId)?.whenSaved()
    expect(await storedBoard(server, boardId)).toEqual(boardToModel(a.doc, boardId))
  })

  it('malformed sync and awareness frames of every kind close only their sender', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Malformed')
    const [a, b] = [connect(server, boardId), connect(server, boardId)]
    await Promise.all([a.synced(), b.synced()])
    const cases: [string, Uint8Array][] = [
      ['an empty frame', new Uint8Array([])],
      ['a sync message with no type', new Uint8Array([0])],
      ['an unknown sync type', new Uint8Array([0, 9, 0])],
      ['a state vector claiming more than it holds', frames.syncStep1(new Uint8Array([200, 1, 1]))],
      ['a length past the end of the frame', new Uint8Array([0, 0, 50, 1])],
      ['an awareness update cut short', new Uint8Array([1, 5, 2, 1])],
      ['awareness that is not JSON', frames.awareness([{ clientId: 7, clock: 1, json: '{"user":' }])],
      ['awareness that is not UTF-8', new Uint8Array([1, 6, 1, 7, 1, 2, 0xff, 0xfe])],
    ]
    // Well formed, but naming more clients than the board holds and a page could add: decoding it costs a microsecond a client.
    const twoThousandClients = Y.encodeStateVector(new Map(Array.from({ length: 2000 }, (_, i): [number, number] => [i + 1, 1])))
    cases.push(['a state vector of clients the board never had', frames.syncStep1(twoThousandClients)])
    for (const [what, frame] of cases) {
      const socket = await raw(server, boardId)
      socket.send(frame)
      const closed = await socket.closed
      expect(closed.code, what).toBe(CLOSE.malformedMessage.code)
    }
    // Each entry costs about a microsecond to read, the empty ones too: one update names at most everyone a room can hold.
    const flood = await raw(server, boardId)
    flood.send(frames.awareness(Array.from({ length: MAX_PRESENCE_ENTRIES + 1 }, (_, i) => ({ clientId: i + 1, clock: 1, json: 'null' }))))
    expect((await flood.closed).code).toBe(CLOSE.presenceRefused.code)
    addAssessment(a.doc, { title: 'Still served' })
    await waitFor(() => titles(b, boardId).includes('Still served'), 'the room to carry on')
  })
})

describe('deletions no Yjs encoder writes', () => {
  it('ranges repeated, overlapping or out of order close their sender with nothing stored; a provider’s own deletions of the same content are applied', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Deletions')
    const [a, b] = [connect(server, boardId), connect(server, boardId)]
    await Promise.all([a.synced(), b.synced()])
    // Forty assessments from a client of the attacker's own, each its own run of structs.
    const forger = new Y.Doc()
    const client = forger.clientID
    const before = Y.encodeStateVector(forger)
    for (let i = 0; i < 40; i++) addAssessment(forger, { title: `Forged ${i}` })
    const written = Y.getState(forger.store, client)
    const writer = await raw(server, boardId)
    writer.send(frames.update(Y.encodeStateAsUpdate(forger, before)))
    await waitFor(() => titles(b, boardId).length === 40, 'the forty assessments at the other client')
    const room = liveRoom(server, boardId)!
    await room.whenSaved()
    const rowsBefore = (await server.services.storage.log.load(boardId)).updates.length

    // Each walks the client's structs from its start once a range: a thousand times here, a million in 3 MB.
    const cases: [string, Uint8Array][] = [
      ['one range a thousand times', deletionsUpdate([[client, Array.from({ length: 1000 }, (): [number, number] => [0, written])]])],
      ['overlapping ranges', deletionsUpdate([[client, [[0, written], [1, 2]]]])],
      ['ranges out of order', deletionsUpdate([[client, [[10, 2], [0, 2]]]])],
      ['the client listed twice', deletionsUpdate([[client, [[0, written]]], [client, [[0, written]]]])],
    ]
    for (const [what, update] of cases) {
      const attacker = await raw(server, boardId)
      attacker.send(frames.update(update))
      await waitFor(() => attacker.isClosed(), `the sender of ${what} to be closed`)
      expect(await attacker.closed, what).toEqual(CLOSE.updateRejected)
    }
    expect((await server.services.storage.log.load(boardId)).updates).toHaveLength(rowsBefore)
    expect(boardToModel(room.doc, boardId).assessments).toHaveLength(40)
    expect(writer.isClosed()).toBe(false)

    // The stock provider deletes every other one in one transaction: many ranges of that client, sorted and merged.
    const doomed = boardToModel(a.doc, boardId).assessments.filter((assessment) => Number(assessment.title.split(' ')[1]) % 2 === 1)
    a.doc.transact(() => {
      for (const assessment of doomed) deleteAssessment(a.doc, assessment.id)
    })
    await waitFor(() => titles(b, boardId).length === 20, 'the deletions at the other client')
    await room.whenSaved()
    expect((await storedBoard(server, boardId)).assessments).toHaveLength(20)
  })
})

describe('splits', () => {
  /**
   * A board whose first judgment is 20,000 characters in one struct, followed by
   * 100,000 structs of the same client (five judgments typed backwards, each
   * character its own struct): every split of the first judgment moves them all.
   */
  async function boardWithLongTail(server: TestServer) {
    const boardId = await apiClient(server.url).createBoard('Splits')
    const forger = new Y.Doc()
    const client = forger.clientID
    const long = addAssessment(forger, { title: 'Long' })
    const textStart = Y.getState(forger.store, client)
    assessmentText(forger, long, 'judgment').insert(0, 'a'.repeat(20_000))
    for (let i = 0; i < 5; i++) {
      const judgment = assessmentText(forger, addAssessment(forger, { title: `Tail ${i}` }), 'judgment')
      for (let c = 0; c < 20_000; c++) judgment.insert(0, 'b')
    }
    const writer = await raw(server, boardId)
    writer.send(frames.update(Y.encodeStateAsUpdate(forger)))
    // 100,000 structs to check in a worker thread and apply: seconds on a loaded machine, as the dense frames take.
    const atServer = () => liveRoom(server, boardId)?.doc.store.clients.get(client)?.length === forger.store.clients.get(client)!.length
    await waitFor(() => writer.isClosed() || atServer(), 'the tail at the server', 60_000)
    expect(writer.isClosed()).toBe(false)
    const room = liveRoom(server, boardId)!
    await room.whenSaved()
    forger.destroy()
    /** Deletes every other character of the long judgment from `from`, `count` of them. */
    const everyOther = (from: number, count: number) =>
      deletionsUpdate([[client, Array.from({ length: count }, (_, i): [number, number] => [textStart + from + 2 * i, 1])]])
    const longJudgment = () => boardToModel(room.doc, boardId).assessments.find((a) => a.id === long)!.judgment
    return { boardId, room, long, everyOther, longJudgment }
  }

  it('an update whose splits alone would cost more than the largest frame closes its sender 4422 with nothing stored; a provider’s keystrokes in the same judgment are applied', async () => {
    const server = await start()
    const { boardId, room, long, everyOther, longJudgment } = await boardWithLongTail(server)
    const rowsBefore = (await server.services.storage.log.load(boardId)).updates.length

    // 30 KB: 10,000 one-character deletions, each split twice in front of 100,000 structs (seconds of Yjs's splicing).
    const attacker = await raw(server, boardId)
    attacker.send(frames.update(everyOther(1, 10_000)))
    await waitFor(() => attacker.isClosed(), 'the attacker to be closed')
    expect(await attacker.closed).toEqual(CLOSE.updateRejected)
    expect(longJudgment()).toHaveLength(20_000)
    expect((await server.services.storage.log.load(boardId)).updates).toHaveLength(rowsBefore)

    const typist = connect(server, boardId)
    await typist.synced()
    typist.doc.transact(() => {
      assessmentText(typist.doc, long, 'judgment').insert(10_000, 'typed')
      assessmentText(typist.doc, long, 'judgment').delete(5_000, 100)
    })
    await waitFor(() => longJudgment().length === 20_000 - 100 + 5, 'the keystrokes at the server')
    await room.whenSaved()
    expect((await storedBoard(server, boardId)).assessments.find((a) => a.id === long)!.judgment).toContain('typed')
  })

  it('an update’s splits count against its sender’s bytes a second: one its budget cannot cover closes it 4029 unapplied, the same on a fresh connection is applied', async () => {
    const server = await start({ env: { WS_MAX_BYTES_PER_SECOND: '1024' } })
    const { boardId, everyOther, longJudgment } = await boardWithLongTail(server)
    // 500 deletions: 1,000 splits in front of 100,000 structs, as costly as about a megabyte of changes.
    const update = everyOther(1, 500)

    const spent = await raw(server, boardId)
    const padded = new Uint8Array(LIMITS.maxMessageBytes - 512 * 1024)
    padded[0] = frames.queryAwareness()[0]!
    spent.send(padded)
    await waitFor(() => receivedPresenceFrames(spent) === 1, 'the padded query to be answered')
    spent.send(frames.update(update))
    await waitFor(() => spent.isClosed(), 'the spent connection to be closed')
    expect(await spent.closed).toEqual(CLOSE.rateLimited)
    expect(longJudgment()).toHaveLength(20_000)

    const fresh = await raw(server, boardId)
    fresh.send(frames.update(update))
    await waitFor(() => longJudgment().length === 20_000 - 500, 'the deletions from a fresh connection')
    expect(fresh.isClosed()).toBe(false)
  })
})

describe('only stored content is shown', () => {
  /** Two updates from one forged client: the second needs the first, which the server never gets unless sent. */
  function dependentUpdates(base: Y.Doc, text: string): { first: Uint8Array; second: Uint8Array } {
    const forger = new Y.Doc()
    Y.applyUpdate(forger, Y.encodeStateAsUpdate(base))
    const before = Y.encodeStateVector(forger)
    const id = addAssessment(forger, { title: 'The dependency' })
    const middle = Y.encodeStateVector(forger)
    assessmentText(forger, id, 'judgment').insert(0, text)
    const first = Y.encodeStateAsUpdate(forger, before)
    const second = Y.encodeStateAsUpdate(forger, middle)
    forger.destroy()
    return { first, second }
  }

  it('an update waiting on content the server lacks never reaches a joiner, and applies once what it needs arrives', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Pending')
    const writer = connect(server, boardId)
    await writer.synced()
    const { first, second } = dependentUpdates(writer.doc, 'Never stored on its own')

    const sender = await raw(server, boardId)
    sender.send(frames.update(second))
    // A frame on the same socket after it: once its answer comes, the update has been handled.
    sender.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => syncReplies(sender.received).length === 1, 'the sync reply')
    const room = liveRoom(server, boardId)!
    expect(room.doc.store.pendingStructs).toBeNull()
    expect(room.doc.store.pendingDs).toBeNull()

    const joiner = connect(server, boardId)
    await joiner.synced()
    expect(joiner.doc.store.pendingStructs).toBeNull()
    expect(titles(joiner, boardId)).toEqual([])
    expect(JSON.stringify(joiner.doc.toJSON())).not.toContain('Never stored')
    const stored = await server.services.storage.log.load(boardId)
    expect(stored.updates.some((update) => Buffer.from(update).includes('Never stored'))).toBe(false)

    sender.send(frames.update(first))
    await waitFor(() => titles(joiner, boardId).includes('The dependency'), 'both updates at the joiner')
    const id = boardToModel(joiner.doc, boardId).assessments[0]!.id
    await waitFor(() => assessmentText(joiner.doc, id, 'judgment').toString() === 'Never stored on its own', 'the held text, now stored')
    expect(sender.isClosed()).toBe(false)
  })

  it('held changes past the cap close their connection with a named code and are dropped', async () => {
    const server = await start({ env: { PENDING_UPDATE_MAX_BYTES: '2048' } })
    const boardId = await apiClient(server.url).createBoard('Pending cap')
    const writer = connect(server, boardId)
    await writer.synced()
    const { second } = dependentUpdates(writer.doc, 'x'.repeat(5000))
    const sender = await raw(server, boardId)
    sender.send(frames.update(second))
    expect(await sender.closed).toEqual(CLOSE.missingDependencies)
    const joiner = connect(server, boardId)
    await joiner.synced()
    expect(joiner.doc.store.pendingStructs).toBeNull()
    expect(liveRoom(server, boardId)?.doc.store.pendingStructs).toBeNull()
    addAssessment(writer.doc, { title: 'Still served' })
    await waitFor(() => titles(joiner, boardId).includes('Still served'), 'the room to carry on')
  })

  it('a held change that needs a later clock of someone typing is applied again only once that clock arrives, not at each of their keystrokes', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Held against a typist')
    const typist = connect(server, boardId)
    await typist.synced()
    const room = liveRoom(server, boardId)!
    const [typistConnection] = room.connections
    const notes = blufText(typist.doc)
    const typed = (text: string) => typeAtServer(room.doc, typist, text)
    await typed('hello')

    // Placed after the typist's 30th character, which does not exist yet; a map of 200 entries rides along.
    const needed = 30
    const forger = new Y.Doc()
    forger.clientID = typist.doc.clientID
    blufText(forger).insert(0, 'x'.repeat(needed))
    forger.clientID = typist.doc.clientID + 1
    const parts: Uint8Array[] = []
    forger.on('update', (update: Uint8Array) => parts.push(update))
    blufText(forger).insert(needed, 'y')
    forger.transact(() => {
      for (let i = 0; i < 200; i++) acknowledgementsMap(forger).set(`k${i}`, { reason: `${i}` })
    })
    const attacker = await raw(server, boardId)
    const attackerConnection = [...room.connections].find((connection) => connection !== typistConnection)
    // Each time the server applies what the attacker sent, its first time included, is a transaction of its connection.
    let applied = 0
    room.doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.origin === attackerConnection) applied++
    })
    attacker.send(frames.update(Y.mergeUpdates(parts)))
    attacker.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => syncReplies(attacker.received).length === 1, 'the update to be handled')
    expect(applied).toBe(1)
    expect(acknowledgementsMap(room.doc).size).toBe(0)

    await typed('-'.repeat(needed - 1 - notes.length))
    expect(applied).toBe(1)
    await typed('!')
    await waitFor(() => acknowledgementsMap(typist.doc).size === 200, 'the held change, applied and relayed')
    expect(applied).toBe(2)
    expect(attacker.isClosed()).toBe(false)
  })

  /**
   * One update of `count` one-character items under the client id after
   * `client`'s, each placed right after one of `client`'s characters from its
   * clock `from` on, none of which exists yet: each of those characters, once
   * typed, lets one item apply and leaves the rest waiting. Some 17 bytes an
   * item in Yjs's v1 encoding, one in v2.
   */
  function heldOneByOne(client: number, from: number, count: number): Uint8Array {
    const forger = new Y.Doc()
    forger.clientID = client
    const text = blufText(forger)
    text.insert(0, 'x'.repeat(from))
    const items: Uint8Array[] = []
    for (let i = 0; i < count; i++) {
      forger.clientID = client
      text.insert(text.length, 'a')
      forger.clientID = client + 1
      forger.once('update', (update: Uint8Array) => items.push(update))
      text.insert(text.length, '#')
    }
    forger.destroy()
    return Y.mergeUpdates(items)
  }

  it('held changes are counted as the relay checks them (v1): an update small in v2 but past the cap in v1 closes its sender 4409', async () => {
    const server = await start({ env: { PENDING_UPDATE_MAX_BYTES: '16384' } })
    const boardId = await apiClient(server.url).createBoard('Held, counted in v1')
    const typist = connect(server, boardId)
    await typist.synced()
    const update = heldOneByOne(typist.doc.clientID, 0, 2000)
    expect(Y.convertUpdateFormatV1ToV2(update).byteLength).toBeLessThan(16384)
    expect(update.byteLength).toBeGreaterThan(16384)
    const attacker = await raw(server, boardId)
    attacker.send(frames.update(update))
    attacker.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => attacker.isClosed() || syncReplies(attacker.received).length === 1, 'the update to be handled')
    expect(attacker.isClosed()).toBe(true)
    expect(await attacker.closed).toEqual(CLOSE.missingDependencies)
  })

  it('held changes that would apply one character at a time, at each keystroke of someone typing, close their sender 4409 at the first such retry; the typist’s every keystroke arrives', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Held one by one')
    const typist = connect(server, boardId)
    const reader = connect(server, boardId)
    const typistCloses = closeCodes(typist)
    await Promise.all([typist.synced(), reader.synced()])
    const room = liveRoom(server, boardId)!
    await typeAtServer(room.doc, typist, 'hello')

    const honest = new Set(room.connections)
    const attacker = await raw(server, boardId)
    const attackerConnection = [...room.connections].find((connection) => !honest.has(connection))
    let applied = 0
    room.doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.origin === attackerConnection) applied++
    })
    attacker.send(frames.update(heldOneByOne(typist.doc.clientID, 5, 2000)))
    attacker.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => syncReplies(attacker.received).length === 1, 'the update to be held')
    expect(applied).toBe(1)

    let typed = 'hello'
    for (const character of ' world, typed on') {
      await typeAtServer(room.doc, typist, character)
      typed += character
      if (attacker.isClosed()) break
    }
    await waitFor(() => attacker.isClosed(), 'the attacker closed')
    expect(await attacker.closed).toEqual(CLOSE.missingDependencies)
    // Its first apply, and the one retry that applied a single character.
    expect(applied).toBe(2)
    await typeAtServer(room.doc, typist, ' and on')
    typed += ' and on'
    await waitFor(() => blufText(reader.doc).toString() === blufText(typist.doc).toString(), 'every keystroke at the reader')
    // Beside the one character of the attacker's that was applied.
    expect(blufText(reader.doc).toString().replace('#', '')).toBe(typed)
    expect(blufText(reader.doc).toString().split('#')).toHaveLength(2)
    expect(typistCloses).toEqual([])
  })
})

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'updates that wait for a commit (%s)', (dialect) => {
  /** The attacker's presence, sent after its updates on the same socket. */
  const ATTACKER_PRESENCE = 7_654_321
  const ATTACKER_CLIENT = 876_543_210

  /** A board with an honest client on it, the server's commits held whenever the test says. */
  async function boardWithHonestClient(): Promise<{ server: TestServer; appends: AppendControl; boardId: string; honest: TestClient }> {
    const appends = new AppendControl()
    const server = await start({ dialect, wrapStorage: appends.wrap })
    const boardId = await apiClient(server.url).createBoard('Waiting')
    const honest = connect(server, boardId)
    await honest.synced()
    return { server, appends, boardId, honest }
  }

  /**
   * Sends `updates` from a socket of their own while an honest keystroke is
   * being committed, and lets the commit complete once the server has read
   * them (each then waiting for it); resolves with that socket.
   */
  async function sendDuringCommit({ server, appends, boardId, honest }: Awaited<ReturnType<typeof boardWithHonestClient>>, updates: Uint8Array[]): Promise<RawSocket> {
    const attacker = await raw(server, boardId)
    appends.hold()
    const attemptsBefore = appends.attempts
    blufText(honest.doc).insert(0, 'k')
    await waitFor(() => appends.attempts > attemptsBefore, 'the honest keystroke’s commit to be in flight')
    for (const update of updates) attacker.send(frames.update(update))
    // Presence is relayed during a commit: once the honest client has it, the server has read every update sent before it.
    attacker.send(frames.awareness([{ clientId: ATTACKER_PRESENCE, clock: 1, json: '{}' }]))
    await waitFor(() => honest.provider.awareness.getStates().has(ATTACKER_PRESENCE), 'the attacker’s presence at the honest client')
    appends.release()
    return attacker
  }

  it('each is checked against the board it is applied to: a character of a judgment and an embed after it, both sent during a commit, close their sender 4422 and the embed lands nowhere', async () => {
    const board = await boardWithHonestClient()
    const { server, boardId, honest } = board
    const assessmentId = addAssessment(honest.doc, { title: 'Bridge', judgment: 'Judgment.' })
    await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === 1, 'the assessment to be stored')

    // The stock client under a fresh client id: a character, then an embed placed after it, as two updates. On a board without
    // the character nobody can tell where the embed lands, and it passes; on the board holding the character it is refused.
    const forger = new Y.Doc()
    forger.clientID = ATTACKER_CLIENT
    Y.applyUpdate(forger, Y.encodeStateAsUpdate(honest.doc))
    const judgmentOf = (doc: Y.Doc) => assessmentText(doc, assessmentId, 'judgment')
    const beforeCharacter = Y.encodeStateVector(forger)
    judgmentOf(forger).insert(0, 'x')
    const character = Y.encodeStateAsUpdate(forger, beforeCharacter)
    const beforeEmbed = Y.encodeStateVector(forger)
    judgmentOf(forger).insertEmbed(1, { evil: true })
    const embed = Y.encodeStateAsUpdate(forger, beforeEmbed)
    forger.destroy()
    const attacker = await sendDuringCommit(board, [character, embed])

    // The character alone is an honest edit: applied, stored and shown; the embed nowhere.
    await waitFor(() => judgmentOf(honest.doc).toString() === 'xJudgment.', 'the character at the honest client')
    expect(judgmentOf(honest.doc).toDelta()).toEqual([{ insert: 'xJudgment.' }])
    await waitFor(() => attacker.isClosed(), 'the attacker to be closed')
    expect(await attacker.closed).toEqual(CLOSE.updateRejected)
    await liveRoom(server, boardId)?.whenSaved()
    const fresh = connect(server, boardId)
    await fresh.synced()
    expect(judgmentOf(fresh.doc).toDelta()).toEqual([{ insert: 'xJudgment.' }])
    expect(await withStoredDoc(server, boardId, (doc) => sharedTexts(doc).filter(hasNonStringContent).length)).toBe(0)
    expect((await storedBoard(server, boardId)).assessments[0]?.judgment).toBe('xJudgment.')
  })

  it('the layout rule too: the schema version set to the server’s own, then to 99 beside it, both sent during a commit, close their sender 4422 and the board keeps its version', async () => {
    const board = await boardWithHonestClient()
    const { server, boardId, honest } = board
    // Each placed after the value before it, so that it becomes the value whatever the client ids (Yjs orders rivals by them).
    const stored = metaMap(honest.doc)._map.get('schemaVersion')!
    const allowed = craftedItem({ client: ATTACKER_CLIENT, clock: 0 }, { after: stored.lastId }, { any: 1 })
    const beside = craftedItem({ client: ATTACKER_CLIENT, clock: 1 }, { after: Y.createID(ATTACKER_CLIENT, 0) }, { any: 99 })
    const attacker = await sendDuringCommit(board, [allowed, beside])

    // The first alone is allowed: applied once the commit completes.
    const room = liveRoom(server, boardId)!
    await waitFor(() => Y.getState(room.doc.store, ATTACKER_CLIENT) > 0, 'the allowed version to be applied')
    await room.whenSaved()
    const fresh = connect(server, boardId)
    await fresh.synced()
    expect(metaMap(fresh.doc).get('schemaVersion')).toBe(1)
    expect((await storedBoard(server, boardId)).schemaVersion).toBe(1)
    await waitFor(() => attacker.isClosed(), 'the attacker to be closed')
    expect(await attacker.closed).toEqual(CLOSE.updateRejected)
    expect(metaMap(honest.doc).get('schemaVersion')).toBe(1)
  })
})

/** Ana's board, with Bo an editor of it: each with an API token for their sockets. */
async function twoPeopleOnABoard(server: TestServer): Promise<{ boardId: string; anaToken: string; boToken: string }> {
  const [ana, bo] = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Bo' })]
  const [anaToken, boToken] = [(await addToken(server, ana)).token, (await addToken(server, bo)).token]
  const boardId = await apiClient(server.url, { authorization: `Bearer ${anaToken}` }).createBoard('Per person')
  await addMember(server, boardId, bo, 'editor')
  return { boardId, anaToken, boToken }
}

describe('limits', () => {
  it('connections per person: over the limit the upgrade gets 429 with Retry-After; another person is not affected', async () => {
    const server = await start({ accounts: true, access: undefined, env: { WS_MAX_CONNECTIONS_PER_PERSON: '2' } })
    const { boardId, anaToken, boToken } = await twoPeopleOnABoard(server)
    const url = (token: string) => `${server.wsUrl}/${boardId}?token=${token}`
    const first = await raw(server, `${boardId}?token=${anaToken}`)
    await raw(server, `${boardId}?token=${anaToken}`)
    expect(await refusedUpgrade(url(anaToken))).toEqual({ status: UPGRADE_REFUSED.tooManyForPerson.status, retryAfter: '5' })
    expect((await refusedUpgrade(url(boToken))).status).toBe(101)
    first.terminate()
    await waitFor(async () => (await refusedUpgrade(url(anaToken))).status === 101, 'a place for Ana once one socket closed')
  })

  it('connections in total: over the limit the upgrade gets 503', async () => {
    const server = await start({ env: { WS_MAX_CONNECTIONS: '3' } })
    const boardId = await apiClient(server.url).createBoard('Total')
    for (let i = 0; i < 3; i++) await raw(server, boardId)
    expect(await refusedUpgrade(`${server.wsUrl}/${boardId}`)).toEqual({ status: UPGRADE_REFUSED.serverFull.status, retryAfter: '5' })
    expect(server.services.rooms.connectionCount).toBe(3)
  })

  it('messages a second: a flood closes its sender with the rate-limit code', async () => {
    const server = await start({ env: { WS_MAX_MESSAGES_PER_SECOND: '20', METRICS_TOKEN } })
    const boardId = await apiClient(server.url).createBoard('Flood')
    const [a, b] = [connect(server, boardId), connect(server, boardId)]
    await Promise.all([a.synced(), b.synced()])
    const flooder = await raw(server, boardId)
    for (let i = 0; i < 200; i++) flooder.send(frames.queryAwareness())
    expect(await flooder.closed).toEqual(CLOSE.rateLimited)
    expect(await metricsText(server)).toContain(`assay_connection_closes_total{code="${CLOSE.rateLimited.code}"} 1`)
    addAssessment(a.doc, { title: 'Unaffected' })
    await waitFor(() => titles(b, boardId).includes('Unaffected'), 'the others to carry on')
  })

  it('bytes a second: past the burst of one largest frame, the sender is closed with the rate-limit code', async () => {
    const server = await start({ env: { WS_MAX_BYTES_PER_SECOND: '1024' } })
    const boardId = await apiClient(server.url).createBoard('Bytes')
    const sender = await raw(server, boardId)
    // A query-awareness frame reads nothing after its type: nine MiB of padding is harmless but counts.
    const padded = new Uint8Array(9 * 1024 * 1024)
    padded[0] = frames.queryAwareness()[0]!
    sender.send(padded)
    await waitFor(() => receivedPresenceFrames(sender) === 1, 'the first padded query to be answered')
    sender.send(padded)
    expect(await sender.closed).toEqual(CLOSE.rateLimited)
  })

  it('bytes a second are a person’s, over all their sockets: a second socket cannot send what the first already spent, nor one opened after both closed; another person is not affected', async () => {
    const server = await start({ accounts: true, access: undefined, env: { WS_MAX_BYTES_PER_SECOND: '1024' } })
    const { boardId, anaToken, boToken } = await twoPeopleOnABoard(server)
    const padded = new Uint8Array(9 * 1024 * 1024)
    padded[0] = frames.queryAwareness()[0]!
    const answered = async (token: string) => {
      const socket = await raw(server, `${boardId}?token=${token}`)
      socket.send(padded)
      await waitFor(() => receivedPresenceFrames(socket) === 1 || socket.isClosed(), 'the padded query to be answered or refused')
      return socket.isClosed() ? await socket.closed : 'answered'
    }

    const first = await raw(server, `${boardId}?token=${anaToken}`)
    first.send(padded)
    await waitFor(() => receivedPresenceFrames(first) === 1, 'Ana’s first padded query to be answered')
    expect(await answered(anaToken)).toEqual(CLOSE.rateLimited)
    first.terminate()
    await waitFor(() => server.services.rooms.connectionCount === 0, 'Ana’s sockets to be gone')
    expect(await answered(anaToken)).toEqual(CLOSE.rateLimited)
    expect(await answered(boToken)).toBe('answered')
  })

  it('bytes written an hour are a person’s: past them their socket is closed 4429 and the change is not stored; what a client sends again that the board holds spends nothing; another person carries on', async () => {
    const server = await start({ accounts: true, access: undefined, env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: '65536' } })
    const { boardId, anaToken, boToken } = await twoPeopleOnABoard(server)
    const ana = connect(server, boardId, { token: anaToken })
    const closes = closeCodes(ana)
    await ana.synced()
    const judgment = 'An eyewitness account from the border crossing. '.repeat(200)
    const added: string[] = []
    const addCard = async () => {
      added.push(addAssessment(ana.doc, { title: `Card ${added.length}`, judgment }))
      await waitFor(async () => closes.length > 0 || (await storedBoard(server, boardId)).assessments.length === added.length || undefined, 'the card to be stored or refused')
    }
    for (let i = 0; i < 3; i++) await addCard()

    // Ana's whole board, sent again twenty times from another socket of hers (600 KB): the board takes in none of it.
    const again = await raw(server, `${boardId}?token=${anaToken}`)
    for (let i = 0; i < 20; i++) again.send(frames.update(Y.encodeStateAsUpdate(ana.doc)))
    again.send(frames.queryAwareness())
    await waitFor(() => receivedPresenceFrames(again) > 0 || again.isClosed(), 'the frames sent again to be handled')
    expect(again.isClosed()).toBe(false)

    while (closes.length === 0 && added.length < 20) await addCard()
    expect(closes).toEqual([CLOSE.writtenTooMuch.code])
    // About 9.7 KB a card: six fit in 64 KiB, the seventh is past it.
    expect(added).toHaveLength(7)
    expect((await storedBoard(server, boardId)).assessments.map((card) => card.title).sort()).toEqual(added.slice(0, 6).map((_, i) => `Card ${i}`))

    const bo = connect(server, boardId, { token: boToken })
    await bo.synced()
    addAssessment(bo.doc, { title: 'Bo carries on', judgment })
    await waitFor(async () => (await storedBoard(server, boardId)).assessments.some((card) => card.title === 'Bo carries on') || undefined, 'Bo’s card to be stored')
  })

  it('bytes written an hour count a person’s HTTP edits and imports too: past them 429 with nothing stored, and their socket is refused as well; another person carries on', async () => {
    const server = await start({ accounts: true, access: undefined, env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: '65536' } })
    const { boardId, anaToken, boToken } = await twoPeopleOnABoard(server)
    const asAna = apiClient(server.url, { authorization: `Bearer ${anaToken}` })
    const judgment = 'An eyewitness account from the border crossing. '.repeat(180)
    const statuses: number[] = []
    while (!statuses.includes(429) && statuses.length < 20) statuses.push((await asAna.post(`/api/boards/${boardId}/assessments`, { title: `Card ${statuses.length}`, judgment })).status)
    // About 8.7 KB a card, and 1 KiB for its entry, a struct of a root type (ROOT_STRUCT_BYTES): six fit in 64 KiB.
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429])
    // What is left (about 6.9 KB) takes a short report, not one of 8 KB.
    const refused = await asAna.post<{ error: { code: string } }>(`/api/boards/${boardId}/import`, { text: largeSourceDocument(8000) })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('written_too_much')
    expect(refused.headers.get('retry-after')).toBe('60')
    expect((await storedBoard(server, boardId)).assessments).toHaveLength(6)
    expect((await storedBoard(server, boardId)).claims).toHaveLength(0)
    expect((await asAna.post(`/api/boards/${boardId}/import`, { text: 'A short wire report of troops at the border. [citation: NATO]' })).status).toBe(200)
    expect((await storedBoard(server, boardId)).claims).toHaveLength(1)

    const ana = connect(server, boardId, { token: anaToken })
    const closes = closeCodes(ana)
    await ana.synced()
    addAssessment(ana.doc, { title: 'From her socket', judgment })
    await waitFor(() => closes.length > 0, 'Ana’s socket to be refused')
    expect(closes).toEqual([CLOSE.writtenTooMuch.code])
    expect((await apiClient(server.url, { authorization: `Bearer ${boToken}` }).post(`/api/boards/${boardId}/assessments`, { title: 'Bo carries on', judgment })).status).toBe(201)
  })

  it('boards loaded a minute are a person’s: past them an upgrade to a board nobody holds here gets 429, and so does an HTTP change; a board already loaded, and another person, are not affected', async () => {
    const server = await start({ accounts: true, access: undefined, env: { LOADED_BYTES_PER_MINUTE_PER_PERSON: '65536', ROOM_IDLE_MS: '0' } })
    const [ana, bo] = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Bo' })]
    const [anaToken, boToken] = [(await addToken(server, ana)).token, (await addToken(server, bo)).token]
    const asAna = apiClient(server.url, { authorization: `Bearer ${anaToken}` })
    const asBo = apiClient(server.url, { authorization: `Bearer ${boToken}` })
    // Three boards of some 40 KB, stored while nobody holds them (making a board loads it on nobody).
    const heavy = new Y.Doc()
    heavy.getText('notes').insert(0, 'An eyewitness account from the border crossing. '.repeat(800))
    const stored = Y.encodeStateAsUpdate(heavy)
    heavy.destroy()
    const boards: string[] = []
    for (let i = 0; i < 3; i++) {
      const boardId = await asAna.createBoard(`Heavy ${i}`)
      await addMember(server, boardId, bo, 'editor')
      await waitFor(() => !liveRoom(server, boardId), 'the new board to unload')
      await server.services.storage.log.append(boardId, [{ update: stored, origin: 'server' }])
      boards.push(boardId)
    }
    const url = (boardId: string, token: string) => `${server.wsUrl}/${boardId}?token=${token}`

    // 40 KB, then 80 KB of the 64 KiB a minute: the third board is refused.
    expect((await refusedUpgrade(url(boards[0]!, anaToken))).status).toBe(101)
    expect((await refusedUpgrade(url(boards[1]!, anaToken))).status).toBe(101)
    expect(await refusedUpgrade(url(boards[2]!, anaToken))).toEqual({ status: UPGRADE_REFUSED.loadingTooMuch.status, retryAfter: '5' })
    expect(liveRoom(server, boards[2]!)).toBeUndefined()
    const change = await asAna.post<{ error: { code: string } }>(`/api/boards/${boards[1]}/assessments`, { title: 'Loads the board again' })
    expect(change.status).toBe(429)
    expect(change.body.error.code).toBe('loading_too_much')
    expect(change.headers.get('retry-after')).toBe('5')

    // Bo loads what he opens on his own minute; once loaded, the board costs Ana nothing.
    const bos = await raw(server, `${boards[2]}?token=${boToken}`)
    await waitFor(() => liveRoom(server, boards[2]!), 'Bo’s board to load')
    expect((await refusedUpgrade(url(boards[2]!, anaToken))).status).toBe(101)
    expect((await asAna.post(`/api/boards/${boards[2]}/assessments`, { title: 'Ana, on a board Bo holds' })).status).toBe(201)
    expect((await asBo.post(`/api/boards/${boards[1]}/assessments`, { title: 'Bo carries on' })).status).toBe(201)
    bos.terminate()
  })

  it('bytes a second: a query’s answer counts as if its sender had sent it; one its budget cannot cover closes it with the rate-limit code', async () => {
    const server = await start({ env: { WS_MAX_BYTES_PER_SECOND: '1024' } })
    const boardId = await apiClient(server.url).createBoard('Answer bytes')
    const asker = await raw(server, boardId)
    const present = await raw(server, boardId)
    // Four states of a card id 1,000 characters long (the relay passes on only what pages read): some 4.3 KB of presence.
    const ids = [77, 78, 79, 80]
    present.send(frames.awareness(ids.map((clientId) => ({ clientId, clock: 1, json: JSON.stringify({ focus: { assessmentId: 'x'.repeat(1000), field: null } }) }))))
    await waitFor(() => ids.every((clientId) => liveRoom(server, boardId)?.awareness.getStates().has(clientId)), 'the presence at the server')
    // The padding leaves 2 KiB of the burst: less than the answer, 4.3 KB of presence.
    const padded = new Uint8Array(16 * 1024 * 1024 - 2048)
    padded[0] = frames.queryAwareness()[0]!
    asker.send(padded)
    await waitFor(() => asker.isClosed(), 'the asker to be closed')
    expect(await asker.closed).toEqual(CLOSE.rateLimited)
    expect(receivedPresenceFrames(asker)).toBe(1)
    expect(present.isClosed()).toBe(false)
  })

  /** A board of about a megabyte, so that each full sync reply is large, and its writer. */
  async function largeBoard(server: TestServer): Promise<{ boardId: string; writer: TestClient }> {
    const boardId = await apiClient(server.url).createBoard('Large')
    const writer = connect(server, boardId)
    await writer.synced()
    // Fifty judgments of the longest length a judgment may have.
    writer.doc.transact(() => {
      for (let i = 0; i < 50; i++) assessmentText(writer.doc, addAssessment(writer.doc, { title: `Long ${i}` }), 'judgment').insert(0, 'word '.repeat(4000))
    })
    const room = liveRoom(server, boardId)!
    await waitFor(() => boardToModel(room.doc, boardId).assessments.length === 50, 'the large board at the server')
    await room.whenSaved()
    return { boardId, writer }
  }

  /** A socket that stops reading: what the server sends it piles up in the server. */
  async function stalledReader(server: TestServer, boardId: string): Promise<RawSocket> {
    const socket = await raw(server, `${boardId}?as=reviewer`)
    ;(socket.socket as unknown as { _socket: Socket })._socket.pause()
    return socket
  }

  it('bytes queued to one slow reader: past the limit it is dropped and its backlog freed', async () => {
    const server = await start({ env: { WS_MAX_QUEUED_BYTES_PER_CONNECTION: String(1024 * 1024) } })
    const { boardId } = await largeBoard(server)
    const slow = await stalledReader(server, boardId)
    for (let i = 0; i < 40; i++) slow.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => liveRoom(server, boardId)?.connections.size === 1, 'the slow reader to be dropped', 20_000)
    expect(server.services.rooms.outbound.queuedBytes).toBeLessThan(1024 * 1024)
  })

  it('bytes queued to slow readers in total: the largest backlogs go first and the total stays under the cap', async () => {
    const cap = 4 * 1024 * 1024
    const { sink, lines } = logLines()
    const server = await start({ env: { WS_MAX_QUEUED_BYTES: String(cap) }, logSink: sink })
    const { boardId, writer } = await largeBoard(server)
    const budget = server.services.rooms.outbound
    let highest = 0
    const sampler = setInterval(() => (highest = Math.max(highest, budget.queuedBytes)), 1)
    try {
      const slow = await Promise.all(Array.from({ length: 8 }, () => stalledReader(server, boardId)))
      for (const socket of slow) for (let i = 0; i < 20; i++) socket.send(frames.syncStep1(new Uint8Array([0])))
      const overloaded = () => lines.filter((line) => line.code === CLOSE.serverOverloaded.code).length
      await waitFor(() => overloaded() >= 2, 'slow readers to be dropped for the total', 20_000)
    } finally {
      clearInterval(sampler)
    }
    expect(highest).toBeLessThanOrEqual(cap)
    addAssessment(writer.doc, { title: 'The writer carries on' })
    const joiner = connect(server, boardId)
    await waitFor(() => titles(joiner, boardId).includes('The writer carries on'), 'a fresh joiner to get the board', 20_000)
  })

  it('sync step 1s: replies count against their sender, so a reviewer asking for the whole board again and again is closed 4029, while a provider resyncing every 20 ms is never refused', async () => {
    const server = await start()
    const { boardId, writer } = await largeBoard(server)
    const resyncing = connect(server, boardId, { as: 'reviewer' })
    const resyncingCloses = closeCodes(resyncing)
    await resyncing.synced()
    // What the provider's `resyncInterval` option sends (its timer needs a global WebSocket, which Node lacks).
    const resync = setInterval(() => resyncing.provider.ws?.send(new Uint8Array(frames.syncStep1(Y.encodeStateVector(resyncing.doc)))), 20)
    onTestFinished(() => clearInterval(resync))

    // A client id the board has never seen: the vector of a client that holds nothing, a megabyte's reply for nine bytes.
    const asker = await raw(server, `${boardId}?as=reviewer`)
    const ask = frames.syncStep1(Y.encodeStateVector(new Map([[123456789, 5]])))
    const replyBytes = Y.encodeStateAsUpdate(liveRoom(server, boardId)!.doc).byteLength
    // Twice the replies the burst of bytes holds (16 MiB), so that what refills meanwhile does not matter.
    for (let i = 0; i < 2 * Math.ceil((16 * 1024 * 1024) / replyBytes); i++) asker.send(ask)
    await waitFor(() => asker.isClosed(), 'the asker to be closed')
    expect(await asker.closed).toEqual(CLOSE.rateLimited)

    for (let i = 0; i < 20; i++) addAssessment(writer.doc, { title: `Edited while resyncing ${i}` })
    await waitFor(() => titles(resyncing, boardId).length === 70, 'the edits at the resyncing provider')
    expect(resyncingCloses).toEqual([])
    expect(resyncing.provider.wsconnected).toBe(true)
  })
})

const redisMissing = await missingServices('postgres', 'redis')

describeUnless(redisMissing)('the Redis path', () => {
  it('a catch-up whose database read fails while Redis reconnects is logged, and the board carries on', async () => {
    const { sink, lines } = logLines()
    let failLoads = false
    const failingLoads = (storage: Storage): Storage => ({
      ...storage,
      log: {
        append: (boardId, entries) => storage.log.append(boardId, entries),
        load: (boardId) => storage.log.load(boardId),
        // What a catch-up reads.
        loadSince: (boardId, afterSeq) => (failLoads ? Promise.reject(new Error('connection terminated')) : storage.log.loadSince(boardId, afterSeq)),
        compact: (boardId, merge) => storage.log.compact(boardId, merge),
        count: (boardId) => storage.log.count(boardId),
        bytes: (boardId) => storage.log.bytes(boardId),
        writers: (boardId) => storage.log.writers(boardId),
        dateBackFuture: () => storage.log.dateBackFuture(),
        appendInTurn: storage.log.appendInTurn?.bind(storage.log),
      },
    })
    const proxy = await startTcpProxy({ host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) })
    const redisThroughProxy = new URL(REDIS_URL)
    redisThroughProxy.hostname = '127.0.0.1'
    redisThroughProxy.port = String(proxy.port)
    try {
      const one = await start({ dialect: 'postgres', env: { REDIS_URL } })
      const two = await start({ dialect: 'postgres', database: one.database, env: { REDIS_URL: redisThroughProxy.toString() }, wrapStorage: failingLoads, logSink: sink })
      const boardId = await apiClient(one.url).createBoard('Blip')
      const [a, b] = [connect(one, boardId), connect(two, boardId)]
      await Promise.all([a.synced(), b.synced()])
      failLoads = true
      // Only instance two's Redis connections go through the proxy; when they come back it catches up from the log.
      proxy.cut()
      await new Promise((resolve) => setTimeout(resolve, 100))
      proxy.restore()
      await waitFor(() => lines.some((line) => String(line.msg).startsWith('catch-up from the update log failed')), 'the failed catch-up to be logged')
      failLoads = false
      addAssessment(a.doc, { title: 'Across instances after the blip' })
      await waitFor(() => titles(b, boardId).includes('Across instances after the blip'), 'the edit across instances')
    } finally {
      await proxy.close()
    }
  })
})
