/**
 * A right taken away while a change is on its way: an import is planned, a
 * restore worked out (and an edit's board loaded) after the request's access
 * check, and that can take long enough for the editor to be removed, demoted,
 * deactivated or to lose their token, or for the board to be archived or
 * deleted. The change must
 * then get the answer the same request would get if it started now, and
 * nothing of it may be stored; a deleted board keeps no row. The gate on the
 * update log's loads stops the work at that point for as long as the test
 * needs, rather than hoping a large document takes long enough. The same
 * holds for a websocket whose upgrade was decided and whose socket has not
 * joined yet: it is closed as it opens, and decided again. Run on SQLite and
 * PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, onTestFinished } from 'vitest'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { addAccount, addMember, addToken, signedInClient, type TestAccount } from '../helpers/accounts.ts'
import { AppendControl } from '../helpers/append-control.ts'
import { LoadGate } from '../helpers/load-gate.ts'
import { SAMPLE_ARTICLE } from '../helpers/sample-article.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from '../helpers/yjs-client.ts'
import type { HeldRoom } from '../../server/relay/room-registry.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import type { RestoreResult, SnapshotSummary } from '../../shared/snapshot-model.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'

const postgresMissing = await missingServices('postgres')

/** A whole story against a real server, on a loaded machine. */
const STORY_MS = 60_000

type ErrorBody = { error: { code: string } }

