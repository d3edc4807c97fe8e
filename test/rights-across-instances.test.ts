/**
 * Rights taken away reach the sockets other instances hold, whatever part of
 * the way Redis misses: the deciding instance cut off Redis (the word goes
 * through PostgreSQL), the deciding instance going no further than the
 * change's commit (the word goes with it), and an upgrade in flight on an
 * instance that was cut off while the word went by (its rights read again by
 * the re-check once back: closed as it opens if taken away, kept if not), and
 * the deciding instance's own sockets when the answer to the change's COMMIT
 * is lost (the word from PostgreSQL closes them there too).
 * Real instances on PostgreSQL and Redis, each cut off Redis by a TCP proxy in
 * front of it alone; real clients.
 */
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import * as pgSchema from '../drizzle/pg/schema.ts'
import { collection } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import type { Connection } from '../server/relay/connection.ts'
import { encodeControlMessage, newControlMessage, readControlMessage } from '../server/relay/control-message.ts'
import { insertAudited, RIGHTS_CHANNEL } from '../server/storage/pg-audited.ts'
import type { Storage } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken, type TestAccount } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { LoadGate } from './helpers/load-gate.ts'
import { onServerDatabase } from './helpers/server-database.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { withStoredDoc } from './helpers/stored-board.ts'
import type { TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { redisLost, redisReadiness } from './helpers/redis-status.ts'
import { closeCodes, type TestClient } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

/** How long an instance may take to notice it lost Redis, or to be back on it and act on it: a bound, not a measurement. */
const REDIS_NOTICED_MS = 20_000

describeUnless(missing)('rights taken away across instances, Redis missing part of the way', () => {
  const { start, connect, redisThroughProxy, throughProxy } = instancesAfterEach()

  const lostRedis = (server: TestServer) => redisLost(server.url, REDIS_NOTICED_MS)
  const asBearer = async (server: TestServer, account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })

  /** The person's open connection on the server's room of the board, once there is one. */
  const openConnectionOf = (server: TestServer, boardId: string, account: TestAccount): Promise<Connection> =>
    waitFor(() => [...(server.services.rooms.loadedRooms.get(boardId)?.connections ?? [])].find((connection) => connection.identity.userId === account.id && !connection.closed), 'their connection to open')

  /** A card typed by a client whose connection can no longer write: the server refuses it, and nothing of it is stored. */
  const typedAndRefused = async (server: TestServer, boardId: string, client: TestClient, connection: Connection, title: string) => {
    addAssessment(client.doc, { title, judgment: '' })
    await waitFor(() => connection.deniedOnce, 'the server to refuse the card')
    const stored = await withStoredDoc(server, boardId, (doc) => [...collection(doc, 'assessments').values()].map((card) => String((card as Y.Map<unknown>).get('title'))))
    expect(stored).not.toContain(title)
  }

  /**
   * An editor's socket on the serving instance, on a board owned on the
   * deciding instance, which reaches Redis through a proxy the test cuts:
   * whatever the owner changes there meanwhile, Redis tells nobody.
   */
  const editorServedElsewhere = async (title: string, logSink?: (line: string) => void) => {
    const { proxy, redisUrl } = await redisThroughProxy()
    const deciding = await start({ accounts: true, redisUrl })
    const serving = await start({ database: deciding.database, accounts: true, logSink })
    const [owner, editor] = [await addAccount(deciding), await addAccount(deciding)]
    const asOwner = await asBearer(deciding, owner)
    const boardId = await asOwner.createBoard(title)
    await addMember(deciding, boardId, editor, 'editor')
    const socket = connect(serving, boardId, { token: (await addToken(deciding, editor)).token })
    await socket.synced()
    const closes = closeCodes(socket)
    /** Cuts the deciding instance off Redis, demotes the editor there, and waits for their socket on the serving instance to close. */
    const demotedWhileCutOff = async () => {
      proxy.cut()
      await lostRedis(deciding)
      expect((await asOwner.patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'reviewer' })).status).toBe(200)
      await waitFor(() => closes.includes(CLOSE.accessChanged.code), 'the editor’s socket on the serving instance to close')
      expect(closes.filter((code) => code !== 1006)).toEqual([CLOSE.accessChanged.code])
    }
    return { deciding, serving, boardId, editor, socket, closes, demotedWhileCutOff }
  }

  it('an editor demoted on an instance cut off Redis: their socket on another instance closes 4001 while the first is still cut off, and what they type after is not stored', async () => {
    const { deciding, serving, boardId, editor, socket, demotedWhileCutOff } = await editorServedElsewhere('Demoted while cut off')
    await demotedWhileCutOff()
    const reconnected = await openConnectionOf(serving, boardId, editor)
    expect(reconnected.role).toBe('reviewer')
    await socket.synced()
    await typedAndRefused(serving, boardId, socket, reconnected, 'Typed after the demotion')
    expect((await redisReadiness(deciding.url)).redis?.status).not.toBe('ok')
  })

  it('a demotion is told in its own commit: the socket on another instance closes while the deciding instance has gone no further than the commit', async () => {
    // The deciding instance's storage commits the demotion and then holds its answer, as an instance dying right after
    // the commit would never go on: neither its Redis publish nor anything else after the commit is made meanwhile.
    const held = { committed: false, release: () => {} }
    const answerHeld = (storage: Storage): Storage => ({
      ...storage,
      members: Object.assign(Object.create(storage.members) as Storage['members'], {
        setRole: async (...args: Parameters<Storage['members']['setRole']>) => {
          const change = await storage.members.setRole(...args)
          held.committed = true
          await new Promise<void>((resolve) => (held.release = resolve))
          return change
        },
      }),
    })
    const deciding = await start({ accounts: true, wrapStorage: answerHeld })
    const serving = await start({ database: deciding.database, accounts: true })
    const [owner, editor] = [await addAccount(deciding), await addAccount(deciding)]
    const asOwner = await asBearer(deciding, owner)
    const boardId = await asOwner.createBoard('Told in its commit')
    await addMember(deciding, boardId, editor, 'editor')
    const socket = connect(serving, boardId, { token: (await addToken(deciding, editor)).token })
    await socket.synced()
    const closes = closeCodes(socket)
    let answered = false
    const demotion = asOwner.patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'reviewer' }).finally(() => (answered = true))
    try {
      await waitFor(() => held.committed, 'the demotion to commit')
      await waitFor(() => closes.includes(CLOSE.accessChanged.code), 'the editor’s socket on the other instance to close while the deciding one is held')
      expect(answered).toBe(false)
    } finally {
      held.release()
    }
    expect((await demotion).status).toBe(200)
    expect((await openConnectionOf(serving, boardId, editor)).role).toBe('reviewer')
  })

  it('what a change tells goes out with its commit only: a rolled-back transaction sends nothing, a committed one reaches a listener on its own connection', async () => {
    const server = await start({ accounts: true })
    const url = server.config.DATABASE_URL!
    const heard: string[] = []
    const listener = postgres(url, { max: 1, onnotice: () => {} })
    const writer = postgres(url, { max: 1, onnotice: () => {} })
    try {
      await listener.listen(RIGHTS_CHANNEL, (payload) => void heard.push(readControlMessage(payload).id!))
      const db = drizzle(writer, { schema: pgSchema })
      const row = (...tells: string[]) => ({ at: new Date().toISOString(), actorId: null, actorLabel: 'test', action: 'member-removed', boardId: null, detail: '{}', tells })
      const rolledBack = server.services.rooms.closingToTell({ userId: 'rolled-back' }, CLOSE.accessChanged)
      const committed = server.services.rooms.closingToTell({ userId: 'committed' }, CLOSE.accessChanged)
      // A password change tells one for each session it ends: all of them, in the order told.
      const committedToo = server.services.rooms.closingToTell({ sessionId: 'committed-too' }, CLOSE.sessionEnded)
      await expect(
        db.transaction(async (tx) => {
          await insertAudited(tx, row(encodeControlMessage(rolledBack)))
          throw new Error('the change fails after its entry')
        }),
      ).rejects.toThrow('the change fails after its entry')
      await db.transaction(async (tx) => insertAudited(tx, row(encodeControlMessage(committed), encodeControlMessage(committedToo))))
      // Notifications arrive in commit order: once the committed one is heard, a rolled-back one would have been before it.
      await waitFor(() => heard.length > 1, 'the committed change’s words to be heard')
      expect(heard).toEqual([committed.id, committedToo.id])
    } finally {
      await Promise.all([listener.end({ timeout: 1 }), writer.end({ timeout: 1 })])
    }
  })

  it('an instance whose listening connection to PostgreSQL is ended listens again (re-checking its sockets, which keep their rights), and an unreadable notification changes nothing', async () => {
    const logged: string[] = []
    const on = await editorServedElsewhere('Listening again', (line) => void logged.push((JSON.parse(line) as { msg: string }).msg))
    const listens = () => logged.filter((msg) => msg.startsWith('listening to the other instances through PostgreSQL')).length
    await waitFor(() => listens() === 1, 'the serving instance to listen')
    await onServerDatabase(on.serving, [`select pg_notify('assay_rights', '{"type":"close-connections","selector":{},"event":{"code":4001}}')`])
    await waitFor(() => logged.includes('a notification from another instance dropped'), 'the unreadable notification to be dropped')
    await onServerDatabase(on.serving, [`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'assay-listener' and datname = current_database()`])
    await waitFor(() => listens() === 2, 'the serving instance to listen again')
    await waitFor(() => logged.includes('re-checked the rights of open connections'), 'the serving instance to re-check its open connections')
    expect(on.closes).toEqual([])
    await on.demotedWhileCutOff()
  })

  /**
   * An editor's upgrade on an instance cut off Redis, held in its board's load
   * (its rights read) while `meanwhile` runs, then across the re-check that
   * follows the instance's return to Redis, and let go once that re-check ran.
   */
  const upgradeAcrossRecheck = async (title: string, meanwhile: (on: { deciding: TestServer; boardId: string; editor: TestAccount }) => Promise<unknown>) => {
    const logged: string[] = []
    const loads = new LoadGate('before-read')
    const { proxy, redisUrl } = await redisThroughProxy()
    const deciding = await start({ accounts: true })
    const serving = await start({
      database: deciding.database,
      accounts: true,
      redisUrl,
      wrapStorage: loads.wrap,
      logSink: (line) => void logged.push((JSON.parse(line) as { msg: string }).msg),
    })
    const [owner, editor] = [await addAccount(deciding), await addAccount(deciding)]
    const asOwner = await asBearer(deciding, owner)
    const [boardId, ownersBoard] = [await asOwner.createBoard(title), await asOwner.createBoard('Open while cut off')]
    await addMember(deciding, boardId, editor, 'editor')
    // An open connection on the serving instance, so that its re-check has one to check, and logs that it ran.
    await connect(serving, ownersBoard, { token: (await addToken(deciding, owner)).token }).synced()
    const rechecks = () => logged.filter((msg) => msg === 're-checked the rights of open connections').length

    proxy.cut()
    await lostRedis(serving)
    loads.hold(1)
    const socket = connect(serving, boardId, { token: (await addToken(deciding, editor)).token })
    const closes = closeCodes(socket)
    await waitFor(() => loads.waiting === 1, 'the editor’s upgrade to have read its rights, and be loading the board')
    await meanwhile({ deciding, boardId, editor })
    const rechecksBefore = rechecks()
    proxy.restore()
    await waitFor(() => rechecks() > rechecksBefore, 'the serving instance, back on Redis, to re-check its open connections', REDIS_NOTICED_MS)
    loads.release()
    return { serving, boardId, editor, socket, closes }
  }

  it('an upgrade that read its rights before they were taken away, unheard while its instance was cut off Redis, opens closed (4001) once the re-check after the return has run', async () => {
    // Taken away with no word to anyone, as by an instance that died before it could tell: only the re-check can find it.
    const takenAway = ({ deciding, boardId, editor }: { deciding: TestServer; boardId: string; editor: TestAccount }) => deciding.services.storage.members.setRole(boardId, editor.id, 'reviewer')
    const { serving, boardId, editor, socket, closes } = await upgradeAcrossRecheck('Joining across the re-check', takenAway)
    await waitFor(() => closes.includes(CLOSE.accessChanged.code), 'the editor’s socket to close as it opens')
    const reconnected = await openConnectionOf(serving, boardId, editor)
    expect(reconnected.role).toBe('reviewer')
    await socket.synced()
    await typedAndRefused(serving, boardId, socket, reconnected, 'Typed after the re-check')
  })

  it('an honest upgrade in flight across the re-check after a return to Redis has its rights read again, stays open and syncs', async () => {
    const { serving, boardId, editor, socket, closes } = await upgradeAcrossRecheck('Honest across the re-check', async () => {})
    await socket.synced()
    const connection = await openConnectionOf(serving, boardId, editor)
    expect(connection.role).toBe('editor')
    addAssessment(socket.doc, { title: 'Typed across the re-check', judgment: '' })
    await waitFor(
      async () => (await withStoredDoc(serving, boardId, (doc) => [...collection(doc, 'assessments').values()].map((card) => String((card as Y.Map<unknown>).get('title'))))).includes('Typed across the re-check'),
      'the card to be stored',
    )
    expect(closes).toEqual([])
  })

  /**
   * A board on two instances whose deciding one reaches PostgreSQL through a
   * proxy that can lose the answer to a COMMIT, the periodic re-check of
   * rights an hour away on both: only the word told in the commit can close a
   * socket meanwhile.
   */
  const commitAnswerLost = async (title: string) => {
    const rarely = { RIGHTS_RECHECK_INTERVAL_MS: '3600000' }
    const serving = await start({ accounts: true, env: rarely })
    const { proxy, url } = await throughProxy(serving.config.DATABASE_URL!)
    const deciding = await start({ database: serving.database, accounts: true, env: { ...rarely, DATABASE_URL: url } })
    const [admin, owner, editor, colleague] = [await addAccount(deciding, { isAdmin: true }), await addAccount(deciding), await addAccount(deciding), await addAccount(deciding)]
    const asOwner = await asBearer(deciding, owner)
    const boardId = await asOwner.createBoard(title)
    await addMember(deciding, boardId, editor, 'editor')
    await addMember(deciding, boardId, colleague, 'editor')
    const socketOf = async (server: TestServer, account: TestAccount) => {
      const socket = connect(server, boardId, { token: (await addToken(deciding, account)).token })
      await socket.synced()
      return closeCodes(socket)
    }
    /** The next change telling something in its commit commits, and its request never hears so: the answer to its COMMIT is lost. */
    const loseCommitAnswer = () => proxy.loseAnswer(/told\.payload/, /COMMIT\0/)
    return { deciding, serving, boardId, editor, colleague, asOwner, asAdmin: await asBearer(deciding, admin), socketOf, loseCommitAnswer }
  }

  it('a demotion whose COMMIT is answered to no one: the editor’s sockets close on both instances, the deciding one’s too, long before the periodic re-check, and a colleague’s stay open', async () => {
    const { deciding, serving, boardId, editor, colleague, asOwner, socketOf, loseCommitAnswer } = await commitAnswerLost('Demoted, the answer lost')
    const [here, there, colleagueHere] = [await socketOf(deciding, editor), await socketOf(serving, editor), await socketOf(deciding, colleague)]
    const lost = loseCommitAnswer()
    const demotion = await asOwner.patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'reviewer' })
    await lost
    // The server asks its database what became of the COMMIT, and answers as it was.
    expect(demotion.status).toBe(200)
    expect(await serving.services.storage.members.role(boardId, editor.id)).toBe('reviewer')
    await waitFor(() => here.includes(CLOSE.accessChanged.code) && there.includes(CLOSE.accessChanged.code), 'the editor’s sockets on both instances to close')
    expect(colleagueHere).toEqual([])
    expect((await openConnectionOf(deciding, boardId, editor)).role).toBe('reviewer')
    expect((await openConnectionOf(deciding, boardId, colleague)).role).toBe('editor')
  })

  it('a deletion whose COMMIT is answered to no one: the board’s sockets on the deciding instance close for good (4410) once, its room there unloads, and the board is gone', async () => {
    const { deciding, boardId, editor, asAdmin, socketOf, loseCommitAnswer } = await commitAnswerLost('Deleted, the answer lost')
    const here = await socketOf(deciding, editor)
    const lost = loseCommitAnswer()
    const deletion = await asAdmin.delete(`/api/boards/${boardId}`)
    await lost
    expect(deletion.status).toBe(204)
    await waitFor(() => here.includes(CLOSE.boardDeleted.code), 'the editor’s socket on the deciding instance to close')
    await waitFor(() => !deciding.services.rooms.loadedRooms.has(boardId), 'the board’s room on the deciding instance to unload')
    expect(here.filter((code) => code === CLOSE.boardDeleted.code)).toEqual([CLOSE.boardDeleted.code])
    expect((await asAdmin.get(`/api/boards/${boardId}`)).status).toBe(404)
  })
  it('a sign-out’s word that PostgreSQL brings back to the instance that sent it closes nothing there again: a socket opened meanwhile stays open', async () => {
    // The deciding instance reaches PostgreSQL through a proxy that holds its pg_notify back, so that a socket opens
    // between its own closing and its own copy's arrival.
    const serving = await start({ accounts: true })
    const { proxy, url } = await throughProxy(serving.config.DATABASE_URL!)
    const deciding = await start({ database: serving.database, accounts: true, env: { DATABASE_URL: url } })
    const owner = await addAccount(deciding)
    const asOwner = await asBearer(deciding, owner)
    const [closedBoard, markerBoard] = [await asOwner.createBoard('Closed once'), await asOwner.createBoard('Marker')]
    const token = (await addToken(deciding, owner)).token
    const opened = async (boardId: string) => {
      const socket = connect(deciding, boardId, { token })
      await socket.synced()
      return closeCodes(socket)
    }
    const [closedCodes, markerCodes] = [await opened(closedBoard), await opened(markerBoard)]
    const heard: string[] = []
    const listener = postgres(serving.config.DATABASE_URL!, { max: 1, onnotice: () => {} })
    try {
      await listener.listen(RIGHTS_CHANNEL, (payload) => void heard.push(readControlMessage(payload).id!))
      const notify = proxy.holdRequests(/pg_notify/)
      // What ending a session does (closeSessionSockets): a word not told in a commit, sent with pg_notify after.
      expect(deciding.services.rooms.closeConnections({ boardId: closedBoard }, CLOSE.accessChanged)).toBe(1)
      await notify.held
      await waitFor(() => closedCodes.includes(CLOSE.accessChanged.code) || undefined, 'the socket to close')
      const reopened = await openConnectionOf(deciding, closedBoard, owner)
      notify.release()
      await waitFor(() => heard.length === 1 || undefined, 'the word to be sent through PostgreSQL')
      // Notifications reach a listener in commit order: once a word sent after it is acted on, so was the own copy.
      const marker = newControlMessage({ boardId: markerBoard }, CLOSE.accessChanged)
      await listener`select pg_notify(${RIGHTS_CHANNEL}, ${encodeControlMessage(marker)})`
      await waitFor(() => markerCodes.includes(CLOSE.accessChanged.code) || undefined, 'the marker’s socket to close')
      expect(reopened.closed).toBe(false)
      expect(closedCodes.filter((code) => code === CLOSE.accessChanged.code)).toEqual([CLOSE.accessChanged.code])
    } finally {
      await listener.end({ timeout: 1 })
    }
  })
})
