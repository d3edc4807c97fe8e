/**
 * An editor writing under another member's client id: Yjs ties nothing to an
 * id, so the next clock of someone's id sent just before they type took their
 * place, and, sent to another instance, was stored in place of the member's
 * keystroke under the member's own id (a red team's race of 2 ms). An update
 * that would advance a client id someone else wrote is refused for good
 * (4422), on the instance the member writes to and on any other that heard
 * of their edits over Redis; the member goes on typing.
 */
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { withStoredDoc } from './helpers/stored-board.ts'
import type { TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

describeUnless(missing)("an editor writing under another member's client id", () => {
  const { start, connect } = instancesAfterEach()
  const sockets: RawSocket[] = []
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.terminate()
  })

  it('is refused for good on either instance, and the member’s typing is stored as typed', async () => {
    const one = await start({ accounts: true })
    const two = await start({ database: one.database, accounts: true })
    const [owner, mallory] = [await addAccount(one, { name: 'Owner' }), await addAccount(one, { name: 'Mallory' })]
    const ownerToken = (await addToken(one, owner)).token
    const boardId = await apiClient(one.url, { authorization: `Bearer ${ownerToken}` }).createBoard('Whose id')
    await addMember(one, boardId, mallory, 'editor')
    const malloryToken = (await addToken(one, mallory)).token

    // The owner types on instance one; instance two hears of it over Redis.
    const typist = connect(one, boardId, { token: ownerToken })
    const watcher = connect(two, boardId, { token: ownerToken })
    await Promise.all([typist.synced(), watcher.synced()])
    const assessmentId = addAssessment(typist.doc, { title: 'Will the bridge hold?', judgment: 'J.' })
    const judgment = () => boardToModel(watcher.doc, boardId).assessments[0]?.judgment
    await waitFor(() => judgment() === 'J.', 'the assessment on instance two')

    // Mallory writes the owner's next clock, as the owner's client would, to each instance in turn.
    const forgedBy = async (server: TestServer) => {
      const update = forgedUpdate(Y.encodeStateAsUpdate(typist.doc), typist.doc.clientID, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, 'FORGED '))
      const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${malloryToken}`)
      sockets.push(socket)
      socket.send(frames.update(update))
      await waitFor(() => socket.isClosed(), `Mallory's socket on ${server === one ? 'instance one' : 'instance two'} to be closed`)
      return socket.closed
    }
    for (const server of [two, one]) expect((await forgedBy(server)).code).toBe(CLOSE.updateRejected.code)

    assessmentText(typist.doc, assessmentId, 'judgment').insert(0, 'Likely. ')
    await waitFor(() => judgment() === 'Likely. J.', 'the owner’s keystrokes on instance two')
    const stored = await withStoredDoc(one, boardId, (doc) => boardToModel(doc, boardId).assessments[0]?.judgment)
    expect(stored).toBe('Likely. J.')
    expect(typist.provider.wsconnected).toBe(true)
  })
})
