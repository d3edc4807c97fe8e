/**
 * Two instances giving one client id to two accounts: a member's page writes
 * under its id on instance one for the first time, while instance two, not
 * hearing from Redis, knows nothing of it, and an editor there writes under
 * the same id (nor, through the same cut, from the claims of fresh ids:
 * fresh-id-claims.ts). The database keeps one writer for each id of a board:
 * the second instance's commit is refused, its sender closed for good, its
 * room loaded again as stored, and the editor's next try refused outright;
 * the member's text is what the board holds, on both instances.
 */
import { expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import * as Y from 'yjs'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { storedBoard } from './helpers/stored-board.ts'
import type { TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

describeUnless(missing)('one client id written by two accounts on two instances', () => {
  const { start, connect, redisThroughProxy } = instancesAfterEach()
  const { sockets } = openedInTest()

  /** Sends `update` over a fresh socket; how the relay closed it. */
  const sendAs = async (server: TestServer, boardId: string, token: string, update: Uint8Array) => {
    const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${token}`)
    sockets.push(socket)
    socket.send(frames.update(update))
    await waitFor(() => socket.isClosed(), 'the attacker’s socket to be closed')
    return socket.closed
  }

  it('is stored as the first account’s only: the other instance’s commit is refused and its room reloaded', async () => {
    const one = await start({ accounts: true })
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, accounts: true, redisUrl })
    const [victim, attacker] = [await addAccount(one, { name: 'Vera' }), await addAccount(one, { name: 'Mallory' })]
    const victimToken = (await addToken(one, victim)).token
    const boardId = await apiClient(one.url, { authorization: `Bearer ${victimToken}` }).createBoard('Whose id')
    await addMember(one, boardId, attacker, 'editor')
    const attackerToken = (await addToken(one, attacker)).token
    const attackerPage = connect(two, boardId, { token: attackerToken })
    await attackerPage.synced()

    // Instance two hears nothing more: not the victim's presence, nor her first write.
    proxy.cut()
    const page = connect(one, boardId, { token: victimToken })
    await page.synced()
    addAssessment(page.doc, { title: 'Will the bridge hold?' })
    await waitFor(async () => (await storedBoard(one, boardId)).assessments.length === 1, 'the victim’s assessment stored')

    const forgeFrom = (doc: Y.Doc) => forgedUpdate(Y.encodeStateAsUpdate(doc), page.doc.clientID, (forging) => addAssessment(forging, { title: 'FORGED UNDER HER ID' }))
    // Closed for good: its change can never be stored.
    expect((await sendAs(two, boardId, attackerToken, forgeFrom(attackerPage.doc))).code).toBe(CLOSE.updateRejected.code)
    const titles = (doc: Y.Doc) => JSON.stringify(boardToModel(doc, boardId).assessments.map((assessment) => assessment.title))
    const victimOnly = JSON.stringify(['Will the bridge hold?'])
    await waitFor(() => titles(attackerPage.doc) === victimOnly, 'the board as stored on instance two')
    // Loaded again, instance two knows whose id it is: her next clock is refused outright.
    expect((await sendAs(two, boardId, attackerToken, forgeFrom(attackerPage.doc))).code).toBe(CLOSE.updateRejected.code)

    expect(JSON.stringify((await storedBoard(one, boardId)).assessments.map((assessment) => assessment.title))).toBe(victimOnly)
    expect(titles(page.doc)).toBe(victimOnly)
  })
})
