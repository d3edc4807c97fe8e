/**
 * The client ids an instance writes under itself stay the server's on every
 * instance (server/relay/server-client-ids.ts). Instance one stamps the
 * author of an editor's card under its stamp id inside her update, so the
 * commit's only author is her; instance two took every id that commit wrote
 * first for hers, the stamp id included, let her write under it, and stored
 * it (red team 31c). Instance one then found its stamp id's clock moved on its
 * next load and drew a fresh one: a board gained an id each time its room
 * there unloaded, outside NEW_CLIENTS_PER_HOUR. Now a relayed commit tells who
 * was stored as each id's first writer (relayed-commit.ts); and where a
 * message of an earlier version tells only its author, the first commit
 * writing under a guessed id has the database compare it with the writer it
 * holds. A catch-up from the log reads the stored writers with the rows. The
 * ids a server-side change writes under (an HTTP edit's, an import's) are
 * relayed as the server's too.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { Redis } from 'ioredis'
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { SERVER_WRITER, WRITER_IDS_PER_ACCOUNT, WRITER_IDS_SLACK } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { SAMPLE_ARTICLE } from './helpers/sample-article.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { storedBoard, withStoredDoc } from './helpers/stored-board.ts'
import { REDIS_URL, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, type TestClient } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

/** Rounds of the red team's cycle: past what one id drawn by chance could look like. */
const CYCLES = 4
/** A Redis message's kind for a committed update (redis-fan-out.ts). */
const KIND_UPDATE = 0

