/**
 * The server's own client ids (SERVER_WRITER) are never dropped from the
 * stored writers. They were trimmed as a member's are (past
 * WRITER_IDS_PER_ACCOUNT + WRITER_IDS_SLACK), and each import writes under a
 * new one (the worker's copy's): an editor's 319 imports in 8 s pushed the
 * board's creation id out, and once the room loaded again her update under it
 * was taken and the id stored as hers (review 31).
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { CLOSE } from '../shared/protocol.ts'
import { NEW_CLIENTS_PER_HOUR } from '../server/relay/client-writers.ts'
import { SERVER_WRITER, WRITER_IDS_PER_ACCOUNT, WRITER_IDS_SLACK } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { startTestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient } from './helpers/yjs-client.ts'

const opened = openedInTest()

/** Imports enough to take the server past the most ids an account keeps, each under an id of its own. */
const IMPORTS = WRITER_IDS_PER_ACCOUNT + WRITER_IDS_SLACK + 1
/** Each import's id counts against its editor's NEW_CLIENTS_PER_HOUR: two editors share them, each within it. */
const IMPORTERS = Math.ceil(IMPORTS / NEW_CLIENTS_PER_HOUR)

it.each(['sqlite', 'postgres'] as const)(`keeps the creation id the server’s through editors’ ${IMPORTS} imports, and refuses one’s update under it after a reload (%s)`, async (dialect) => {
  const running = (opened.server = await startTestServer({ accounts: true, dialect, env: { ROOM_IDLE_MS: '0' } }))
  const [owner, editor] = [await addAccount(running, { name: 'Olga' }), await addAccount(running, { name: 'Mallory' })]
  const ownerApi = apiClient(running.url, { authorization: `Bearer ${(await addToken(running, owner)).token}` })
  const boardId = await ownerApi.createBoard('Whose ids')
  await addMember(running, boardId, editor, 'editor')
  const editorToken = (await addToken(running, editor)).token
  const importers = [apiClient(running.url, { authorization: `Bearer ${editorToken}` })]
  for (let n = 1; n < IMPORTERS; n++) {
    const importer = await addAccount(running, { name: `Importer ${n}` })
    await addMember(running, boardId, importer, 'editor')
    importers.push(apiClient(running.url, { authorization: `Bearer ${(await addToken(running, importer)).token}` }))
  }
  const serverIds = async () => (await running.services.storage.log.writers(boardId)).filter((writer) => writer.userId === SERVER_WRITER).map((writer) => writer.clientId)
  const [creationId] = await serverIds()
  const made = await ownerApi.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Will the bridge hold?' })
  expect(made.status).toBe(201)

  // A page open meanwhile keeps the room loaded, so its memory of the writers is what each import is checked against.
  const keeper = connectClient(running.wsUrl, boardId, { token: editorToken })
  opened.clients.push(keeper)
  await keeper.synced()
  for (let n = 0; n < IMPORTS; n++) {
    const answer = await importers[n % IMPORTERS]!.post(`/api/boards/${boardId}/import`, { text: `Convoy ${n} left at dawn. [citation: Source ${n}]` })
    expect(answer.status).toBe(200)
  }
  const kept = await serverIds()
  expect(kept.length).toBeGreaterThan(IMPORTS)
  expect(kept).toContain(creationId)

  // The room loads again from the stored writers once nobody holds it (ROOM_IDLE_MS 0).
  keeper.destroy()
  await waitFor(() => !running.services.rooms.loadedRooms.has(boardId), 'the room to unload', 20_000)
  const honest = connectClient(running.wsUrl, boardId, { token: editorToken })
  opened.clients.push(honest)
  await honest.synced()
  const honestCloses = closeCodes(honest)
  const socket = await openRawSocket(`${running.wsUrl}/${boardId}?token=${editorToken}`)
  opened.sockets.push(socket)
  socket.send(frames.update(forgedUpdate(Y.encodeStateAsUpdate(honest.doc), creationId!, (doc) => assessmentText(doc, made.body.id, 'judgment').insert(0, 'FORGED '))))
  await waitFor(() => socket.isClosed(), 'the socket forging under the creation id to be closed', 20_000)
  expect((await socket.closed).code).toBe(CLOSE.updateRejected.code)
  // Refused before it was applied: had the room's memory dropped the id, the update would have reached the honest page and the database's refusal reset the room.
  expect((await ownerApi.patch(`/api/boards/${boardId}/assessments/${made.body.id}`, { title: 'Renamed' })).status).toBe(200)
  await waitFor(() => boardToModel(honest.doc, boardId).assessments[0]?.title === 'Renamed', 'the rename on the honest page')
  expect(honestCloses).toEqual([])
  expect(boardToModel(honest.doc, boardId).assessments.map((card) => card.judgment)).toEqual([''])
  expect((await storedBoard(running, boardId)).assessments.map((card) => card.judgment)).toEqual([''])
  expect((await running.services.storage.log.writers(boardId)).find((writer) => writer.clientId === creationId)?.userId).toBe(SERVER_WRITER)
}, 180_000)
