/**
 * NEW_CLIENTS_PER_HOUR over several instances: the client ids nobody wrote
 * before that one person brings to boards an hour are counted in one
 * allowance shared through Redis, not once per instance. An editor who
 * brought the hour's 256 through instance one has the next one refused on
 * instance two (4422), its board left without it.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { NEW_CLIENTS_PER_HOUR, NEW_CLIENTS_PER_UPDATE } from '../server/relay/client-writers.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { withStoredDoc } from './helpers/stored-board.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

describeUnless(missing)('fresh client ids brought through two instances', () => {
  const { start, connect } = instancesAfterEach()
  const { sockets } = openedInTest()

  it('counts them in one hourly allowance: past it on instance one, the next is refused on instance two', async () => {
    const one = await start({ accounts: true })
    const two = await start({ database: one.database, accounts: true })
    const [owner, editor] = [await addAccount(one, { name: 'Owner' }), await addAccount(one, { name: 'Mallory' })]
    const ownerToken = (await addToken(one, owner)).token
    const boardId = await apiClient(one.url, { authorization: `Bearer ${ownerToken}` }).createBoard('Fresh ids')
    await addMember(one, boardId, editor, 'editor')
    const editorToken = (await addToken(one, editor)).token
    const page = connect(one, boardId, { token: ownerToken })
    await page.synced()
    const assessmentId = addAssessment(page.doc, { title: 'Will the bridge hold?', judgment: 'Judgment.' })
    const idsStored = () => withStoredDoc(one, boardId, (doc) => doc.store.clients.size)
    // Waited for by the owner's id itself: the stored board holds an id before it (its creation's first state, under an
    // id of the server's), so a count of 1 was seen only while the owner's update was still uncommitted, and never once
    // its commit came before the first look.
    await waitFor(() => withStoredDoc(one, boardId, (doc) => doc.store.clients.has(page.doc.clientID)), 'the owner’s assessment stored')
    const idsBeforeEditor = await idsStored()
    const base = Y.encodeStateAsUpdate(page.doc)

    /** One update writing one character under each of `count` ids nobody wrote before. */
    const freshIds = (count: number, first: number) => {
      const parts = Array.from({ length: count }, (_, index) => {
        const doc = new Y.Doc()
        Y.applyUpdate(doc, base)
        doc.clientID = first + index
        const before = Y.encodeStateVector(doc)
        assessmentText(doc, assessmentId, 'judgment').insert(0, 'q')
        return Y.encodeStateAsUpdate(doc, before)
      })
      return Y.mergeUpdates(parts)
    }
    const editorSocket = async (server: { wsUrl: string }) => {
      const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${editorToken}`)
      sockets.push(socket)
      return socket
    }

    // The hour's whole allowance, through instance one.
    const onOne = await editorSocket(one)
    const updates = NEW_CLIENTS_PER_HOUR / NEW_CLIENTS_PER_UPDATE
    for (let update = 0; update < updates; update++) {
      onOne.send(frames.update(freshIds(NEW_CLIENTS_PER_UPDATE, 0x300000 + update * NEW_CLIENTS_PER_UPDATE)))
      await waitFor(async () => (await idsStored()) >= idsBeforeEditor + (update + 1) * NEW_CLIENTS_PER_UPDATE, `update ${update} stored`)
    }
    expect(onOne.isClosed()).toBe(false)
    // Each fresh id once, and none of the server's besides: the editor's keystrokes create no entry for it to stamp.
    expect(await idsStored()).toBe(idsBeforeEditor + NEW_CLIENTS_PER_HOUR)

    // One more, through instance two, whose own count of the editor's is untouched.
    const before = await idsStored()
    const onTwo = await editorSocket(two)
    onTwo.send(frames.update(freshIds(1, 0x400000)))
    await waitFor(async () => onTwo.isClosed() || (await idsStored()) > before, 'the update refused or stored')
    expect(await idsStored()).toBe(before)
    expect((await onTwo.closed).code).toBe(CLOSE.updateRejected.code)
  })
})