describeUnless(missing)('the server’s own client ids, relayed to another instance', () => {
  const { start, connect, redisThroughProxy } = instancesAfterEach()
  const sockets: RawSocket[] = []
  const redises: Redis[] = []
  const prefixes: string[] = []
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate()
    const redis = new Redis(REDIS_URL)
    for (const prefix of prefixes.splice(0)) {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
    }
    for (const client of redises.splice(0)) client.disconnect()
    redis.disconnect()
  })

  /** A Redis prefix of the test's own, its keys removed after it. */
  const ownPrefix = () => {
    const prefix = `server-ids-${crypto.randomUUID()}`
    prefixes.push(prefix)
    return prefix
  }

  /**
   * Instance one, whose rooms unload as soon as nobody holds them, and
   * instance two on its database (each Redis prefix the test's own, the same
   * unless told), a board with an attacker and another editor, and the
   * attacker's page on instance two.
   */
  const boardOnTwoInstances = async ({ twoEnv = {}, prefixOne = ownPrefix(), prefixTwo = prefixOne, twoRedisUrl = REDIS_URL }: { twoEnv?: Record<string, string>; prefixOne?: string; prefixTwo?: string; twoRedisUrl?: string } = {}) => {
    const one = await start({ accounts: true, env: { ROOM_IDLE_MS: '0', REDIS_PREFIX: prefixOne } })
    const two = await start({ database: one.database, accounts: true, redisUrl: twoRedisUrl, env: { REDIS_PREFIX: prefixTwo, ...twoEnv } })
    const [owner, attacker, other] = [await addAccount(one, { name: 'Olive' }), await addAccount(one, { name: 'Mallory' }), await addAccount(one, { name: 'Vera' })]
    const ownerApi = apiClient(one.url, { authorization: `Bearer ${(await addToken(one, owner)).token}` })
    const boardId = await ownerApi.createBoard('Server ids')
    for (const editor of [attacker, other]) await addMember(one, boardId, editor, 'editor')
    const attackerToken = (await addToken(one, attacker)).token
    const pageOnTwo = connect(two, boardId, { token: attackerToken })
    await pageOnTwo.synced()
    return { one, two, boardId, attackerToken, other, pageOnTwo, ownerApi }
  }

  /** Sends `update` over a fresh socket of `server`; the socket. */
  const send = async (server: TestServer, boardId: string, token: string, update: Uint8Array) => {
    const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${token}`)
    sockets.push(socket)
    socket.send(frames.update(update))
    return socket
  }

  /**
   * The attacker's page on instance one (always one client id) adds a card
   * naming someone else as its author, so that instance one stamps it under its
   * stamp id; once the card is stored, the page leaves and instance one's room
   * unloads. `reachTwo` runs then. The stamp id: the one id besides the page's
   * that wrote, once the card is on instance two.
   */
  const stampedOnOne = async (one: TestServer, boardId: string, token: string, pageId: number, seenOnTwo: TestClient, byOther: string, title: string, reachTwo = () => {}) => {
    const before = Y.decodeStateVector(Y.encodeStateVector(seenOnTwo.doc))
    const page = await send(one, boardId, token, forgedUpdate(Y.encodeStateAsUpdate(seenOnTwo.doc), pageId, (doc) => addAssessment(doc, { title }, { by: byOther })))
    await waitFor(async () => (await storedBoard(one, boardId)).assessments.some((card) => card.title === title), 'the card stored')
    page.terminate()
    await waitFor(() => !one.services.rooms.loadedRooms.has(boardId), 'instance one’s room to unload')
    reachTwo()
    await waitFor(() => boardToModel(seenOnTwo.doc, boardId).assessments.some((card) => card.title === title), 'the card on instance two')
    const after = Y.decodeStateVector(Y.encodeStateVector(seenOnTwo.doc))
    const wrote = [...after].filter(([client, clock]) => client !== pageId && clock > (before.get(client) ?? 0)).map(([client]) => client)
    expect(wrote).toHaveLength(1)
    return wrote[0]!
  }

  /** The attacker writes a card under `clientId` on instance two: how its socket closed, and whether the card was stored. */
  const forgeOnTwo = async (one: TestServer, two: TestServer, boardId: string, token: string, seenOnTwo: TestClient, clientId: number, title: string) => {
    const socket = await send(two, boardId, token, forgedUpdate(Y.encodeStateAsUpdate(seenOnTwo.doc), clientId, (doc) => addAssessment(doc, { title })))
    await waitFor(() => socket.isClosed(), 'the forged update’s socket to be closed')
    const stored = (await storedBoard(one, boardId)).assessments.some((card) => card.title === title)
    return { code: (await socket.closed).code, stored }
  }

  it('refuses a member writing under instance one’s stamp id on instance two, and the board’s ids stay as they were across unloads', async () => {
    const { one, two, boardId, attackerToken, other, pageOnTwo } = await boardOnTwoInstances()
    const pageId = new Y.Doc().clientID
    const stampIds = new Set<number>()
    const storedIds: number[] = []
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const stampId = await stampedOnOne(one, boardId, attackerToken, pageId, pageOnTwo, other.id, `Card ${cycle}`)
      stampIds.add(stampId)
      expect(await forgeOnTwo(one, two, boardId, attackerToken, pageOnTwo, stampId, `UNDER THE STAMP ID ${cycle}`)).toEqual({ code: CLOSE.updateRejected.code, stored: false })
      storedIds.push(await withStoredDoc(one, boardId, (doc) => doc.store.clients.size))
    }
    // Instance one wrote under one stamp id throughout, and the board gained no id after the first round.
    expect(stampIds.size).toBe(1)
    expect(new Set(storedIds).size).toBe(1)
    const writers = await one.services.storage.log.writers(boardId)
    expect(writers.find((writer) => writer.clientId === [...stampIds][0])?.userId).toBe(SERVER_WRITER)
  })

  it('has the database refuse a write under the stamp id guessed a member’s from an earlier version’s message, which tells only its author', async () => {
    const [prefixOne, prefixTwo] = [ownPrefix(), ownPrefix()]
    // No catch-up from the log during the test: only the relayed message tells instance two who wrote what.
    const { one, two, boardId, attackerToken, other, pageOnTwo } = await boardOnTwoInstances({ twoEnv: { REDIS_CATCH_UP_INTERVAL_MS: '3600000' }, prefixOne, prefixTwo })
    // The instances hear each other only through this bridge, which relays instance one's commits as an earlier version wrote them.
    const [listener, publisher] = [new Redis(REDIS_URL), new Redis(REDIS_URL)]
    redises.push(listener, publisher)
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(message))
      decoding.readVarString(decoder)
      if (decoding.readVarUint(decoder) !== KIND_UPDATE) return
      const payload = decoding.readVarUint8Array(decoder)
      const authors = Array.from({ length: decoding.readVarUint(decoder) }, () => decoding.readVarString(decoder))
      const encoder = encoding.createEncoder()
      encoding.writeVarString(encoder, crypto.randomUUID())
      encoding.writeVarUint(encoder, KIND_UPDATE)
      encoding.writeVarUint8Array(encoder, payload)
      encoding.writeVarUint(encoder, authors.length)
      for (const author of authors) encoding.writeVarString(encoder, author)
      void publisher.publish(two.services.redis!.channelOf(boardId), Buffer.from(encoding.toUint8Array(encoder)))
    })
    await listener.subscribe(one.services.redis!.channelOf(boardId))

    const stampId = await stampedOnOne(one, boardId, attackerToken, new Y.Doc().clientID, pageOnTwo, other.id, 'Card')
    expect(await forgeOnTwo(one, two, boardId, attackerToken, pageOnTwo, stampId, 'UNDER THE STAMP ID')).toEqual({ code: CLOSE.updateRejected.code, stored: false })
    const writers = await one.services.storage.log.writers(boardId)
    expect(writers.find((writer) => writer.clientId === stampId)?.userId).toBe(SERVER_WRITER)
  })

  it('takes the writers of the ids a catch-up from the log brings from the database: the stamp id stays the server’s on instance two', async () => {
    const { proxy, redisUrl } = await redisThroughProxy()
    const { one, two, boardId, attackerToken, other, pageOnTwo } = await boardOnTwoInstances({ twoRedisUrl: redisUrl })
    const reloads = closeCodes(pageOnTwo)
    // Instance two hears nothing of the card and its stamp over Redis: it reads them from the log once Redis is back.
    proxy.cut()
    const stampId = await stampedOnOne(one, boardId, attackerToken, new Y.Doc().clientID, pageOnTwo, other.id, 'Card', () => proxy.restore())
    expect(await forgeOnTwo(one, two, boardId, attackerToken, pageOnTwo, stampId, 'UNDER THE STAMP ID')).toEqual({ code: CLOSE.updateRejected.code, stored: false })
    // Refused as it arrived, not by the database after it was applied: instance two's room was not reloaded.
    expect(reloads).toEqual([])
  })

  it('takes the ids an HTTP edit and an import wrote on instance one for the server’s on instance two, as they are relayed', async () => {
    const { one, two, boardId, attackerToken, pageOnTwo, ownerApi } = await boardOnTwoInstances()
    const reloads = closeCodes(pageOnTwo)
    const before = Y.decodeStateVector(Y.encodeStateVector(pageOnTwo.doc))
    expect((await ownerApi.post(`/api/boards/${boardId}/assessments`, { title: 'By HTTP' })).status).toBe(201)
    expect((await ownerApi.post<{ outcome: string }>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })).body.outcome).toBe('import')
    const stored = await withStoredDoc(one, boardId, (doc) => Y.encodeStateVector(doc))
    await waitFor(() => Buffer.from(Y.encodeStateVector(pageOnTwo.doc)).equals(stored), 'instance two to hold the board as stored')
    const serverIds = [...Y.decodeStateVector(stored)].filter(([client, clock]) => clock > (before.get(client) ?? 0)).map(([client]) => client)
    expect(serverIds.length).toBeGreaterThanOrEqual(2)
    for (const clientId of serverIds) {
      expect(await forgeOnTwo(one, two, boardId, attackerToken, pageOnTwo, clientId, `UNDER ${clientId}`)).toEqual({ code: CLOSE.updateRejected.code, stored: false })
    }
    // Refused as they arrived: instance two's room was not reloaded for a commit the database refused.
    expect(reloads).toEqual([])
    const writers = new Map((await one.services.storage.log.writers(boardId)).map((writer) => [writer.clientId, writer.userId]))
    expect(serverIds.map((clientId) => writers.get(clientId))).toEqual(serverIds.map(() => SERVER_WRITER))
  })

  it('keeps the creation id the server’s on instance two through more server ids relayed than an account keeps', async () => {
    const { one, two, boardId, attackerToken, other, pageOnTwo, ownerApi } = await boardOnTwoInstances()
    // Two importers: each import's id counts against its person's NEW_CLIENTS_PER_HOUR, which one alone would pass.
    const importers = [ownerApi, apiClient(one.url, { authorization: `Bearer ${(await addToken(one, other)).token}` })]
    const reloads = closeCodes(pageOnTwo)
    const [creation] = await one.services.storage.log.writers(boardId)
    expect(creation?.userId).toBe(SERVER_WRITER)
    // A page on instance one keeps its room loaded: no import loads the board again there.
    await connect(one, boardId, { token: attackerToken }).synced()
    // Each import on instance one writes under an id of its own, relayed to instance two as the server's.
    for (let n = 0; n <= WRITER_IDS_PER_ACCOUNT + WRITER_IDS_SLACK; n++) {
      expect((await importers[n % importers.length]!.post(`/api/boards/${boardId}/import`, { text: `Convoy ${n} left at dawn. [citation: Source ${n}]` })).status).toBe(200)
    }
    const stored = await withStoredDoc(one, boardId, (doc) => Y.encodeStateVector(doc))
    await waitFor(() => Buffer.from(Y.encodeStateVector(pageOnTwo.doc)).equals(stored), 'instance two to hold the board as stored', 60_000)
    expect(await forgeOnTwo(one, two, boardId, attackerToken, pageOnTwo, creation!.clientId, 'UNDER THE CREATION ID')).toEqual({ code: CLOSE.updateRejected.code, stored: false })
    // Refused as it arrived: had instance two's memory dropped the id, the database would have refused the commit and its room been reloaded.
    expect(reloads).toEqual([])
  }, 180_000)
})
