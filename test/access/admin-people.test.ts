/**
 * The admin manages people over the API: makes them admins or not, and
 * deactivates them. A deactivated account cannot sign in, its sessions end and
 * its API tokens stop working, every socket of it closing at once; it stays a
 * member (history keeps its name), and reactivating it brings it back. The
 * server always keeps an active admin, and no admin deactivates themselves.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { CLOSE } from '../../shared/protocol.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { addAccount, addMember, sessionHeaders, signIn, upgradeStatus, type TestAccount } from '../helpers/accounts.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { useWatchedBoard } from '../helpers/watched-board.ts'

type ErrorBody = { error: { code: string; message: string } }
type Account = { id: string; email: string; name: string; isAdmin: boolean; createdAt: string; deactivatedAt: string | null }
type AuditEntry = { action: string; actorId: string | null; detail: Record<string, unknown> }

describe('the admin manages people', () => {
  const given = useWatchedBoard({ person: 'Pat Person', board: 'Pat’s board' })
  let admin: TestAccount
  let adminApi: ApiClient

  beforeEach(async () => {
    admin = await addAccount(given.server, { name: 'Ada Admin', isAdmin: true })
    await given.watch.account(given.server, admin)
    adminApi = given.asSession(await signIn(given.server, admin, given.watch))
  })

  function asToken(token: string): ApiClient {
    return apiClient(given.server.url, { authorization: `Bearer ${token}` }, given.watch.observe)
  }
  const patch = (api: ApiClient, userId: string, body: unknown) => api.patch<Account & ErrorBody>(`/api/users/${userId}`, body)
  const auditActions = async () => ((await adminApi.get<AuditEntry[]>('/api/audit')).body ?? []).map((entry) => entry.action)

  it('refuses everyone but the admin, and bad bodies with the field named', async () => {
    const personApi = given.asSession(await signIn(given.server, given.person, given.watch))
    expect((await patch(personApi, given.person.id, { isAdmin: true })).status).toBe(403)
    expect((await apiClient(given.server.url, { origin: given.server.url }).patch(`/api/users/${given.person.id}`, { isAdmin: true })).status).toBe(401)
    const empty = await patch(adminApi, given.person.id, {})
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toContain('isAdmin')
    const unknownField = await patch(adminApi, given.person.id, { isAdmin: true, email: 'x@example.org' })
    expect(unknownField.status).toBe(400)
    expect((await patch(adminApi, given.person.id, { deactivated: 'yes' })).status).toBe(400)
    expect((await patch(adminApi, 'nobody', { isAdmin: true })).status).toBe(404)
    // The admin's own token reads what the admin may.
    const adminToken = asToken(await given.token(admin))
    expect((await adminToken.get<Account[]>('/api/users')).status).toBe(200)
    expect((await apiClient(given.server.url, { origin: given.server.url }).get('/api/users')).status).toBe(401)
    expect((await personApi.get('/api/users')).status).toBe(403)
  })

  it('deactivation signs the given.person out everywhere, closes every socket of theirs and stops their tokens; reactivation brings them back', async () => {
    const [cookie, patToken] = [await signIn(given.server, given.person, given.watch), await given.token(given.person)]
    const sessionSocket = await given.open({ cookie })
    const tokenSocket = await given.open({ token: patToken })

    const deactivated = await patch(adminApi, given.person.id, { deactivated: true })
    expect(deactivated.status).toBe(200)
    expect(deactivated.body).toMatchObject({ id: given.person.id, isAdmin: false })
    expect(deactivated.body.deactivatedAt).toEqual(expect.any(String))
    await waitFor(() => sessionSocket.closes.includes(CLOSE.sessionEnded.code), 'the session’s socket to close as signed out')
    await waitFor(() => tokenSocket.closes.includes(CLOSE.accountDeactivated.code), 'the token’s socket to close for good')

    expect((await given.asSession(cookie).get('/api/me')).status).toBe(401)
    expect((await asToken(patToken).get('/api/boards')).status).toBe(401)
    expect(await upgradeStatus(`${given.server.wsUrl}/${given.boardId}?token=${patToken}`)).toBe(401)
    expect(await upgradeStatus(`${given.server.wsUrl}/${given.boardId}`, sessionHeaders(given.server, cookie))).toBe(401)
    const refused = await apiClient(given.server.url, { origin: given.server.url }, given.watch.observe).post<ErrorBody>('/api/auth/login', { email: given.person.email, password: given.person.password })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('account_deactivated')
    // A wrong password still reads as any wrong password: nothing is told about the account.
    const wrong = await apiClient(given.server.url, { origin: given.server.url }).post<ErrorBody>('/api/auth/login', { email: given.person.email, password: 'not the password at all' })
    expect(wrong.status).toBe(401)

    // They stay in history: still a member and owner of their board, and named in the list of people.
    const members = (await adminApi.get<{ userId: string; role: string }[]>(`/api/boards/${given.boardId}/members`)).body
    expect(members).toContainEqual(expect.objectContaining({ userId: given.person.id, role: 'owner' }))
    const people = (await adminApi.get<Account[]>('/api/users')).body
    expect(people.find((p) => p.id === given.person.id)?.deactivatedAt).toEqual(expect.any(String))

    const reactivated = await patch(adminApi, given.person.id, { deactivated: false })
    expect(reactivated.status).toBe(200)
    expect(reactivated.body.deactivatedAt).toBeNull()
    expect((await asToken(patToken).get('/api/boards')).status).toBe(200)
    const back = given.asSession(await signIn(given.server, given.person, given.watch))
    expect((await back.get('/api/me')).status).toBe(200)
    expect(await auditActions()).toEqual(expect.arrayContaining(['user-deactivated', 'user-reactivated', 'sign-in-refused']))
  })

  it("lets an admin's API token change no account in a way that outlives its revocation", async () => {
    const adminTokenValue = await given.token(admin)
    const adminToken = asToken(adminTokenValue)
    const attackerPassword = 'chosen by whoever holds the token'
    given.watch.secret(attackerPassword)
    const refusedCode = async (answer: Promise<{ status: number; body: unknown }>) => {
      const { status, body } = await answer
      return { status, code: (body as ErrorBody | undefined)?.error?.code }
    }
    const sessionRequired = { status: 403, code: 'session_required' }
    const backdoor = `backdoor-${crypto.randomUUID().slice(0, 8)}@example.org`
    expect(await refusedCode(adminToken.post('/api/users', { email: backdoor, name: 'Backdoor', password: attackerPassword, isAdmin: true }))).toEqual(sessionRequired)
    expect(await refusedCode(adminToken.post(`/api/users/${admin.id}/password`, { password: attackerPassword }))).toEqual(sessionRequired)
    expect(await refusedCode(adminToken.post(`/api/users/${given.person.id}/password`, { password: attackerPassword }))).toEqual(sessionRequired)
    expect(await refusedCode(patch(adminToken, given.person.id, { isAdmin: true }))).toEqual(sessionRequired)
    // Nor may it make itself a successor or take the admin's own password.
    expect(await refusedCode(adminToken.post('/api/tokens', { name: 'successor' }))).toEqual(sessionRequired)
    expect(await refusedCode(adminToken.post('/api/me/password', { currentPassword: admin.password, newPassword: attackerPassword }))).toEqual(sessionRequired)
    // Taking rights away is all a token may do to accounts: a script can deactivate a leaver, but not bring one back.
    expect((await patch(adminToken, given.person.id, { deactivated: true })).status).toBe(200)
    expect(await refusedCode(patch(adminToken, given.person.id, { deactivated: false }))).toEqual(sessionRequired)
    expect(await refusedCode(patch(adminToken, given.person.id, { isAdmin: false, deactivated: false }))).toEqual(sessionRequired)

    // The token revoked, nothing it tried is left: no new account, no password of its choosing, no new admin.
    const [tokenRecord] = await given.server.services.storage.tokens.listActive(admin.id)
    expect((await adminToken.delete(`/api/tokens/${tokenRecord!.id}`)).status).toBe(204)
    const signInWith = (email: string, password: string) => apiClient(given.server.url, { origin: given.server.url }, given.watch.observe).post('/api/auth/login', { email, password })
    expect((await signInWith(backdoor, attackerPassword)).status).toBe(401)
    expect((await signInWith(admin.email, attackerPassword)).status).toBe(401)
    expect((await signInWith(admin.email, admin.password)).status).toBe(200)
    const people = (await adminApi.get<Account[]>('/api/users')).body
    expect(people.find((p) => p.id === given.person.id)).toMatchObject({ isAdmin: false, deactivatedAt: expect.any(String) })
    expect(people.map((p) => p.email)).not.toContain(backdoor)
    // Signed in, the admin does all of it.
    expect((await patch(adminApi, given.person.id, { deactivated: false, isAdmin: true })).status).toBe(200)
    expect((await adminApi.post(`/api/users/${given.person.id}/password`, { password: attackerPassword })).status).toBe(204)
  })

  it('never deactivates the admin themselves nor leaves the given.server without an active admin', async () => {
    const own = await patch(adminApi, admin.id, { deactivated: true })
    expect(own.status).toBe(409)
    expect(own.body.error.code).toBe('own_account')
    const lastAdmin = await patch(adminApi, admin.id, { isAdmin: false })
    expect(lastAdmin.status).toBe(409)
    expect(lastAdmin.body.error.code).toBe('last_admin')

    const second = await addAccount(given.server, { name: 'Sam Second', isAdmin: true })
    await given.watch.account(given.server, second)
    const secondApi = given.asSession(await signIn(given.server, second, given.watch))
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
    const other = await addAccount(given.server, { name: 'Olga Other' })
    await given.watch.account(given.server, other)
    const otherApi = given.asSession(await signIn(given.server, other, given.watch))
    expect((await otherApi.get(`/api/boards/${given.boardId}`)).status).toBe(404)
    // Olga reviews Pat's board, and has a socket open on it as a reviewer.
    await addMember(given.server, given.boardId, other, 'reviewer')
    const otherCookie = await signIn(given.server, other, given.watch)
    const socket = await given.open({ cookie: otherCookie })

    const granted = await patch(adminApi, other.id, { isAdmin: true })
    expect(granted.status).toBe(200)
    expect(granted.body.isAdmin).toBe(true)
    await waitFor(() => socket.closes.includes(CLOSE.accessChanged.code), 'her socket to reconnect under admin rights')
    expect((await otherApi.get('/api/users')).status).toBe(200)
    expect((await otherApi.patch(`/api/boards/${given.boardId}`, { question: 'Asked by the new admin' })).status).toBe(200)

    expect((await patch(adminApi, other.id, { isAdmin: false })).status).toBe(200)
    expect((await otherApi.get('/api/users')).status).toBe(403)
    expect((await otherApi.patch(`/api/boards/${given.boardId}`, { question: 'Not any more' })).status).toBe(403)
    expect(await auditActions()).toEqual(expect.arrayContaining(['admin-granted', 'admin-revoked']))
  })

  it('an invite link made by an account since deactivated works no more', async () => {
    const patApi = given.asSession(await signIn(given.server, given.person, given.watch))
    const invite = await patApi.post<{ token: string }>(`/api/boards/${given.boardId}/invites`, { role: 'editor' })
    expect(invite.status).toBe(201)
    given.watch.secret(invite.body.token)
    expect((await adminApi.get(`/api/invites/${invite.body.token}`)).status).toBe(200)
    expect((await patch(adminApi, given.person.id, { deactivated: true })).status).toBe(200)
    expect((await adminApi.get(`/api/invites/${invite.body.token}`)).status).toBe(404)
  })
})
