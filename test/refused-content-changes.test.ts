/**
 * A server-side change on a room holding a change the database refused.
 * With Redis away, of two accounts writing one fresh client id on two
 * instances, the second's commit is refused (ClientIdTaken); a second such
 * refusal within REWRITE_RESET_INTERVAL_MS leaves its room holding the
 * refused content until the reset at the interval's end. An HTTP change
 * worked out on that content was stored against the other account's under
 * the same ids: rewriting the judgment deleted the text the other instance
 * stored there. It is refused (503 board_reloading) until the reset, nothing
 * stored, as while a room reloads.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { boardOfRacingEditors, racersAfterEach } from './helpers/racing-editors.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { withStoredDoc } from './helpers/stored-board.ts'
import { takenCommits } from './helpers/taken-commits.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

/** Past the test: the room holding the second refused change is not reset within it. */
const INTERVAL_MS = 600_000

describeUnless(missing)('a server-side change on a room holding a change the database refused', () => {
  const { start, connect, redisThroughProxy } = instancesAfterEach()
  const { sockets, keys } = racersAfterEach()

  it('is refused 503 until the room is reset, the other account’s content under the same ids kept', async () => {
    const taken = takenCommits()
    const env = { REWRITE_RESET_INTERVAL_MS: String(INTERVAL_MS) }
    const two = await start({ accounts: true, wrapStorage: taken.wrap, env })
    const { proxy, redisUrl } = await redisThroughProxy()
    const one = await start({ database: two.database, accounts: true, wrapStorage: taken.wrap, redisUrl, env })
    const { boardId, ownerToken, leftToken, rightToken } = await boardOfRacingEditors(one, 'Refused content')
    const api = apiClient(one.url, { authorization: `Bearer ${ownerToken}` })
    const page = connect(one, boardId, { token: ownerToken })
    await page.synced()
    const assessmentId = addAssessment(page.doc, { title: 'Will the bridge hold?', judgment: 'Judgment.' })
    const judgment = () => withStoredDoc(one, boardId, (doc) => assessmentText(doc, assessmentId, 'judgment').toString())
    await waitFor(async () => (await judgment()) === 'Judgment.', 'the assessment stored')
    const base = Y.encodeStateAsUpdate(page.doc)

    // Instance one away from Redis: it neither claims fresh ids nor hears instance two.
    proxy.cut()
    await waitFor(() => one.services.sharedCounts?.status !== 'ready', 'instance one away from Redis')
    const write = async (server: { wsUrl: string }, token: string, clientId: number, text: string) => {
      const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${token}`)
      sockets.push(socket)
      socket.send(frames.update(forgedUpdate(base, clientId, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, text))))
      return socket
    }
    /** Trudy stores her text under `clientId` through instance two, then Mallory writes hers under it to instance one, whose commit is refused. */
    const race = async (clientId: number, round: number) => {
      await write(two, rightToken, clientId, `Trudy ${round} `)
      await waitFor(async () => (await judgment()).includes(`Trudy ${round} `), 'Trudy’s text stored')
      const mallory = await write(one, leftToken, clientId, `Mallory ${round} `)
      await waitFor(() => taken.count() === round, 'Mallory’s commit refused')
      expect((await mallory.closed).code).toBe(CLOSE.updateRejected.code)
    }
    // The first refusal resets instance one's room at once; the page's reconnection loads the board afresh.
    await race(0x630001, 1)
    await waitFor(() => !page.provider.wsconnected, 'the page closed by the reset')
    await waitFor(() => page.provider.wsconnected && page.provider.synced, 'the page synced with the board loaded afresh')
    // The second, within the interval, leaves the room holding Mallory's text.
    await race(0x630002, 2)
    const stored = await judgment()
    expect(stored).toContain('Trudy 2 ')
    // The fresh ids claimed in Redis (the owner's page's, Trudy's), read so that the deployment's keys go with the test.
    expect(await keys.claims(boardId)).not.toHaveLength(0)

    const rewritten = await api.patch(`/api/boards/${boardId}/assessments/${assessmentId}`, { judgment: 'The owner’s judgment.' })
    expect(rewritten.status).toBe(503)
    expect(rewritten.body).toMatchObject({ error: { code: 'board_reloading' } })
    expect(await judgment()).toBe(stored)
  })
})
