import { Redis } from 'ioredis'
import * as decoding from 'lib0/decoding'
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { collection } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import type { Storage } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken, signedInClient, upgradeStatus } from './helpers/accounts.ts'
import { apiClient, type ApiResponse } from './helpers/api.ts'
import { AppendControl } from './helpers/append-control.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { REDIS_URL, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { redisBack, redisLost, redisReadiness } from './helpers/redis-status.ts'
import { closeCodes, connectClient } from './helpers/yjs-client.ts'

/** A bus message starts with the sending instance's id, then its kind: 0 for a committed update, 1 for presence, 3 for a catch-up. */
const BUS_KIND_UPDATE = 0
const BUS_KIND_AWARENESS = 1
const BUS_KIND_CATCH_UP = 3
function busMessageKind(message: Buffer): number {
  return readBusMessage(message).kind
}
function readBusMessage(message: Buffer): { kind: number; payload: Uint8Array } {
  const decoder = decoding.createDecoder(new Uint8Array(message))
  decoding.readVarString(decoder)
  return { kind: decoding.readVarUint(decoder), payload: decoding.readVarUint8Array(decoder) }
}

const missing = await missingServices('postgres', 'redis')

/**
 * How often the instance whose Redis connections go silent pings them (REDIS_PING_INTERVAL_MS; 5 s by default, which
 * server/config.test.ts checks): what the test is about is that it notices and connects afresh, not how soon.
 */
const PING_EVERY_MS = '500'
/** How long an instance may take to notice a silent Redis connection and connect afresh (a ping every 0.5 s, 2 s to answer): a bound, not a measurement. */
const SILENCE_NOTICED_MS = 20_000
/** How long an instance may take to be back on Redis once it is reachable, and to act on it (reconnects back off to at most 2 s): a bound, not a measurement. */
const BACK_ON_REDIS_MS = 20_000