describeEachDialect(postgresMissing, 'a right taken away while a change is on its way, on %s', (dialect) => {
  const loads = new LoadGate()
  const readLoads = new LoadGate('after-read')
  const appends = new AppendControl()
  let server: TestServer
  let admin: TestAccount
  let owner: TestAccount
  let editor: TestAccount
  let asAdmin: ApiClient
  let asOwner: ApiClient
  let editorToken: { id: string; token: string }
  let asEditor: ApiClient
  let boardId: string
  let open: HeldRoom | null = null
  let clients: TestClient[] = []

  // One server and its admin for the suite; each test has its own owner, editor, tokens and board, since tests
  // deactivate people, revoke tokens, and archive or delete boards. The gates are open again after each test.
  beforeAll(async () => {
    // A room unloads as soon as nobody holds it, so an edit's request loads its board: a wait the gate can hold.
    server = await startTestServer({ accounts: true, dialect, wrapStorage: (storage) => appends.wrap(readLoads.wrap(loads.wrap(storage))), env: { ROOM_IDLE_MS: '0' } })
    admin = await addAccount(server, { name: 'Ada Admin', isAdmin: true })
    asAdmin = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, admin)).token}` })
  }, STORY_MS)

  afterAll(async () => {
    await server.destroy()
  }, STORY_MS)

  beforeEach(async () => {
    owner = await addAccount(server, { name: 'Olga Owner' })
    editor = await addAccount(server, { name: 'Ed Editor' })
    asOwner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
    editorToken = await addToken(server, editor)
    asEditor = apiClient(server.url, { authorization: `Bearer ${editorToken.token}` })
    boardId = await asOwner.createBoard('Wagner mutiny — Vilnius')
    await addMember(server, boardId, editor, 'editor')
  }, STORY_MS)

  afterEach(() => {
    loads.release()
    readLoads.release()
    appends.release()
    for (const client of clients.splice(0)) client.destroy()
    open?.release()
    open = null
  })

  /** The board open on this instance (its room held, as a socket holds it), so the gate holds the import's own read. */
  const openBoard = async () => {
    open = await server.services.rooms.acquire(boardId)
  }

  /**
   * Sends `request` and resolves once it waits at the gate: its right was
   * checked, its change not yet applied. The answer is wrapped, or awaiting
   * this would wait for it.
   */
  const heldMidway = async <T>(request: () => Promise<ApiResponse<T>>, gate = loads): Promise<{ answer: Promise<ApiResponse<T>> }> => {
    gate.hold()
    const answer = request()
    await waitFor(() => gate.waiting > 0, 'the request to wait at the gate')
    return { answer }
  }

  const importByEditor = () => asEditor.post<ErrorBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })

  const takenAway: [string, () => Promise<ApiResponse>, number, string][] = [
    ['removed from the board', () => asOwner.delete(`/api/boards/${boardId}/members/${editor.id}`), 404, 'not_found'],
    ['demoted to reviewer', () => asOwner.patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'reviewer' }), 403, 'forbidden'],
    ['deactivated', () => asAdmin.patch(`/api/users/${editor.id}`, { deactivated: true }), 401, 'unauthorized'],
    [
      'left with their token revoked',
      async () => (await signedInClient(server, editor)).delete(`/api/tokens/${editorToken.id}`),
      401,
      'unauthorized',
    ],
  ]

  it.each(takenAway)(
    'an editor %s while their import is planned gets the answer a new request would, and nothing lands',
    async (_what, takeAway, status, code) => {
      await openBoard()
      const { answer } = await heldMidway(importByEditor)
      expect((await takeAway()).status).toBeLessThan(300)
      loads.release()
      const refused = await answer
      expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status, code })
      expect((await storedBoard(server, boardId)).claims).toEqual([])
    },
    STORY_MS,
  )

  it('an import planned while an owner archives the board is refused as an edit would be, and nothing lands', async () => {
    await openBoard()
    const { answer } = await heldMidway(importByEditor)
    expect((await asOwner.post(`/api/boards/${boardId}/archive`)).status).toBe(200)
    loads.release()
    const refused = await answer
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 409, code: 'board_archived' })
    expect((await storedBoard(server, boardId)).claims).toEqual([])
  }, STORY_MS)

  it('an import planned while the admin deletes the board is refused, and the deleted board keeps no row', async () => {
    await openBoard()
    const { answer } = await heldMidway(importByEditor)
    expect((await asAdmin.delete(`/api/boards/${boardId}`)).status).toBe(204)
    loads.release()
    expect((await answer).status).toBe(404)
    open?.release()
    // Its last holder gone, the deleted board's room unloads at once rather than idle.
    expect(server.services.rooms.loadedRooms.has(boardId)).toBe(false)
    const { storage } = server.services
    expect(await storage.boards.get(boardId)).toBeUndefined()
    expect(await storage.log.load(boardId)).toMatchObject({ checkpoint: null, updates: [] })
    expect(await storage.history.size(boardId)).toMatchObject({ rows: 0, checkpoints: 0, changes: 0 })
  }, STORY_MS)

  /** A snapshot of the board holding one card, "Original", after which the card is renamed and another added. */
  const snapshotThenRewrite = async (): Promise<{ restore: () => Promise<ApiResponse<ErrorBody & RestoreResult>> }> => {
    const card = await asOwner.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Original' })
    const snapshot = await asOwner.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'v1' })
    expect((await asOwner.patch(`/api/boards/${boardId}/assessments/${card.body.id}`, { title: 'Rewritten' })).status).toBe(200)
    expect((await asOwner.post(`/api/boards/${boardId}/assessments`, { title: 'Added later' })).status).toBe(201)
    return { restore: () => asOwner.post(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/restore`) }
  }
  const titles = (board: BoardModel) => board.assessments.map((a) => a.title).sort()

  it('a restore worked out while its owner is deactivated is refused, and nothing lands', async () => {
    const { restore } = await snapshotThenRewrite()
    await openBoard()
    const { answer } = await heldMidway(restore)
    expect((await asAdmin.patch(`/api/users/${owner.id}`, { deactivated: true })).status).toBe(200)
    loads.release()
    const refused = await answer
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 401, code: 'unauthorized' })
    expect(titles(await storedBoard(server, boardId))).toEqual(['Added later', 'Rewritten'])
    expect((await server.services.storage.snapshots.list(boardId)).map((s) => s.kind)).toEqual(['named'])
  }, STORY_MS)

  it('an edit applied while a restore is worked out is replaced by it, and kept in the restore point with the board the restore replaced', async () => {
    const { restore } = await snapshotThenRewrite()
    await openBoard()
    const { answer } = await heldMidway(restore, readLoads)
    expect((await asEditor.post(`/api/boards/${boardId}/assessments`, { title: 'Typed meanwhile' })).status).toBe(201)
    readLoads.release()
    const restored = await answer
    expect(restored.status).toBe(200)
    expect(titles(await storedBoard(server, boardId))).toEqual(['Original'])
    const restorePoint = await asOwner.get<BoardModel>(`/api/boards/${boardId}/snapshots/${restored.body.before!.id}`)
    expect(titles(restorePoint.body)).toEqual(['Added later', 'Rewritten', 'Typed meanwhile'])
  }, STORY_MS)

  it('an edit waiting for its board to load is refused once its editor is removed', async () => {
    const { answer } = await heldMidway(() =>
      asEditor.post<ErrorBody>(`/api/boards/${boardId}/batch`, { operations: [{ op: 'add', collection: 'assessments', input: { title: 'Too late' } }] }),
    )
    expect((await asOwner.delete(`/api/boards/${boardId}/members/${editor.id}`)).status).toBe(204)
    loads.release()
    const refused = await answer
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 404, code: 'not_found' })
    expect((await storedBoard(server, boardId)).assessments).toEqual([])
  }, STORY_MS)

  /** The editor's socket, its upgrade decided and waiting at the gate for its board to load: no socket to close yet. */
  const editorJoiningMidway = async () => {
    loads.hold()
    const client = connectClient(server.wsUrl, boardId, { token: editorToken.token })
    clients.push(client)
    const closes = closeCodes(client)
    await waitFor(() => loads.waiting > 0, 'the upgrade to wait at the gate')
    return { client, closes }
  }
  const editorConnections = () => [...(server.services.rooms.loadedRooms.get(boardId)?.connections ?? [])].filter((c) => c.identity.userId === editor.id)

  it.each([
    ['the board is archived', () => asOwner.post(`/api/boards/${boardId}/archive`)],
    ['its editor is demoted to reviewer', () => asOwner.patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'reviewer' })],
  ])('a socket joining while %s is closed as it opens, and comes back read-only', async (_what, takeAway) => {
    const { client, closes } = await editorJoiningMidway()
    expect((await takeAway()).status).toBe(200)
    loads.release()
    await waitFor(() => closes[0] === CLOSE.accessChanged.code, 'the socket to close with “access changed”')
    await waitFor(() => client.provider.synced && editorConnections().length === 1, 'the editor to reconnect')
    expect(editorConnections().every((c) => !c.canWrite)).toBe(true)
    const witness = connectClient(server.wsUrl, boardId, { token: (await addToken(server, owner)).token })
    clients.push(witness)
    await witness.synced()
    addAssessment(client.doc, { title: 'Written after' })
    // A socket's frames are handled in order: once its presence that follows has reached the witness, the edit was handled.
    client.provider.awareness.setLocalStateField('focus', { assessmentId: 'after the edit', field: null })
    await waitFor(() => witness.provider.awareness.getStates().get(client.doc.clientID)?.focus?.assessmentId === 'after the edit', 'the editor’s presence at the witness')
    expect((await storedBoard(server, boardId)).assessments).toEqual([])
  }, STORY_MS)

  it('an edit from the editor’s socket waiting for a commit in flight is dropped once the board is archived meanwhile', async () => {
    const writer = connectClient(server.wsUrl, boardId, { token: editorToken.token })
    const witness = connectClient(server.wsUrl, boardId, { token: (await addToken(server, owner)).token })
    clients.push(writer, witness)
    const closes = closeCodes(writer)
    await Promise.all([writer.synced(), witness.synced()])
    appends.hold()
    addAssessment(writer.doc, { title: 'Committed before' })
    await waitFor(() => appends.waiting === 1, 'the first edit’s commit to be on its way')
    addAssessment(writer.doc, { title: 'Waiting for the commit' })
    // A socket's frames are handled in order: once its presence that follows has reached the witness, the edit waits for the commit.
    writer.provider.awareness.setLocalStateField('focus', { assessmentId: 'after the edit', field: null })
    await waitFor(() => witness.provider.awareness.getStates().get(writer.doc.clientID)?.focus?.assessmentId === 'after the edit', 'the editor’s presence at the witness')
    expect((await asOwner.post(`/api/boards/${boardId}/archive`)).status).toBe(200)
    await waitFor(() => closes[0] === CLOSE.accessChanged.code, 'the editor’s socket to close with “access changed”')
    appends.release()
    await waitFor(async () => titles(await storedBoard(server, boardId)).includes('Committed before'), 'the commit in flight to be stored')
    // What waited for that commit is applied as it completes, and committed next: nothing is left once the room is saved.
    await waitFor(() => server.services.rooms.loadedRooms.get(boardId)?.isSaved ?? true, 'the room to have committed everything applied')
    expect(titles(await storedBoard(server, boardId))).toEqual(['Committed before'])
  }, STORY_MS)

  it('a socket joining while the admin deletes the board is closed for good as it opens, and no row is left', async () => {
    const rooms = server.services.rooms
    const deleteBoard = rooms.deleteBoard.bind(rooms)
    let deleting = false
    rooms.deleteBoard = (deleted, remove) => {
      deleting = true
      return deleteBoard(deleted, remove)
    }
    // The server serves the suite's later tests: they get its own method back.
    onTestFinished(() => {
      rooms.deleteBoard = deleteBoard
    })
    const { client, closes } = await editorJoiningMidway()
    // The delete waits for the board's load under way, which waits at the gate: let it go once the delete has begun.
    const deleted = asAdmin.delete(`/api/boards/${boardId}`)
    await waitFor(() => deleting, 'the delete to begin')
    loads.release()
    expect((await deleted).status).toBe(204)
    await waitFor(() => closes[0] === CLOSE.boardDeleted.code, 'the socket to close with “board deleted”')
    expect(client.provider.shouldConnect).toBe(false)
    await waitFor(() => !rooms.loadedRooms.has(boardId), 'the room to unload')
    expect(await server.services.storage.log.load(boardId)).toMatchObject({ checkpoint: null, updates: [] })
    expect(await server.services.storage.boards.get(boardId)).toBeUndefined()
  }, STORY_MS)
})
