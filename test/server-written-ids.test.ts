/**
 * Every client id the server writes under is stored as the server's
 * (SERVER_WRITER), so that no member may write under it. A new board's first
 * state was written under the id of a throwaway document and stored without a
 * writer, and so were an import's and a restore's, worked out on a worker's
 * copy of the board: an editor's update under the creation id was taken,
 * reached everyone, and stored the id as the editor's (red team 31b).
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { CLOSE } from '../shared/protocol.ts'
import { SERVER_WRITER } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { storedBoard, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient } from './helpers/yjs-client.ts'

const FORGED = 'FORGED '

const opened = openedInTest()

/** Each client id of the board as stored, with who wrote it (undefined: nobody known). */
async function idsAndWriters(running: TestServer, boardId: string): Promise<Map<number, string | undefined>> {
  const writers = new Map((await running.services.storage.log.writers(boardId)).map(({ clientId, userId }) => [clientId, userId]))
  const ids = await withStoredDoc(running, boardId, (doc) => [...doc.store.clients.keys()])
  return new Map(ids.map((id) => [id, writers.get(id)]))
}

it.each(['sqlite', 'postgres'] as const)('stores the ids a board was created, imported into and restored under as the server’s, and refuses an editor’s update under them (%s)', async (dialect) => {
  const running = (opened.server = await startTestServer({ accounts: true, dialect }))
  const [owner, editor] = [await addAccount(running, { name: 'Olga' }), await addAccount(running, { name: 'Mallory' })]
  const ownerApi = apiClient(running.url, { authorization: `Bearer ${(await addToken(running, owner)).token}` })
  const boardId = await ownerApi.createBoard('Whose ids')
  await addMember(running, boardId, editor, 'editor')
  const editorToken = (await addToken(running, editor)).token

  // Created: the first row's id, the one the red team wrote under.
  const created = await idsAndWriters(running, boardId)
  expect([...created.values()]).toEqual([SERVER_WRITER])
  const [creationId] = created.keys()

  const made = await ownerApi.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Will the bridge hold?' })
  expect(made.status).toBe(201)
  const snapshot = await ownerApi.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'One card' })
  expect(snapshot.status).toBe(201)
  expect((await ownerApi.patch(`/api/boards/${boardId}/assessments/${made.body.id}`, { title: 'Renamed' })).status).toBe(200)
  expect((await ownerApi.post(`/api/boards/${boardId}/import`, { text: 'The convoy left at dawn. [citation: NATO]' })).status).toBe(200)
  const afterImport = await idsAndWriters(running, boardId)
  expect((await ownerApi.post(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/restore`)).status).toBe(200)
  const written = await idsAndWriters(running, boardId)
  // The import and the restore (the title back as it was) each wrote under an id of their own, the worker's copy's.
  expect(afterImport.size).toBeGreaterThan(created.size)
  expect(written.size).toBeGreaterThan(afterImport.size)
  expect(Object.fromEntries(written)).toEqual(Object.fromEntries([...written.keys()].map((id) => [id, SERVER_WRITER])))

  const honest = connectClient(running.wsUrl, boardId, { token: editorToken })
  opened.clients.push(honest)
  await honest.synced()
  const base = Y.encodeStateAsUpdate(honest.doc)
  for (const clientId of [creationId!, ...written.keys()]) {
    const socket = await openRawSocket(`${running.wsUrl}/${boardId}?token=${editorToken}`)
    opened.sockets.push(socket)
    socket.send(frames.update(forgedUpdate(base, clientId, (doc) => assessmentText(doc, made.body.id, 'judgment').insert(0, FORGED))))
    await waitFor(() => socket.isClosed(), `the socket forging under ${clientId} to be closed`)
    expect((await socket.closed).code).toBe(CLOSE.updateRejected.code)
  }
  // Nothing forged reached the honest page or the board, and every id is still the server's.
  expect((await storedBoard(running, boardId)).assessments.map((card) => card.judgment)).toEqual([''])
  expect(boardToModel(honest.doc, boardId).assessments.map((card) => card.judgment)).toEqual([''])
  expect(new Set((await idsAndWriters(running, boardId)).values())).toEqual(new Set([SERVER_WRITER]))
}, 60_000)