describeUnless(missing)('several instances on PostgreSQL and Redis', () => {
  const { clients, start, startChild, connect, redisThroughProxy } = instancesAfterEach()
  /** Until `server`'s room of the board holds `cards` assessments, all committed. */
  const cardsCommitted = (server: TestServer, boardId: string, cards: number) =>
    waitFor(() => {
      const room = server.services.rooms.loadedRooms.get(boardId)
      return room !== undefined && collection(room.doc, 'assessments').size === cards && room.isSaved
    }, `${cards} cards committed`)
  /**
   * Two instances on one board, the second reaching Redis through a proxy the
   * test can cut (only its connections: nothing else on the shared Redis is
   * touched), a client on each, and a listener of the test's own that sees
   * what is published on the board's channel (disconnect it after); `env`
   * holds settings of the second.
   */
  const behindProxy = async (title: string, logSink?: (line: string) => void, env?: Record<string, string>) => {
    const one = await start()
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, redisUrl, logSink, env })
    const boardId = await apiClient(one.url).createBoard(title)
    const a = connect(one, boardId)
    const b = connect(two, boardId)
    await Promise.all([a.synced(), b.synced()])
    const listener = new Redis(REDIS_URL)
    const publishedKinds: number[] = []
    const published: Buffer[] = []
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
      publishedKinds.push(busMessageKind(message))
      published.push(message)
    })
    await listener.subscribe(one.services.redis!.channelOf(boardId))
    return { a, b, two, boardId, proxy, listener, publishedKinds, published }
  }

  it('relays edits and presence between clients of different instances', async () => {
    const one = await start()
    const two = await start({ database: one.database })
    const boardId = await apiClient(one.url).createBoard('Shared')
    const a = connect(one, boardId)
    const b = connect(two, boardId)
    await Promise.all([a.synced(), b.synced()])
    addAssessment(a.doc, { title: 'From instance one' })
    await waitFor(() => boardToModel(b.doc, boardId).assessments.length === 1, 'the edit at instance two')
    addAssessment(b.doc, { title: 'From instance two' })
    await waitFor(() => boardToModel(a.doc, boardId).assessments.length === 2, 'the edit at instance one')
    a.provider.awareness.setLocalStateField('user', { name: 'Ana', color: '#0a7' })
    await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.color === '#0a7', 'presence across instances')
    a.provider.disconnect()
    await waitFor(() => !b.provider.awareness.getStates().has(a.doc.clientID), 'presence removed across instances')
    // HTTP edits on one instance reach clients of the other.
    const created = await apiClient(two.url).post(`/api/boards/${boardId}/assessments`, { title: 'Over HTTP at two' })
    expect(created.status).toBe(201)
    a.provider.connect()
    await waitFor(() => boardToModel(a.doc, boardId).assessments.length === 3, 'the HTTP edit at instance one')
  })

  it('a board nobody has open on one instance, kept loaded there, takes the edits made on another', async () => {
    const one = await start()
    const two = await start({ database: one.database })
    const boardId = await apiClient(one.url).createBoard('Kept on two')
    const visitor = connect(two, boardId)
    await visitor.synced()
    const kept = two.services.rooms.loadedRooms.get(boardId)
    visitor.destroy()
    await waitFor(() => kept?.connections.size === 0 && two.services.rooms.idleRoomCount === 1, 'the room on two to be idle')
    const writer = connect(one, boardId)
    await writer.synced()
    addAssessment(writer.doc, { title: 'Written on one while two kept the board' })
    await waitFor(() => collection(kept!.doc, 'assessments').size === 1, 'the edit in the idle room on two')
    const fresh = connect(two, boardId)
    await fresh.synced()
    expect(boardToModel(fresh.doc, boardId).assessments.map((a) => a.title)).toEqual(['Written on one while two kept the board'])
    expect(two.services.rooms.loadedRooms.get(boardId)).toBe(kept)
  })

  /**
   * A token's socket on instance `one`, with the close codes it gets, and
   * what revokes the token through instance `two`.
   */
  const tokenSocket = async (one: TestServer, two: TestServer, title: string) => {
    const owner = await addAccount(one)
    const { id: tokenId, token } = await addToken(one, owner)
    const boardId = await apiClient(one.url, { authorization: `Bearer ${token}` }).createBoard(title)
    const socket = connectClient(one.wsUrl, boardId, { token })
    clients.push(socket)
    await socket.synced()
    const closes: number[] = []
    socket.provider.on('connection-close', (event) => {
      if (event) closes.push(event.code)
    })
    return {
      closes,
      revokeOnTwo: async () => expect((await apiClient(two.url, { authorization: `Bearer ${token}` }).delete(`/api/tokens/${tokenId}`)).status).toBe(204),
      upgradeStatusOnOne: () => upgradeStatus(`${one.wsUrl}/${boardId}?token=${token}`),
    }
  }

  it('revoking a token on one instance closes its socket on another at once', async () => {
    const one = await start({ accounts: true })
    const two = await start({ database: one.database, accounts: true })
    const { closes, revokeOnTwo, upgradeStatusOnOne } = await tokenSocket(one, two, 'Revocation')
    await revokeOnTwo()
    await waitFor(() => closes.includes(CLOSE.accessChanged.code), 'the socket on instance one to close')
    expect(await upgradeStatusOnOne()).toBe(401)
  })

  it('a token revoked on an instance cut off Redis closes its socket on another at once, through PostgreSQL', async () => {
    const one = await start({ accounts: true })
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, accounts: true, redisUrl })
    const { closes, revokeOnTwo, upgradeStatusOnOne } = await tokenSocket(one, two, 'Revocation during a cut')
    proxy.cut()
    await redisLost(two.url)
    await revokeOnTwo()
    await waitFor(() => closes.includes(CLOSE.accessChanged.code), 'the socket on instance one to close')
    expect((await redisReadiness(two.url)).redis?.status).not.toBe('ok')
    expect(await upgradeStatusOnOne()).toBe(401)
  })

  /**
   * An editor's token socket on instance `two`, which reaches Redis through a
   * proxy the test cuts, on a board owned on instance `one`, where `asOwner`
   * and `asAdmin` act: whatever they change on `one` while `two` is cut off
   * is told to nobody there.
   */
  const editorOnCutOffInstance = async (
    title: string,
    options: { wrapStorage?: (storage: Storage) => Storage; logSink?: (line: string) => void; env?: Record<string, string> } = {},
  ) => {
    const one = await start({ accounts: true })
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, accounts: true, redisUrl, ...options })
    const bearer = async (server: TestServer, account: Awaited<ReturnType<typeof addAccount>>) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
    const [owner, admin, editor] = [await addAccount(one), await addAccount(one, { isAdmin: true }), await addAccount(one)]
    const [asOwner, asAdmin] = [await bearer(one, owner), await bearer(one, admin)]
    const editorToken = await addToken(one, editor)
    const boardId = await asOwner.createBoard(title)
    await addMember(one, boardId, editor, 'editor')
    const socket = connect(two, boardId, { token: editorToken.token })
    await socket.synced()
    return {
      one,
      two,
      proxy,
      boardId,
      editor,
      admin,
      editorToken,
      asOwner,
      asAdmin,
      asEditorOnTwo: apiClient(two.url, { authorization: `Bearer ${editorToken.token}` }),
      socket,
      closes: closeCodes(socket),
      cutOff: async () => {
        proxy.cut()
        await redisLost(two.url)
      },
      upgradeOnTwo: () => upgradeStatus(`${two.wsUrl}/${boardId}?token=${editorToken.token}`),
    }
  }
  type EditorOnCutOffInstance = Awaited<ReturnType<typeof editorOnCutOffInstance>>

  const rightsTakenAway: { what: string; takeAway: (on: EditorOnCutOffInstance) => Promise<ApiResponse>; code: number; upgrade: number }[] = [
    { what: 'the editor removed', takeAway: (on) => on.asOwner.delete(`/api/boards/${on.boardId}/members/${on.editor.id}`), code: CLOSE.accessChanged.code, upgrade: 404 },
    { what: 'the editor demoted', takeAway: (on) => on.asOwner.patch(`/api/boards/${on.boardId}/members/${on.editor.id}`, { role: 'reviewer' }), code: CLOSE.accessChanged.code, upgrade: 101 },
    { what: 'the board archived', takeAway: (on) => on.asOwner.post(`/api/boards/${on.boardId}/archive`), code: CLOSE.accessChanged.code, upgrade: 101 },
    {
      what: 'the editor’s token revoked',
      takeAway: (on) => apiClient(on.one.url, { authorization: `Bearer ${on.editorToken.token}` }).delete(`/api/tokens/${on.editorToken.id}`),
      code: CLOSE.accessChanged.code,
      upgrade: 401,
    },
    {
      what: 'the editor’s password reset by the admin',
      takeAway: async (on) => (await signedInClient(on.one, on.admin)).post(`/api/users/${on.editor.id}/password`, { password: 'the password after the reset' }),
      code: CLOSE.accessChanged.code,
      upgrade: 401,
    },
    { what: 'the editor deactivated', takeAway: (on) => on.asAdmin.patch(`/api/users/${on.editor.id}`, { deactivated: true }), code: CLOSE.accountDeactivated.code, upgrade: 401 },
    { what: 'the board deleted', takeAway: (on) => on.asAdmin.delete(`/api/boards/${on.boardId}`), code: CLOSE.boardDeleted.code, upgrade: 404 },
  ]

  it.each(rightsTakenAway)('$what on one instance while the socket’s instance is cut off Redis: that socket closes ($code) at once, through PostgreSQL', async ({ takeAway, code, upgrade }) => {
    const on = await editorOnCutOffInstance('Missed control')
    await on.cutOff()
    expect((await takeAway(on)).status).toBeLessThan(300)
    await waitFor(() => on.closes.includes(code), `the socket on instance two to close with ${code}`)
    expect((await redisReadiness(on.two.url)).redis?.status).not.toBe('ok')
    on.proxy.restore()
    expect(on.closes.filter((closed) => closed !== 1006)).toEqual([code])
    expect(await on.upgradeOnTwo()).toBe(upgrade)
  })

  it('a right taken away whose word never reached Redis (its instance died holding it) reaches the socket at the next periodic re-check', async () => {
    const on = await editorOnCutOffInstance('Word never sent', { env: { RIGHTS_RECHECK_INTERVAL_MS: '300' } })
    // The database changes and no control message is published, as when the instance that made the change died before it could.
    await on.one.services.storage.members.remove(on.boardId, on.editor.id)
    await waitFor(() => on.closes.includes(CLOSE.accessChanged.code), 'the socket on instance two to close')
    expect(await on.upgradeOnTwo()).toBe(404)
  })

  it('a right taken away while the socket’s instance is back on Redis but not yet subscribed: that socket closes once it is', async () => {
    const on = await editorOnCutOffInstance('Control before the subscription')
    // Instance two reconnects at once, but Redis hears its SUBSCRIBE only once released: connected and not yet subscribed.
    const subscription = on.proxy.holdRequests(/subscribe/i)
    on.proxy.cut()
    on.proxy.restore()
    await subscription.held
    expect((await on.asOwner.delete(`/api/boards/${on.boardId}/members/${on.editor.id}`)).status).toBe(204)
    subscription.release()
    await waitFor(() => on.closes.includes(CLOSE.accessChanged.code), 'the socket on instance two to close', BACK_ON_REDIS_MS)
    expect(await on.upgradeOnTwo()).toBe(404)
  })

  it('a re-check of rights that cannot read the database is tried again, then closes its sockets to be decided afresh; the instance carries on', async () => {
    const logged: string[] = []
    let accountsUnreadable = false
    const unreadableAccounts = (storage: Storage): Storage => ({
      ...storage,
      users: Object.assign(Object.create(storage.users) as Storage['users'], {
        getMany: (ids: readonly string[]) => (accountsUnreadable ? Promise.reject(new Error('connection terminated')) : storage.users.getMany(ids)),
      }),
    })
    const on = await editorOnCutOffInstance('Re-check failing', { wrapStorage: unreadableAccounts, logSink: (line) => void logged.push((JSON.parse(line) as { msg: string }).msg) })
    accountsUnreadable = true
    await on.cutOff()
    // Taken away with no word to anyone (neither Redis nor PostgreSQL), as by an instance that died before it could tell.
    await on.one.services.storage.members.remove(on.boardId, on.editor.id)
    on.proxy.restore()
    await waitFor(() => on.closes.includes(CLOSE.accessChanged.code), 'the socket on instance two to close once the re-check gave up', BACK_ON_REDIS_MS)
    expect(logged.filter((msg) => msg === 'could not re-check the rights of open connections; trying again')).toHaveLength(2)
    expect(logged).toContain('could not re-check the rights of open connections; closing them so that their upgrade decides again')
    // Its upgrade reads the rights afresh: the editor is no member any more.
    expect(await on.upgradeOnTwo()).toBe(404)
    await redisBack(on.two.url)
  })

  it('an edit committed on an instance that has not heard of the board’s deletion is refused by the log: answered 404, its socket closed for good, nothing stored', async () => {
    const appends = new AppendControl()
    const on = await editorOnCutOffInstance('Deleted elsewhere', { wrapStorage: appends.wrap })
    await on.cutOff()
    appends.hold()
    const edit = on.asEditorOnTwo.post(`/api/boards/${on.boardId}/assessments`, { title: 'On its way while the board goes' })
    await waitFor(() => appends.waiting === 1, 'the edit’s commit to be on its way')
    expect((await on.asAdmin.delete(`/api/boards/${on.boardId}`)).status).toBe(204)
    appends.release()
    expect((await edit).status).toBe(404)
    await waitFor(() => on.closes.includes(CLOSE.boardDeleted.code), 'the socket on instance two to close for good')
    expect(await on.one.services.storage.log.load(on.boardId)).toMatchObject({ checkpoint: null, updates: [] })
    expect(await on.one.services.storage.history.size(on.boardId)).toMatchObject({ rows: 0, checkpoints: 0, changes: 0 })
    // Not a database failing: nothing is retried, and the instance is ready once back on Redis.
    expect(on.two.services.rooms.commitHealth().failingRooms).toBe(0)
    expect(on.two.services.rooms.loadedRooms.has(on.boardId)).toBe(false)
    on.proxy.restore()
    await redisBack(on.two.url, BACK_ON_REDIS_MS)
  })

  it('a board deleted on one instance stops its room on another at the word of it: unloaded there, nothing more committed', async () => {
    // Kept loaded for ten minutes once nobody has it open, were its room not told of the deletion.
    const on = await editorOnCutOffInstance('Deleted, and heard of', { env: { ROOM_IDLE_MS: '600000' } })
    expect(on.two.services.rooms.loadedRooms.has(on.boardId)).toBe(true)
    expect((await on.asAdmin.delete(`/api/boards/${on.boardId}`)).status).toBe(204)
    await waitFor(() => on.closes.includes(CLOSE.boardDeleted.code), 'the socket on instance two to close for good')
    await waitFor(() => !on.two.services.rooms.loadedRooms.has(on.boardId), 'the room on instance two to unload')
    expect((await on.asEditorOnTwo.post(`/api/boards/${on.boardId}/assessments`, { title: 'After the deletion' })).status).toBe(404)
    expect(await on.one.services.storage.log.load(on.boardId)).toMatchObject({ checkpoint: null, updates: [] })
  })

  it('a client whose instance is killed reconnects to another and loses nothing', async () => {
    const two = await start()
    const one = await startChild(two.database)
    const boardId = await apiClient(one.url).createBoard('Failover')
    const a = connect(one, boardId)
    await a.synced()
    for (let i = 0; i < 20; i++) addAssessment(a.doc, { title: `Card ${i}` })
    const observer = connect(two, boardId)
    await waitFor(() => boardToModel(observer.doc, boardId).assessments.length === 20, 'all cards at instance two')
    const closed = new Promise<void>((resolve) => a.provider.once('connection-close', () => resolve()))
    await one.kill('SIGKILL')
    await closed
    // Made while no instance hears it: kept by the client and sent where it reconnects.
    for (let i = 20; i < 25; i++) addAssessment(a.doc, { title: `Card ${i}` })
    a.provider.serverUrl = two.wsUrl
    await waitFor(() => boardToModel(observer.doc, boardId).assessments.length === 25, 'the cards made offline at instance two')
    const moved = connect(two, boardId)
    await moved.synced()
    expect(boardToModel(moved.doc, boardId)).toEqual(boardToModel(a.doc, boardId))
    expect(boardToModel(observer.doc, boardId)).toEqual(boardToModel(a.doc, boardId))
    // A server process of its own starts slowly on a busy machine; the waits above carry their own deadlines, and the
    // suite's timeout (vitest.config.ts) leaves room for it.
  })

  it('an instance that missed messages while Redis was out of reach catches up from the log', async () => {
    const { a, b, boardId, proxy, listener, publishedKinds } = await behindProxy('Catch up')
    try {
      proxy.cut()
      addAssessment(a.doc, { title: 'During the blip at one' })
      addAssessment(b.doc, { title: 'During the blip at two' })
      await waitFor(() => publishedKinds.includes(BUS_KIND_UPDATE), 'instance one to publish the edit')
      // Published while instance two could not hear it: Redis keeps nothing for an absent subscriber.
      expect(boardToModel(b.doc, boardId).assessments.map((card) => card.title)).toEqual(['During the blip at two'])
      proxy.restore()
      await waitFor(() => boardToModel(b.doc, boardId).assessments.length === 2, 'the missed edit at instance two, from the log')
      await waitFor(() => boardToModel(a.doc, boardId).assessments.length === 2, 'the edit made at two during the blip, at instance one')
      expect(boardToModel(b.doc, boardId)).toEqual(boardToModel(a.doc, boardId))
    } finally {
      listener.disconnect()
    }
  })

  it('an instance cut off Redis holds none of its messages meanwhile: once back, it publishes one catch-up for a board edited meanwhile', async () => {
    const { a, b, two, boardId, proxy, listener, publishedKinds } = await behindProxy('Held while away')
    try {
      proxy.cut()
      await redisLost(two.url)
      for (let i = 0; i < 20; i++) {
        addAssessment(b.doc, { title: `While away ${i}` })
        b.provider.awareness.setLocalStateField('focus', { assessmentId: `card-${i}`, field: null })
      }
      await cardsCommitted(two, boardId, 20)
      const before = publishedKinds.length
      proxy.restore()
      // Instance one may have them already: two asked it through PostgreSQL meanwhile (pg-catch-up-requests.ts).
      await waitFor(() => boardToModel(a.doc, boardId).assessments.length === 20, 'the edits at instance one, from the log')
      await waitFor(() => publishedKinds.slice(before).includes(BUS_KIND_CATCH_UP), 'the catch-up published once back')
      const after = publishedKinds.slice(before)
      // Each of those edits and presence changes queued for Redis would have been replayed here, one message each.
      expect(after.filter((kind) => kind !== BUS_KIND_AWARENESS)).toEqual([BUS_KIND_CATCH_UP])
      expect(after.filter((kind) => kind === BUS_KIND_AWARENESS).length).toBeLessThanOrEqual(1)
    } finally {
      listener.disconnect()
    }
  })

  it('an instance whose Redis stops answering holds its messages once one goes unanswered, and publishes a catch-up once Redis answers', async () => {
    const logged: string[] = []
    const { a, b, two, boardId, proxy, listener, published } = await behindProxy('Unanswered', (line) => void logged.push((JSON.parse(line) as { msg: string }).msg))
    try {
      // Connections held open, nothing forwarded: to instance two, Redis looks connected.
      proxy.blackhole()
      addAssessment(b.doc, { title: 'Unanswered' })
      await waitFor(() => logged.includes('redis publish failed; told again once the publisher is connected'), 'the publish to go unanswered')
      for (let i = 0; i < 10; i++) addAssessment(b.doc, { title: `Held ${i}` })
      await cardsCommitted(two, boardId, 11)
      const before = published.length
      proxy.restore()
      await waitFor(() => boardToModel(a.doc, boardId).assessments.length === 11, 'the edits at instance one, from the log')
      // Instance one may have had the edits through PostgreSQL's catch-up requests before Redis answered again.
      await waitFor(() => published.slice(before).map(readBusMessage).some(({ kind }) => kind === BUS_KIND_CATCH_UP), 'the catch-up published once Redis answers')
      const after = published.slice(before).map(readBusMessage)
      // The unanswered publish may arrive late, and again: the held edits come only from the log.
      const republished = new Y.Doc()
      for (const { payload } of after.filter(({ kind }) => kind === BUS_KIND_UPDATE)) Y.applyUpdate(republished, payload)
      expect(boardToModel(republished, boardId).assessments.map((card) => card.title)).toEqual(['Unanswered'])
      republished.destroy()
    } finally {
      listener.disconnect()
    }
  })

  it('an instance whose Redis connections go silent for good connects afresh, and takes the edits made meanwhile from the log', async () => {
    const { a, b, boardId, proxy, listener } = await behindProxy('Stranded', undefined, { REDIS_PING_INTERVAL_MS: PING_EVERY_MS })
    try {
      // Its connections stay open and never carry anything again (a NAT that forgot them); new ones get through.
      proxy.strand()
      addAssessment(a.doc, { title: 'Made while two was not listening' })
      await waitFor(() => boardToModel(b.doc, boardId).assessments.length === 1, 'the edit at instance two, once it has connected afresh', SILENCE_NOTICED_MS)
      addAssessment(b.doc, { title: 'Made at two once back' })
      await waitFor(() => boardToModel(a.doc, boardId).assessments.length === 2, 'the edit made at two, at instance one')
    } finally {
      listener.disconnect()
    }
  })

  it('an edit made while a reconnected instance waits for its subscription reaches it from the log', async () => {
    const { a, b, boardId, proxy, listener, publishedKinds } = await behindProxy('Resubscribe')
    try {
      // Instance two reconnects at once, but Redis hears its SUBSCRIBE only once released: connected and not yet subscribed.
      const subscription = proxy.holdRequests(/subscribe/i)
      proxy.cut()
      proxy.restore()
      await subscription.held
      addAssessment(a.doc, { title: 'While two resubscribes' })
      await waitFor(() => publishedKinds.includes(BUS_KIND_UPDATE), 'instance one to publish the edit')
      subscription.release()
      await waitFor(() => boardToModel(b.doc, boardId).assessments.length === 1, 'the edit at instance two, from the log once subscribed')
    } finally {
      listener.disconnect()
    }
  })
})
