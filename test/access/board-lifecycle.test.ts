/**
 * A board's life in the board list: its summary (marking, counts, last change)
 * and review status; an owner archives it (hidden from the default list, its
 * content read-only at the API and at the relay for a real provider, until
 * restored); the admin deletes it (rows gone on either database, sockets
 * closed for good). Each step is audited. Run on SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { isolate } from '../../shared/bidi.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import type { BoardListing } from '../../shared/board-listing.ts'
import type { SnapshotReviewStatus } from '../../shared/review-status.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { addAccount, addMember, sessionHeaders, signedInClient, signIn, type TestAccount } from '../helpers/accounts.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/** Each test runs a whole story against a real server: room for a loaded machine. */
const STORY_MS = 120_000

type ErrorBody = { error: { code: string; message: string } }
type AuditEntry = { action: string; actorId: string | null; boardId: string | null; detail: Record<string, unknown> }

describeEachDialect(postgresMissing, 'a board archived, restored and deleted on %s', (dialect) => {
  let server: TestServer
  let admin: TestAccount
  let owner: TestAccount
  let editor: TestAccount
  let reviewer: TestAccount
  let asAdmin: ApiClient
  let asOwner: ApiClient
  let asEditor: ApiClient
  let asReviewer: ApiClient
  let boardId: string
  const clients: TestClient[] = []

  beforeEach(async () => {
    server = await startTestServer({ accounts: true, dialect })
    admin = await addAccount(server, { name: 'Ada Admin', isAdmin: true })
    owner = await addAccount(server, { name: 'Olga Owner' })
    editor = await addAccount(server, { name: 'Ed Editor' })
    reviewer = await addAccount(server, { name: 'Rita Reviewer' })
    const session = (account: TestAccount) => signedInClient(server, account)
    asAdmin = await session(admin)
    asOwner = await session(owner)
    asEditor = await session(editor)
    asReviewer = await session(reviewer)
    boardId = await asOwner.createBoard('Wagner mutiny — Vilnius')
    await addMember(server, boardId, editor, 'editor')
    await addMember(server, boardId, reviewer, 'reviewer')
  }, STORY_MS)

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
  }, STORY_MS)

  const list = async (api: ApiClient, query = '') => (await api.get<BoardListing[]>(`/api/boards${query}`)).body
  const listed = async (api: ApiClient, query = '') => (await list(api, query)).find((board) => board.id === boardId)
  const auditOf = async (action: string) => ((await asAdmin.get<AuditEntry[]>('/api/audit')).body ?? []).filter((entry) => entry.action === action)
  const connect = (account: TestAccount, cookie: string) => {
    const client = connectClient(server.wsUrl, boardId, {}, sessionHeaders(server, cookie))
    clients.push(client)
    return { client, closes: closeCodes(client), account }
  }
  const storedTitles = async () => (await storedBoard(server, boardId)).assessments.map((a) => a.title).sort()

  it('lists each board with its marking, counts, last change and latest review status', async () => {
    expect(await listed(asEditor)).toMatchObject({ title: 'Wagner mutiny — Vilnius', role: 'editor', marking: 'TLP:AMBER', assessmentCount: 0, claimCount: 0, review: null })
    const before = (await listed(asEditor))!.lastChangeAt!
    await asEditor.post(`/api/boards/${boardId}/assessments`, { title: 'Wagner is absorbed' })
    const source = await asEditor.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Reuters', reliability: 'B' })
    expect(source.status).toBe(201)
    await asEditor.post(`/api/boards/${boardId}/claims`, { sourceId: source.body.id, text: 'Columns moved north.', credibility: 2 })
    await asOwner.patch(`/api/boards/${boardId}`, { marking: 'TLP:RED', title: 'Wagner mutiny — Vilnius, revised' })
    await waitFor(async () => (await listed(asEditor))?.claimCount === 1 && (await listed(asEditor))?.marking === 'TLP:RED', 'the summary to follow the edits', 20_000)
    const after = (await listed(asEditor))!
    // The title, too, is read from the document: the list has no other writer of it.
    expect(after).toMatchObject({ title: 'Wagner mutiny — Vilnius, revised', assessmentCount: 1, claimCount: 1, marking: 'TLP:RED' })
    expect(after.lastChangeAt! > before).toBe(true)

    const first = await asEditor.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Draft 1' })
    expect((await asReviewer.put(`/api/boards/${boardId}/snapshots/${first.body.id}/signoff`, { decision: 'approved' })).status).toBe(200)
    expect((await listed(asReviewer))?.review).toMatchObject({ snapshotLabel: 'Draft 1', status: 'approved', statement: `Approved by ${isolate('Rita Reviewer')}.` })
    // A later snapshot signed off with changes requested is the board's status now, whoever asks.
    await asEditor.post(`/api/boards/${boardId}/assessments`, { title: 'Prigozhin goes to Minsk' })
    const second = await asEditor.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Draft 2' })
    await asReviewer.put(`/api/boards/${boardId}/snapshots/${second.body.id}/signoff`, { decision: 'changes-requested', note: 'Source the Minsk claim.' })
    await asOwner.put(`/api/boards/${boardId}/snapshots/${second.body.id}/signoff`, { decision: 'approved' })
    const review = (await listed(asEditor))?.review
    expect(review).toMatchObject({ snapshotId: second.body.id, status: 'changes-requested', statement: `Changes requested by ${isolate('Rita Reviewer')}; approved by ${isolate('Olga Owner')}.` })
    expect(review?.signoffs.map((s) => s.note)).toContain('Source the Minsk claim.')
    const status = await asReviewer.get<{ latest: SnapshotReviewStatus; snapshots: SnapshotReviewStatus[] }>(`/api/boards/${boardId}/review/status`)
    expect(status.body.latest.snapshotId).toBe(second.body.id)
    expect(status.body.snapshots.map((s) => [s.snapshotLabel, s.status])).toEqual([
      ['Draft 2', 'changes-requested'],
      ['Draft 1', 'approved'],
    ])
    expect((await apiClient(server.url).get(`/api/boards/${boardId}/review/status`)).status).toBe(401)
    expect((await asAdmin.get('/api/boards?archived=sometimes')).status).toBe(400)
  }, STORY_MS)

  it('counts a board made before the summary existed when its first socket opens', async () => {
    const { storage } = server.services
    const legacyId = 'legacy-board'
    const doc = new Y.Doc()
    initBoardDoc(doc, { title: 'Older board' })
    addAssessment(doc, { title: 'Counted at load' })
    await storage.boards.create({ id: legacyId, title: 'Older board', createdAt: new Date().toISOString(), createdBy: owner.id })
    await storage.members.add({ boardId: legacyId, userId: editor.id, role: 'editor', addedAt: new Date().toISOString() })
    await storage.log.append(legacyId, [{ update: Y.encodeStateAsUpdate(doc), origin: 'test' }])
    doc.destroy()
    const listedLegacy = async () => (await list(asEditor)).find((board) => board.id === legacyId)
    expect(await listedLegacy()).toMatchObject({ assessmentCount: null, claimCount: null })

    const client = connectClient(server.wsUrl, legacyId, {}, sessionHeaders(server, await signIn(server, editor)))
    clients.push(client)
    await client.synced()
    await waitFor(async () => (await listedLegacy())?.assessmentCount === 1, 'the older board to be counted as it loads')
    expect(await listedLegacy()).toMatchObject({ title: 'Older board', marking: 'TLP:AMBER', assessmentCount: 1, claimCount: 0 })
  }, STORY_MS)

  it('an owner archives a board: hidden from the default list, read-only at the API and the relay, restorable', async () => {
    const editorCookie = await signIn(server, editor)
    const writer = connect(editor, editorCookie)
    await writer.client.synced()
    addAssessment(writer.client.doc, { title: 'Before the archive' })
    await waitFor(async () => (await storedTitles()).includes('Before the archive'), 'the edit before the archive to be stored')
    const snapshot = await asEditor.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Before the archive' })

    for (const api of [asEditor, asReviewer]) {
      const refused = await api.post<ErrorBody>(`/api/boards/${boardId}/archive`)
      expect(refused.status).toBe(403)
    }
    const stranger = await signedInClient(server, await addAccount(server))
    expect((await stranger.post(`/api/boards/${boardId}/archive`)).status).toBe(404)
    const archived = await asOwner.post<{ archivedAt: string; archivedBy: string }>(`/api/boards/${boardId}/archive`)
    expect(archived.status).toBe(200)
    expect(archived.body.archivedBy).toBe('Olga Owner')

    expect(await listed(asEditor)).toBeUndefined()
    expect(await listed(asEditor, '?archived=include')).toMatchObject({ archivedBy: 'Olga Owner' })
    expect((await list(asEditor, '?archived=only')).map((b) => b.id)).toEqual([boardId])
    expect((await asReviewer.get(`/api/boards/${boardId}`)).status).toBe(200)

    const edit = await asOwner.post<ErrorBody>(`/api/boards/${boardId}/assessments`, { title: 'Refused' })
    expect(edit.status).toBe(409)
    expect(edit.body.error).toMatchObject({ code: 'board_archived' })
    expect(edit.body.error.message).toContain('Olga Owner')
    expect((await asOwner.patch(`/api/boards/${boardId}`, { title: 'Renamed' })).status).toBe(409)
    expect((await asOwner.post(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/restore`)).status).toBe(409)
    expect((await asEditor.post(`/api/boards/${boardId}/snapshots`, { label: 'Refused too' })).status).toBe(409)

    // The writer's socket was closed; its provider reconnects by itself and is admitted read-only.
    await waitFor(() => writer.closes.includes(CLOSE.accessChanged.code), 'the writer’s socket to close')
    await waitFor(() => writer.client.provider.wsconnected && writer.client.provider.synced, 'the writer to reconnect')
    const connection = await waitFor(
      () => [...(server.services.rooms.loadedRooms.get(boardId)?.connections ?? [])].find((c) => c.identity.userId === editor.id && !c.closed),
      'the editor’s new connection',
    )
    expect(connection.canWrite).toBe(false)
    addAssessment(writer.client.doc, { title: 'During the archive' })
    const reader = connect(owner, await signIn(server, owner))
    await reader.client.synced()
    expect(boardToModel(reader.client.doc, boardId).assessments.map((a) => a.title)).toEqual(['Before the archive'])
    expect(await storedTitles()).toEqual(['Before the archive'])

    expect((await asEditor.delete(`/api/boards/${boardId}/archive`)).status).toBe(403)
    expect((await asOwner.delete(`/api/boards/${boardId}/archive`)).status).toBe(200)
    expect(await listed(asEditor)).toMatchObject({ archivedAt: null, archivedBy: null })
    // Restored, the writer reconnects writable and what it typed meanwhile is sent again and stored.
    await waitFor(async () => (await storedTitles()).includes('During the archive'), 'the writer’s kept edit to be stored after the restore', 20_000)
    expect((await asOwner.post(`/api/boards/${boardId}/assessments`, { title: 'After the restore' })).status).toBe(201)

    const [archivedEntry] = await auditOf('board-archived')
    expect(archivedEntry).toMatchObject({ actorId: owner.id, boardId, detail: { title: 'Wagner mutiny — Vilnius' } })
    expect(await auditOf('board-restored')).toHaveLength(1)
  }, STORY_MS)

  it('the admin deletes a board: every row goes, its sockets close for good, the audit keeps it', async () => {
    const editorCookie = await signIn(server, editor)
    const writer = connect(editor, editorCookie)
    await writer.client.synced()
    addAssessment(writer.client.doc, { title: 'Doomed' })
    await waitFor(async () => (await storedTitles()).includes('Doomed'), 'the edit to be stored')
    const snapshot = await asEditor.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Before deletion' })
    await asReviewer.put(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/signoff`, { decision: 'approved' })
    await asOwner.post(`/api/boards/${boardId}/invites`, { role: 'editor' })
    await server.services.compaction.compact(boardId)
    expect((await server.services.storage.history.size(boardId)).checkpoints).toBeGreaterThan(0)

    const byOwner = await asOwner.delete<ErrorBody>(`/api/boards/${boardId}`)
    expect(byOwner.status).toBe(403)
    expect(byOwner.body.error.message).toContain('archive')
    expect((await asAdmin.delete(`/api/boards/missing`)).status).toBe(404)
    expect((await asAdmin.delete(`/api/boards/${boardId}`)).status).toBe(204)

    await waitFor(() => writer.closes.includes(CLOSE.boardDeleted.code), 'the writer’s socket to close with board deleted')
    // Nothing comes back to a deleted board: its room is not kept idle.
    expect(server.services.rooms.loadedRooms.has(boardId)).toBe(false)
    const { storage } = server.services
    expect(await storage.boards.get(boardId)).toBeUndefined()
    expect(await storage.log.load(boardId)).toMatchObject({ checkpoint: null, updates: [] })
    expect(await storage.history.size(boardId)).toMatchObject({ rows: 0, checkpoints: 0, changes: 0 })
    expect(await storage.snapshots.list(boardId)).toEqual([])
    expect(await storage.reviews.boardSignoffs([boardId])).toEqual(new Map([[boardId, []]]))
    expect(await storage.members.list(boardId)).toEqual([])
    expect(await storage.invites.listForBoard(boardId, new Date(0).toISOString())).toEqual([])
    expect((await asOwner.get(`/api/boards/${boardId}`)).status).toBe(404)
    expect(await listed(asAdmin, '?archived=include')).toBeUndefined()
    expect(writer.client.provider.shouldConnect).toBe(false)
    expect(await auditOf('board-deleted')).toEqual([expect.objectContaining({ actorId: admin.id, boardId, detail: expect.objectContaining({ title: 'Wagner mutiny — Vilnius' }) })])
  }, STORY_MS)
})
