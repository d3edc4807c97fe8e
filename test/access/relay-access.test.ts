/**
 * Rights on the websocket: a reviewer's edits go nowhere, a revoked token's
 * socket closes at once, a demoted editor comes back read-only, a removed
 * member cannot come back, and a cookie is worth nothing from a foreign page.
 */
import WebSocket from 'ws'
import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE, MESSAGE_AUTH, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS } from '../../shared/protocol.ts'
import { updateMessage } from '../../server/relay/messages.ts'
import { apiClient } from '../helpers/api.ts'
import { addAccount, addMember, addToken, SecretWatch, sessionHeaders, signIn, upgradeStatus, type TestAccount } from '../helpers/accounts.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from '../helpers/yjs-client.ts'

describe('access on the websocket', () => {
  let watch: SecretWatch
  let server: TestServer
  let owner: TestAccount
  let editor: TestAccount
  let reviewer: TestAccount
  let ownerCookie: string
  let boardId: string
  const clients: TestClient[] = []
  const sockets: WebSocket[] = []

  const connect = (params: Record<string, string>, headers?: Record<string, string>) => {
    const client = connectClient(server.wsUrl, boardId, params, headers)
    clients.push(client)
    return client
  }
  const asOwner = () => apiClient(server.url, sessionHeaders(server, ownerCookie), watch.observe)
  const storedTitles = async () => (await asOwner().get<BoardModel>(`/api/boards/${boardId}`)).body.assessments.map((a) => a.title)
  const titles = (client: TestClient) => boardToModel(client.doc, boardId).assessments.map((a) => a.title)
  const connectionsOf = (userId: string) => [...(server.services.rooms.loadedRooms.get(boardId)?.connections ?? [])].filter((c) => c.identity.userId === userId)

  beforeEach(async () => {
    watch = new SecretWatch()
    server = await startTestServer({ accounts: true, logSink: watch.logSink })
    owner = await addAccount(server, { name: 'Olga Owner' })
    editor = await addAccount(server, { name: 'Ed Editor' })
    reviewer = await addAccount(server, { name: 'Rita Reviewer' })
    for (const account of [owner, editor, reviewer]) await watch.account(server, account)
    ownerCookie = await signIn(server, owner, watch)
    boardId = await asOwner().createBoard('Live')
    await addMember(server, boardId, editor, 'editor')
    await addMember(server, boardId, reviewer, 'reviewer')
  })

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    for (const socket of sockets.splice(0)) socket.terminate()
    await server.destroy()
    watch.expectClean()
  })

  it("a reviewer's real provider edits locally, but nothing reaches the stored board or any other client; its presence does", async () => {
    const reviewerCookie = await signIn(server, reviewer, watch)
    const ownerClient = connect({}, sessionHeaders(server, ownerCookie))
    const reviewerClient = connect({}, sessionHeaders(server, reviewerCookie))
    await Promise.all([ownerClient.synced(), reviewerClient.synced()])
    addAssessment(ownerClient.doc, { title: 'From the owner' })
    await waitFor(() => titles(reviewerClient).includes('From the owner'), 'the owner’s edit at the reviewer')

    addAssessment(reviewerClient.doc, { title: 'From the reviewer' })
    addAssessment(reviewerClient.doc, { title: 'Again from the reviewer' })
    reviewerClient.provider.awareness.setLocalStateField('user', { name: 'Rita' })
    // The server stamps presence with the account's name and marks a reviewer's as read-only.
    await waitFor(() => ownerClient.provider.awareness.getStates().get(reviewerClient.doc.clientID)?.user?.readOnly === true, 'the reviewer’s presence at the owner')
    expect(ownerClient.provider.awareness.getStates().get(reviewerClient.doc.clientID)?.user).toMatchObject({ id: reviewer.id, name: 'Rita Reviewer' })
    addAssessment(ownerClient.doc, { title: 'After the reviewer' })
    await waitFor(() => titles(reviewerClient).includes('After the reviewer'), 'a later edit at the reviewer')

    expect(titles(ownerClient).sort()).toEqual(['After the reviewer', 'From the owner'])
    expect((await storedTitles()).sort()).toEqual(['After the reviewer', 'From the owner'])
    expect(titles(reviewerClient)).toContain('From the reviewer')
    expect((await storedBoard(server, boardId)).assessments.map((a) => a.title).sort()).toEqual(['After the reviewer', 'From the owner'])
    const late = connect({}, sessionHeaders(server, ownerCookie))
    await late.synced()
    expect(titles(late)).not.toContain('From the reviewer')
    expect(reviewerClient.provider.wsconnected).toBe(true)
  })

  it('answers only the first of a reviewer’s updates with permission denied', async () => {
    const { token } = await addToken(server, reviewer)
    watch.secret(token)
    const socket = new WebSocket(`${server.wsUrl}/${boardId}?token=${token}`)
    sockets.push(socket)
    const received: Uint8Array[] = []
    socket.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
    await new Promise((resolve, reject) => {
      socket.once('open', resolve)
      socket.once('error', reject)
    })
    const doc = new Y.Doc()
    const updates: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => updates.push(update))
    addAssessment(doc, { title: 'One' })
    addAssessment(doc, { title: 'Two' })
    for (const update of updates) socket.send(updateMessage(update))
    // Frames of one socket are handled in order: the answer to this query comes after both updates were.
    socket.send(new Uint8Array([MESSAGE_QUERY_AWARENESS]))
    await waitFor(() => received.some((frame) => frame[0] === MESSAGE_AWARENESS), 'the awareness answer')
    expect(received.filter((frame) => frame[0] === MESSAGE_AUTH)).toHaveLength(1)
    expect(await storedTitles()).toEqual([])
  })

  it('a revoked token stops working at once, its open socket included', async () => {
    const editorCookie = await signIn(server, editor, watch)
    const editorSession = apiClient(server.url, sessionHeaders(server, editorCookie), watch.observe)
    const created = await editorSession.post<{ id: string; token: string }>('/api/tokens', { name: 'script' })
    expect(created.status).toBe(201)
    watch.secret(created.body.token)
    const byToken = apiClient(server.url, { authorization: `Bearer ${created.body.token}` }, watch.observe)
    expect((await byToken.get(`/api/boards/${boardId}`)).status).toBe(200)

    const scripted = connect({ token: created.body.token })
    const bystander = connect({}, sessionHeaders(server, ownerCookie))
    await Promise.all([scripted.synced(), bystander.synced()])
    const scriptedCloses = closeCodes(scripted)
    const bystanderCloses = closeCodes(bystander)

    expect((await editorSession.delete(`/api/tokens/${created.body.id}`)).status).toBe(204)
    // Closed by the time the revocation is answered; the client hears of it a moment later.
    expect(connectionsOf(editor.id)).toEqual([])
    await waitFor(() => scriptedCloses[0] === CLOSE.accessChanged.code, 'the token’s socket to close with “access changed”')
    expect((await byToken.get(`/api/boards/${boardId}`)).status).toBe(401)
    // The provider tries again, and is refused at the upgrade.
    await waitFor(() => scriptedCloses.length >= 2, 'the refused reconnection')
    expect(scripted.provider.wsconnected).toBe(false)
    expect(connectionsOf(editor.id)).toEqual([])
    expect(await upgradeStatus(`${server.wsUrl}/${boardId}?token=${created.body.token}`)).toBe(401)
    expect(bystanderCloses).toEqual([])
    expect(bystander.provider.wsconnected).toBe(true)
    expect((await editorSession.get<{ id: string }[]>('/api/tokens')).body.map((t) => t.id)).not.toContain(created.body.id)
  })

  it("a demoted editor's socket closes, reconnects, and is read-only from then on", async () => {
    const editorCookie = await signIn(server, editor, watch)
    const editorClient = connect({}, sessionHeaders(server, editorCookie))
    const ownerClient = connect({}, sessionHeaders(server, ownerCookie))
    await Promise.all([editorClient.synced(), ownerClient.synced()])
    addAssessment(editorClient.doc, { title: 'While an editor' })
    await waitFor(async () => (await storedTitles()).includes('While an editor'), 'the editor’s edit to be stored')
    const editorCloses = closeCodes(editorClient)
    const ownerCloses = closeCodes(ownerClient)

    const demoted = await asOwner().patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'reviewer' })
    expect(demoted.status).toBe(200)
    expect(demoted.body).toMatchObject({ userId: editor.id, role: 'reviewer' })
    expect(connectionsOf(editor.id)).toEqual([])
    await waitFor(() => editorCloses[0] === CLOSE.accessChanged.code, 'the editor’s socket to close with “access changed”')
    await waitFor(() => editorClient.provider.synced && connectionsOf(editor.id).length === 1, 'the editor to reconnect')
    expect(connectionsOf(editor.id).map((c) => c.role)).toEqual(['reviewer'])

    addAssessment(editorClient.doc, { title: 'After the demotion' })
    editorClient.provider.awareness.setLocalStateField('user', { name: 'Ed' })
    await waitFor(() => ownerClient.provider.awareness.getStates().get(editorClient.doc.clientID)?.user?.readOnly === true, 'the demoted editor’s presence, read-only')
    expect(ownerClient.provider.awareness.getStates().get(editorClient.doc.clientID)?.user?.name).toBe('Ed Editor')
    addAssessment(ownerClient.doc, { title: 'From the owner' })
    await waitFor(() => titles(editorClient).includes('From the owner'), 'the owner’s edit at the demoted editor')
    expect(titles(ownerClient)).not.toContain('After the demotion')
    expect(await storedTitles()).not.toContain('After the demotion')
    expect(ownerCloses).toEqual([])
  })

  it('a removed member is disconnected and refused from then on', async () => {
    const { token } = await addToken(server, editor)
    watch.secret(token)
    const client = connect({ token })
    await client.synced()
    const codes = closeCodes(client)
    expect((await asOwner().delete(`/api/boards/${boardId}/members/${editor.id}`)).status).toBe(204)
    expect(connectionsOf(editor.id)).toEqual([])
    await waitFor(() => codes[0] === CLOSE.accessChanged.code, 'the socket to close with “access changed”')
    expect(await upgradeStatus(`${server.wsUrl}/${boardId}?token=${token}`)).toBe(404)
    await waitFor(() => codes.length >= 2, 'the refused reconnection')
    expect(connectionsOf(editor.id)).toEqual([])
  })

  it('refuses a cookie-authenticated upgrade from a foreign Origin, or with none; a token needs no Origin', async () => {
    const url = `${server.wsUrl}/${boardId}`
    expect(await upgradeStatus(url, { cookie: ownerCookie, origin: 'http://evil.example' })).toBe(403)
    expect(await upgradeStatus(url, { cookie: ownerCookie, origin: server.url.replace('127.0.0.1', 'localhost') })).toBe(403)
    expect(await upgradeStatus(url, { cookie: ownerCookie })).toBe(403)
    expect(await upgradeStatus(url, { cookie: ownerCookie, origin: server.url })).toBe(101)
    const { token } = await addToken(server, owner)
    watch.secret(token)
    expect(await upgradeStatus(`${url}?token=${token}`, { origin: 'http://evil.example' })).toBe(101)
    expect(await upgradeStatus(`${url}?token=not-a-token`, { cookie: ownerCookie, origin: server.url })).toBe(401)
  })
})
