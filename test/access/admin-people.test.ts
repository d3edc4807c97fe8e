/**
 * The admin manages people over the API: makes them admins or not, and
 * deactivates them. A deactivated account cannot sign in, its sessions end and
 * its API tokens stop working, every socket of it closing at once; it stays a
 * member (history keeps its name), and reactivating it brings it back. The
 * server always keeps an active admin, and no admin deactivates themselves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLOSE } from '../../shared/protocol.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { addAccount, addMember, addToken, SecretWatch, sessionHeaders, signIn, upgradeStatus, type TestAccount } from '../helpers/accounts.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

type ErrorBody = { error: { code: string; message: string } }
type Account = { id: string; email: string; name: string; isAdmin: boolean; createdAt: string; deactivatedAt: string | null }
type AuditEntry = { action: string; actorId: string | null; detail: Record<string, unknown> }

describe('the admin manages people', () => {
  let watch: SecretWatch
  let server: TestServer
  let admin: TestAccount
  let person: TestAccount
  let adminApi: ApiClient
  let boardId: string
  const clients: TestClient[] = []

  beforeEach(async () => {
    watch = new SecretWatch()
    server = await startTestServer({ accounts: true, logSink: watch.logSink })
    admin = await addAccount(server, { name: 'Ada Admin', isAdmin: true })
    person = await addAccount(server, { name: 'Pat Person' })
    for (const account of [admin, person]) await watch.account(server, account)
    adminApi = asSession(await signIn(server, admin, watch))
    boardId = await asSession(await signIn(server, person, watch)).createBoard('Pat’s board')
  })

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
    watch.expectClean()
  })

  function asSession(cookie: string): ApiClient {
    return apiClient(server.url, sessionHeaders(server, cookie), watch.observe)
  }
  function asToken(token: string): ApiClient {
    return apiClient(server.url, { authorization: `Bearer ${token}` }, watch.observe)
  }
  async function token(account: TestAccount): Promise<string> {
    const { token } = await addToken(server, account)
    watch.secret(token)
    return token
  }
  /** A real provider on Pat's board, and the close codes it receives. */
  async function open(credential: { cookie: string } | { token: string }) {
    const client =
      'cookie' in credential
        ? connectClient(server.wsUrl, boardId, {}, sessionHeaders(server, credential.cookie))
        : connectClient(server.wsUrl, boardId, { token: credential.token })
    clients.push(client)
    const closes: number[] = []
    client.provider.on('connection-close', (event) => closes.push(event?.code ?? 0))
    await client.synced()
    return { client, closes }
  }
  const patch = (api: ApiClient, userId: string, body: unknown) => api.patch<Account & ErrorBody>(`/api/users/${userId}`, body)
  const auditActions = async () => ((await adminApi.get<AuditEntry[]>('/api/audit')).body ?? []).map((entry) => entry.action)

  it('refuses everyone but the admin, and bad bodies with the field named', async () => {
    const personApi = asSession(await signIn(server, person, watch))
    expect((await patch(personApi, person.id, { isAdmin: true })).status).toBe(403)
    expect((await apiClient(server.url, { origin: server.url }).patch(`/api/users/${person.id}`, { isAdmin: true })).status).toBe(401)
    const empty = await patch(adminApi, person.id, {})
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toContain('isAdmin')
    const unknownField = await patch(adminApi, person.id, { isAdmin: true, email: 'x@example.org' })
    expect(unknownField.status).toBe(400)
    expect((await patch(adminApi, person.id, { deactivated: 'yes' })).status).toBe(400)
    expect((await patch(adminApi, 'nobody', { isAdmin: true })).status).toBe(404)
    // The admin's own token may do what the admin may.
    const adminToken = asToken(await token(admin))
    expect((await adminToken.get<Account[]>('/api/users')).status).toBe(200)
    expect((await apiClient(server.url, { origin: server.url }).get('/api/users')).status).toBe(401)
    expect((await personApi.get('/api/users')).status).toBe(403)
  })

  it('deactivation signs the person out everywhere, closes every socket of theirs and stops their tokens; reactivation brings them back', async () => {
    const [cookie, patToken] = [await signIn(server, person, watch), await token(person)]
    const sessionSocket = await open({ cookie })
    const tokenSocket = await open({ token: patToken })

    const deactivated = await patch(adminApi, person.id, { deactivated: true })
    expect(deactivated.status).toBe(200)
    expect(deactivated.body).toMatchObject({ id: person.id, isAdmin: false })
    expect(deactivated.body.deactivatedAt).toEqual(expect.any(String))
    await waitFor(() => sessionSocket.closes.includes(CLOSE.sessionEnded.code), 'the session’s socket to close as signed out')
    await waitFor(() => tokenSocket.closes.includes(CLOSE.accountDeactivated.code), 'the token’s socket to close for good')

    expect((await asSession(cookie).get('/api/me')).status).toBe(401)
    expect((await asToken(patToken).get('/api/boards')).status).toBe(401)
    expect(await upgradeStatus(`${server.wsUrl}/${boardId}?token=${patToken}`)).toBe(401)
    expect(await upgradeStatus(`${server.wsUrl}/${boardId}`, sessionHeaders(server, cookie))).toBe(401)
    const refused = await apiClient(server.url, { origin: server.url }, watch.observe).post<ErrorBody>('/api/auth/login', { email: person.email, password: person.password })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('account_deactivated')
    // A wrong password still reads as any wrong password: nothing is told about the account.
    const wrong = await apiClient(server.url, { origin: server.url }).post<ErrorBody>('/api/auth/login', { email: person.email, password: 'not the password at all' })
    expect(wrong.status).toBe(401)

    // They stay in history: still a member and owner of their board, and named in the list of people.
    const members = (await adminApi.get<{ userId: string; role: string }[]>(`/api/boards/${boardId}/members`)).body
    expect(members).toContainEqual(expect.objectContaining({ userId: person.id, role: 'owner' }))
    const people = (await adminApi.get<Account[]>('/api/users')).body
    expect(people.find((p) => p.id === person.id)?.deactivatedAt).toEqual(expect.any(String))

    const reactivated = await patch(adminApi, person.id, { deactivated: false })
    expect(reactivated.status).toBe(200)
    expect(reactivated.body.deactivatedAt).toBeNull()
    expect((await asToken(patToken).get('/api/boards')).status).toBe(200)
    const back = asSession(await signIn(server, person, watch))
    expect((await back.get('/api/me')).status).toBe(200)
    expect(await auditActions()).toEqual(expect.arrayContaining(['user-deactivated', 'user-reactivated', 'sign-in-refused']))
  })

  it('never deactivates the admin themselves nor leaves the server without an active admin', async () => {
    const own = await patch(adminApi, admin.id, { deactivated: true })
    expect(own.status).toBe(409)
    expect(own.body.error.code).toBe('own_account')
    const lastAdmin = await patch(adminApi, admin.id, { isAdmin: false })
    expect(lastAdmin.status).toBe(409)
    expect(lastAdmin.body.error.code).toBe('last_admin')

    const second = await addAccount(server, { name: 'Sam Second', isAdmin: true })
    await watch.account(server, second)
    const secondApi = asSession(await signIn(server, second, watch))
    // With two admins, one may deactivate the other; then the one left is the last.
    expect((await patch(secondApi, admin.id, { deactivated: true })).status).toBe(200)
    expect((await adminApi.get('/api/users')).status).toBe(401)
    const alone = await patch(secondApi, second.id, { isAdmin: false })
    expect(alone.status).toBe(409)
    expect(alone.body.error.code).toBe('last_admin')
    // A deactivated admin counts for nothing until reactivated: then the other may step down.
    expect((await patch(secondApi, admin.id, { deactivated: false })).status).toBe(200)
    const steppedDown = await patch(secondApi, second.id, { isAdmin: false })
    expect(steppedDown.status).toBe(200)
    expect(steppedDown.body.isAdmin).toBe(false)
    expect((await secondApi.get('/api/users')).status).toBe(403)
  })

  it('making someone an admin or not changes their rights on every board at once, their sockets reconnecting under them', async () => {
    const other = await addAccount(server, { name: 'Olga Other' })
    await watch.account(server, other)
    const otherApi = asSession(await signIn(server, other, watch))
    expect((await otherApi.get(`/api/boards/${boardId}`)).status).toBe(404)
    // Olga reviews Pat's board, and has a socket open on it as a reviewer.
    await addMember(server, boardId, other, 'reviewer')
    const otherCookie = await signIn(server, other, watch)
    const socket = await open({ cookie: otherCookie })

    const granted = await patch(adminApi, other.id, { isAdmin: true })
    expect(granted.status).toBe(200)
    expect(granted.body.isAdmin).toBe(true)
    await waitFor(() => socket.closes.includes(CLOSE.accessChanged.code), 'her socket to reconnect under admin rights')
    expect((await otherApi.get('/api/users')).status).toBe(200)
    expect((await otherApi.patch(`/api/boards/${boardId}`, { question: 'Asked by the new admin' })).status).toBe(200)

    expect((await patch(adminApi, other.id, { isAdmin: false })).status).toBe(200)
    expect((await otherApi.get('/api/users')).status).toBe(403)
    expect((await otherApi.patch(`/api/boards/${boardId}`, { question: 'Not any more' })).status).toBe(403)
    expect(await auditActions()).toEqual(expect.arrayContaining(['admin-granted', 'admin-revoked']))
  })

  it('an invite link made by an account since deactivated works no more', async () => {
    const patApi = asSession(await signIn(server, person, watch))
    const invite = await patApi.post<{ token: string }>(`/api/boards/${boardId}/invites`, { role: 'editor' })
    expect(invite.status).toBe(201)
    watch.secret(invite.body.token)
    expect((await adminApi.get(`/api/invites/${invite.body.token}`)).status).toBe(200)
    expect((await patch(adminApi, person.id, { deactivated: true })).status).toBe(200)
    expect((await adminApi.get(`/api/invites/${invite.body.token}`)).status).toBe(404)
  })
})
