/**
 * Two instances giving one client id to two accounts: a member's page writes
 * under its id on instance one for the first time, while instance two, not
 * hearing from Redis, knows nothing of it, and an editor there writes under
 * the same id (nor, through the same cut, from the claims of fresh ids:
 * fresh-id-claims.ts). The database keeps one writer for each id of a board:
 * the second instance's commit is refused, its sender closed for good, its
 * room loaded again as stored, and the editor's next try refused outright;
 * the member's text is what the board holds, on both instances.
 *
 * Instance two is cut off Redis before it loads the board: a room loaded while
 * Redis is there catches up from the log once its subscription is confirmed,
 * and that read, slow on a loaded database, could bring it her write after the
 * cut. The forged frame then lists only what the room holds already under her
 * id, and changes nothing (Yjs skips what a doc holds): nothing to refuse, its
 * socket left open. The second test makes that race happen on purpose.
 */
import { expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import * as Y from 'yjs'
import type { Storage } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { Gate } from './helpers/gate.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { frames, openRawSocket, syncPayloads, syncReplies } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { storedBoard } from './helpers/stored-board.ts'
import type { TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

const HER_TITLE = 'Will the bridge hold?'
const victimOnly = JSON.stringify([HER_TITLE])

/** The catch-ups' reads of the log (the only reader of UpdateLogStore.loadSince) wait at `gate`. */
const catchUpsAt =
  (gate: Gate) =>
  (storage: Storage): Storage => {
    const loadSince = storage.log.loadSince.bind(storage.log)
    storage.log.loadSince = async (...args) => {
      await gate.pass()
      return loadSince(...args)
    }
    return storage
  }

describeUnless(missing)('one client id written by two accounts on two instances', () => {
  const { start, connect, redisThroughProxy } = instancesAfterEach()
  const { sockets } = openedInTest()

  const openAs = async (server: TestServer, boardId: string, token: string) => {
    const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${token}`)
    sockets.push(socket)
    return socket
  }

  /** Sends `update` over a fresh socket; how the relay closed it. */
  const sendAs = async (server: TestServer, boardId: string, token: string, update: Uint8Array) => {
    const socket = await openAs(server, boardId, token)
    socket.send(frames.update(update))
    await waitFor(() => socket.isClosed(), 'the attacker’s socket to be closed')
    return socket.closed
  }

  /** Two instances on one database, the second's Redis through a proxy the test cuts; a board of Vera's on which Mallory is an editor. */
  const twoInstances = async (catchUps?: Gate) => {
    const one = await start({ accounts: true })
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, accounts: true, redisUrl, wrapStorage: catchUps && catchUpsAt(catchUps) })
    const [victim, attacker] = [await addAccount(one, { name: 'Vera' }), await addAccount(one, { name: 'Mallory' })]
    const victimToken = (await addToken(one, victim)).token
    const boardId = await apiClient(one.url, { authorization: `Bearer ${victimToken}` }).createBoard('Whose id')
    await addMember(one, boardId, attacker, 'editor')
    const attackerToken = (await addToken(one, attacker)).token
    return { one, two, proxy, boardId, victimToken, attackerToken }
  }

  /** Her page on instance one writes for the first time, under a client id nobody wrote before; resolves once that is stored. */
  const herFirstWrite = async (one: TestServer, boardId: string, token: string) => {
    const page = connect(one, boardId, { token })
    await page.synced()
    addAssessment(page.doc, { title: HER_TITLE })
    await waitFor(async () => (await storedBoard(one, boardId)).assessments.length === 1, 'the victim’s assessment stored')
    return page
  }

  const forgeUnder = (clientId: number, doc: Y.Doc) => forgedUpdate(Y.encodeStateAsUpdate(doc), clientId, (forging) => addAssessment(forging, { title: 'FORGED UNDER HER ID' }))
  const titlesIn = (boardId: string) => (doc: Y.Doc) => JSON.stringify(boardToModel(doc, boardId).assessments.map((assessment) => assessment.title))
  const roomOn = (server: TestServer, boardId: string) => server.services.rooms.loadedRooms.get(boardId)

  it('is stored as the first account’s only: the other instance’s commit is refused and its room reloaded', async () => {
    const { one, two, proxy, boardId, victimToken, attackerToken } = await twoInstances()
    const titles = titlesIn(boardId)
    // Instance two hears nothing more, and never subscribes to the board: no catch-up brings it her presence or her first write.
    proxy.cut()
    const attackerPage = connect(two, boardId, { token: attackerToken })
    await attackerPage.synced()
    const page = await herFirstWrite(one, boardId, victimToken)
    expect(Y.getState(roomOn(two, boardId)!.doc.store, page.doc.clientID)).toBe(0)

    const forgeFrom = (doc: Y.Doc) => forgeUnder(page.doc.clientID, doc)
    // Closed for good: its change can never be stored.
    expect((await sendAs(two, boardId, attackerToken, forgeFrom(attackerPage.doc))).code).toBe(CLOSE.updateRejected.code)
    await waitFor(() => titles(attackerPage.doc) === victimOnly, 'the board as stored on instance two')
    // Loaded again, instance two knows whose id it is: her next clock is refused outright.
    expect((await sendAs(two, boardId, attackerToken, forgeFrom(attackerPage.doc))).code).toBe(CLOSE.updateRejected.code)

    expect(JSON.stringify((await storedBoard(one, boardId)).assessments.map((assessment) => assessment.title))).toBe(victimOnly)
    expect(titles(page.doc)).toBe(victimOnly)
  })

  it('changes nothing when a catch-up brought her write first: the frame lists what the room holds as hers, and her next clock is refused', async () => {
    const catchUps = new Gate()
    catchUps.hold()
    const { one, two, proxy, boardId, victimToken, attackerToken } = await twoInstances(catchUps)
    const titles = titlesIn(boardId)
    const attackerPage = connect(two, boardId, { token: attackerToken })
    await attackerPage.synced()
    // The catch-up that follows instance two's subscription to the board reads the log only after her write.
    await waitFor(() => catchUps.waiting === 1, 'instance two’s catch-up held before it reads the log')
    proxy.cut()
    const page = await herFirstWrite(one, boardId, victimToken)
    const forged = forgeUnder(page.doc.clientID, attackerPage.doc)
    catchUps.release()
    await waitFor(() => titles(attackerPage.doc) === victimOnly, 'her write caught up on instance two')
    // A shorter title: every struct the frame lists under her id, instance two holds already.
    expect(Y.parseUpdateMeta(forged).to.get(page.doc.clientID)).toBeLessThanOrEqual(Y.getState(roomOn(two, boardId)!.doc.store, page.doc.clientID))

    const raced = await openAs(two, boardId, attackerToken)
    raced.send(frames.update(forged))
    // Answered once the frame before it is handled: a change it made would be pending, and the answer would wait for its commit.
    raced.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => syncReplies(raced.received).length === 1, 'the answer to the step 1 sent after the forged frame')
    const answered = new Y.Doc()
    for (const payload of syncPayloads(raced.received)) Y.applyUpdate(answered, payload)
    expect(titles(answered)).toBe(victimOnly)
    expect(titles(roomOn(two, boardId)!.doc)).toBe(victimOnly)
    // The catch-up told instance two her writer too: past what it holds of hers, refused as it arrives, never applied (no reset).
    const room = roomOn(two, boardId)
    expect((await sendAs(two, boardId, attackerToken, forgeUnder(page.doc.clientID, attackerPage.doc))).code).toBe(CLOSE.updateRejected.code)
    expect(roomOn(two, boardId)).toBe(room)

    expect(JSON.stringify((await storedBoard(one, boardId)).assessments.map((assessment) => assessment.title))).toBe(victimOnly)
    expect(titles(attackerPage.doc)).toBe(victimOnly)
    expect(titles(page.doc)).toBe(victimOnly)
  })
})
