/**
 * Accounts over HTTP: first-run setup, the admin from the environment, signing
 * in and out, the session cookie, rate limiting, CSRF, security headers,
 * tokens, invites, memberships and the audit log. Every response and log
 * line is searched for secrets afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { hashSecret } from '../../server/auth/secret-token.ts'
import { apiClient } from '../helpers/api.ts'
import { addAccount, addToken, SecretWatch, sessionCookieFrom, sessionHeaders, signIn, type TestAccount } from '../helpers/accounts.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type Me = { id: string; email: string; name: string; isAdmin: boolean }
type ErrorBody = { error: { code: string; message: string } }
type AuditEntry = { action: string; actorId: string | null; boardId: string | null; detail: Record<string, unknown> }

describe('signing in and managing access', () => {
  let watch: SecretWatch
  let server: TestServer | undefined

  const start = async (env: Record<string, string> = {}) => {
    watch = new SecretWatch()
    server = await startTestServer({ accounts: true, logSink: watch.logSink, env })
    return server
  }
  const client = (s: TestServer, headers: Record<string, string> = {}) => apiClient(s.url, headers, watch.observe)
  const asSession = (s: TestServer, cookie: string) => client(s, sessionHeaders(s, cookie))

  afterEach(async () => {
    await server?.destroy()
    server = undefined
    watch.expectClean()
  })

  it('offers setup only until the admin exists, then signs the admin in', async () => {
    const s = await start()
    const anonymous = client(s, { origin: s.url })
    expect((await anonymous.get('/api/auth/status')).body).toEqual({ setupNeeded: true, user: null })
    const password = 'correct horse battery staple'
    watch.secret(password)
    const setup = await anonymous.post<Me>('/api/auth/setup', { email: ' Admin@Example.org ', name: 'Ada Admin', password })
    expect(setup.status).toBe(200)
    expect(setup.body).toEqual({ id: expect.any(String), email: 'admin@example.org', name: 'Ada Admin', isAdmin: true })
    const setCookie = setup.headers.getSetCookie().join('\n')
    expect(setCookie).toMatch(/^assay_session=[A-Za-z0-9_-]{43};/)
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Lax')
    expect(setCookie).toContain('Path=/')
    expect(setCookie).not.toContain('Secure')
    const cookie = sessionCookieFrom(setup.headers)!
    watch.secret(cookie.split('=')[1]!)
    await watch.account(s, { id: setup.body.id, email: setup.body.email, name: 'Ada Admin', password, isAdmin: true })

    const again = await anonymous.post<ErrorBody>('/api/auth/setup', { email: 'other@example.org', name: 'Other', password })
    expect(again.status).toBe(409)
    expect((await anonymous.get('/api/auth/status')).body).toEqual({ setupNeeded: false, user: null })
    expect((await asSession(s, cookie).get('/api/auth/status')).body).toEqual({ setupNeeded: false, user: setup.body })
    expect((await asSession(s, cookie).get<Me>('/api/me')).body).toEqual(setup.body)
  })

  it('creates the admin from ASSAY_ADMIN_EMAIL and ASSAY_ADMIN_PASSWORD on first start only', async () => {
    const password = 'an admin password from the environment'
    const s = await start({ ASSAY_ADMIN_EMAIL: 'boss@example.org', ASSAY_ADMIN_PASSWORD: password })
    watch.secret(password)
    expect((await client(s).get('/api/auth/status')).body).toEqual({ setupNeeded: false, user: null })
    const login = await client(s).post<Me>('/api/auth/login', { email: 'boss@example.org', password })
    expect(login.status).toBe(200)
    expect(login.body.isAdmin).toBe(true)
    watch.secret(sessionCookieFrom(login.headers)!.split('=')[1]!)
    await watch.account(s, { id: login.body.id, email: 'boss@example.org', name: 'Administrator', password, isAdmin: true })
    expect(watch.logLines.some((line) => line.includes('created the admin account'))).toBe(true)
    server = await s.restart()
    expect(await server.services.storage.users.count()).toBe(1)
  })

  it('signs in and out; a wrong password and an unknown email get the same answer', async () => {
    const s = await start()
    const person = await addAccount(s, { name: 'Pat' })
    await watch.account(s, person)
    const anonymous = client(s)
    const wrong = await anonymous.post<ErrorBody>('/api/auth/login', { email: person.email, password: 'not the password' })
    const unknown = await anonymous.post<ErrorBody>('/api/auth/login', { email: 'nobody@example.org', password: 'not the password' })
    expect([wrong.status, unknown.status]).toEqual([401, 401])
    expect(wrong.body).toEqual(unknown.body)
    expect(wrong.headers.getSetCookie()).toEqual([])

    const cookie = await signIn(s, person, watch)
    const session = asSession(s, cookie)
    expect((await session.get<Me>('/api/me')).body).toEqual({ id: person.id, email: person.email, name: 'Pat', isAdmin: false })
    const logout = await session.post('/api/auth/logout')
    expect(logout.status).toBe(204)
    expect(logout.headers.getSetCookie().join()).toMatch(/assay_session=;.*Max-Age=0/)
    expect((await session.get('/api/me')).status).toBe(401)
    expect((await client(s).get('/api/me')).status).toBe(401)
    expect((await client(s, { cookie: 'assay_session=forged' }).get('/api/me')).status).toBe(401)
  })

  it('refuses a sixth wrong password from one address with 429 and Retry-After, whatever the password, naming no email in the log', async () => {
    const s = await start()
    const person = await addAccount(s)
    await watch.account(s, person)
    const anonymous = client(s)
    const attempt = (password: string) => anonymous.post<ErrorBody>('/api/auth/login', { email: person.email, password })
    for (let i = 0; i < 5; i++) expect((await attempt(`wrong ${i}`)).status).toBe(401)
    const refused = await attempt(person.password)
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('rate_limited')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(watch.logLines.filter((line) => line.includes('sign-in failed')).length).toBe(5)
    expect(watch.logLines.filter((line) => line.includes('sign-in refused')).length).toBe(1)
    expect(watch.logLines.filter((line) => line.includes(person.email))).toEqual([])
  })

  it('limits failed sign-ins per address, across accounts', async () => {
    const s = await start()
    const person = await addAccount(s)
    await watch.account(s, person)
    const anonymous = client(s)
    for (let i = 0; i < 20; i++) {
      expect((await anonymous.post('/api/auth/login', { email: `guess${i}@example.org`, password: 'guess' })).status).toBe(401)
    }
    const refused = await anonymous.post('/api/auth/login', { email: person.email, password: person.password })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('refuses cookie-authenticated changes that do not come from a page of this server', async () => {
    const s = await start()
    const person = await addAccount(s)
    await watch.account(s, person)
    const cookie = await signIn(s, person, watch)
    const create = (headers: Record<string, string>) => client(s, headers).post<ErrorBody>('/api/boards', { title: 'CSRF' })
    const noOrigin = await create({ cookie })
    expect(noOrigin.status).toBe(403)
    expect(noOrigin.body.error.code).toBe('cross_site')
    expect((await create({ cookie, origin: 'http://evil.example' })).status).toBe(403)
    expect((await create({ cookie, origin: 'null' })).status).toBe(403)
    expect((await create({ cookie, referer: 'http://evil.example/page' })).status).toBe(403)
    expect((await create({ cookie, referer: `${s.url}/boards` })).status).toBe(201)
    expect((await create({ cookie, origin: s.url })).status).toBe(201)
    expect((await client(s, { cookie }).get('/api/boards')).status).toBe(200)
    const { token } = await addToken(s, person)
    watch.secret(token)
    expect((await create({ authorization: `Bearer ${token}`, origin: 'http://evil.example' })).status).toBe(201)
    // Nor can another site sign a browser in to an account of its choosing.
    expect((await client(s, { origin: 'http://evil.example' }).post('/api/auth/login', { email: person.email, password: person.password })).status).toBe(403)
  })

  it('marks the cookie Secure and trusts the public origin behind HTTPS', async () => {
    const s = await start({ PUBLIC_URL: 'https://assay.example.org' })
    const person = await addAccount(s)
    await watch.account(s, person)
    const login = await client(s, { origin: 'https://assay.example.org' }).post('/api/auth/login', { email: person.email, password: person.password })
    expect(login.status).toBe(200)
    expect(login.headers.getSetCookie().join()).toContain('Secure')
    const cookie = sessionCookieFrom(login.headers)!
    watch.secret(cookie.split('=')[1]!)
    expect((await client(s, { cookie, origin: 'https://assay.example.org' }).post('/api/boards', { title: 'Behind a proxy' })).status).toBe(201)
  })

  it('sends security headers: a CSP without inline script, no framing, nosniff', async () => {
    const s = await start()
    const response = await client(s).get('/api/auth/status')
    const csp = response.headers.get('content-security-policy') ?? ''
    const scriptSrc = csp.split(';').find((directive) => directive.trim().startsWith('script-src')) ?? ''
    expect(scriptSrc).toContain("'self'")
    expect(scriptSrc).not.toContain('unsafe-inline')
    expect(csp).toContain("frame-ancestors 'none'")
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('shows a token once, lists it without the secret, and lets no token mint another', async () => {
    const s = await start()
    const person = await addAccount(s)
    await watch.account(s, person)
    const session = asSession(s, await signIn(s, person, watch))
    const created = await session.post<{ id: string; name: string; createdAt: string; token: string }>('/api/tokens', { name: 'nightly export' })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({ id: expect.any(String), name: 'nightly export', createdAt: expect.any(String), token: expect.stringMatching(/^assay_[A-Za-z0-9_-]{43}$/) })
    expect(created.headers.get('cache-control')).toBe('no-store')
    watch.secret(created.body.token)
    const listed = await session.get<Record<string, unknown>[]>('/api/tokens')
    expect(listed.body).toEqual([{ id: created.body.id, name: 'nightly export', createdAt: created.body.createdAt, lastUsedAt: null }])
    const byToken = client(s, { authorization: `Bearer ${created.body.token}` })
    expect((await byToken.get<Me>('/api/me')).body.id).toBe(person.id)
    expect((await byToken.post('/api/tokens', { name: 'offspring' })).status).toBe(403)
    expect((await session.get<{ lastUsedAt: string | null }[]>('/api/tokens')).body[0]!.lastUsedAt).not.toBeNull()
    expect((await session.delete(`/api/tokens/${created.body.id}`)).status).toBe(204)
    expect((await session.delete(`/api/tokens/${created.body.id}`)).status).toBe(404)
    expect((await byToken.get('/api/me')).status).toBe(401)
    const stored = await s.services.storage.tokens.getByHash(created.body.token)
    expect(stored).toBeUndefined()
  })

  it('lets the admin add people and reset a password, which signs that person out everywhere', async () => {
    const s = await start()
    const admin = await addAccount(s, { isAdmin: true })
    await watch.account(s, admin)
    const asAdmin = asSession(s, await signIn(s, admin, watch))
    const password = 'a brand new password'
    watch.secret(password)
    const added = await asAdmin.post<Me & { createdAt: string }>('/api/users', { email: 'new@example.org', name: 'Newcomer', password })
    expect(added.status).toBe(201)
    expect(Object.keys(added.body).sort()).toEqual(['createdAt', 'deactivatedAt', 'email', 'id', 'isAdmin', 'name'])
    expect((await asAdmin.post('/api/users', { email: 'NEW@example.org', name: 'Twin', password })).status).toBe(409)
    expect((await asAdmin.post('/api/users', { email: 'short@example.org', name: 'Short', password: 'short' })).status).toBe(400)
    const users = await asAdmin.get<Record<string, unknown>[]>('/api/users')
    expect(users.body.map((u) => u.email)).toEqual([admin.email, 'new@example.org'])

    const newcomer: TestAccount = { id: added.body.id, email: 'new@example.org', name: 'Newcomer', password, isAdmin: false }
    await watch.account(s, newcomer)
    const newcomerSession = asSession(s, await signIn(s, newcomer, watch))
    const reset = 'the password after the reset'
    watch.secret(reset)
    expect((await asAdmin.post(`/api/users/${newcomer.id}/password`, { password: reset })).status).toBe(204)
    expect((await newcomerSession.get('/api/me')).status).toBe(401)
    expect((await client(s).post('/api/auth/login', { email: newcomer.email, password })).status).toBe(401)
    await watch.account(s, { ...newcomer, password: reset })
    await signIn(s, { ...newcomer, password: reset }, watch)
    expect((await asAdmin.post(`/api/users/${crypto.randomUUID()}/password`, { password: reset })).status).toBe(404)
  })

  it('manages members, keeps at least one owner, and shows each person only their boards', async () => {
    const s = await start()
    const [admin, owner, colleague] = [await addAccount(s, { isAdmin: true }), await addAccount(s, { name: 'Owner' }), await addAccount(s, { name: 'Colleague' })]
    for (const account of [admin, owner, colleague]) await watch.account(s, account)
    const asOwner = asSession(s, await signIn(s, owner, watch))
    const asColleague = asSession(s, await signIn(s, colleague, watch))
    const asAdmin = asSession(s, await signIn(s, admin, watch))
    const mine = await asOwner.createBoard('Mine')
    const theirs = await asColleague.createBoard('Theirs')
    const ids = async (c: ReturnType<typeof client>) => (await c.get<{ id: string }[]>('/api/boards')).body.map((b) => b.id)
    expect(await ids(asOwner)).toEqual([mine])
    expect(await ids(asColleague)).toEqual([theirs])
    expect((await ids(asAdmin)).sort()).toEqual([mine, theirs].sort())

    expect((await asOwner.post<ErrorBody>(`/api/boards/${mine}/members`, { email: 'nobody@example.org', role: 'editor' })).body.error.code).toBe('no_account')
    const added = await asOwner.post(`/api/boards/${mine}/members`, { email: colleague.email.toUpperCase(), role: 'editor' })
    expect(added.status).toBe(201)
    expect(added.body).toEqual({ userId: colleague.id, email: colleague.email, name: 'Colleague', role: 'editor' })
    expect((await asOwner.post(`/api/boards/${mine}/members`, { email: colleague.email, role: 'reviewer' })).status).toBe(409)
    expect((await ids(asColleague)).sort()).toEqual([mine, theirs].sort())
    const members = await asColleague.get<{ userId: string; role: string }[]>(`/api/boards/${mine}/members`)
    expect(members.body.map((m) => [m.userId, m.role]).sort()).toEqual([[owner.id, 'owner'], [colleague.id, 'editor']].sort())

    const lastOwner = await asOwner.patch<ErrorBody>(`/api/boards/${mine}/members/${owner.id}`, { role: 'editor' })
    expect(lastOwner.status).toBe(409)
    expect(lastOwner.body.error.code).toBe('last_owner')
    expect((await asOwner.delete(`/api/boards/${mine}/members/${owner.id}`)).status).toBe(409)
    expect((await asOwner.patch(`/api/boards/${mine}/members/${colleague.id}`, { role: 'owner' })).status).toBe(200)
    expect((await asOwner.patch(`/api/boards/${mine}/members/${owner.id}`, { role: 'reviewer' })).status).toBe(200)
    expect((await asOwner.post(`/api/boards/${mine}/members`, { email: admin.email, role: 'reviewer' })).status).toBe(403)
    expect((await asColleague.delete(`/api/boards/${mine}/members/${owner.id}`)).status).toBe(204)
    expect(await ids(asOwner)).toEqual([])
    expect((await asOwner.get(`/api/boards/${mine}`)).status).toBe(404)
    expect((await asColleague.patch(`/api/boards/${mine}/members/${owner.id}`, { role: 'editor' })).status).toBe(404)

    const audit = await asColleague.get<AuditEntry[]>(`/api/boards/${mine}/audit`)
    expect(audit.body.map((e) => e.action)).toEqual(['member-removed', 'member-role-changed', 'member-role-changed', 'member-added', 'board-created'])
    expect(audit.body[2]).toMatchObject({ actorId: owner.id, boardId: mine, detail: { userId: colleague.id, from: 'editor', to: 'owner' } })
  })

  it('invites by a link that carries a role and expires', async () => {
    const s = await start()
    const [owner, guest] = [await addAccount(s, { name: 'Owner' }), await addAccount(s, { name: 'Guest' })]
    for (const account of [owner, guest]) await watch.account(s, account)
    const asOwner = asSession(s, await signIn(s, owner, watch))
    const asGuest = asSession(s, await signIn(s, guest, watch))
    const boardId = await asOwner.createBoard('Invited to')

    const invite = await asOwner.post<{ url: string; token: string; expiresAt: string }>(`/api/boards/${boardId}/invites`, { role: 'reviewer', expiresInHours: 2 })
    expect(invite.status).toBe(201)
    expect(invite.body.url).toBe(`/invite/${invite.body.token}`)
    expect(Date.parse(invite.body.expiresAt) - Date.now()).toBeGreaterThan(119 * 60_000)
    watch.secret(invite.body.token)
    const shown = await client(s).get(`/api/invites/${invite.body.token}`)
    expect(shown.body).toEqual({ boardId, boardTitle: 'Invited to', role: 'reviewer', expiresAt: invite.body.expiresAt })
    expect((await client(s).post(`/api/invites/${invite.body.token}/accept`)).status).toBe(401)
    expect((await asGuest.get(`/api/boards/${boardId}`)).status).toBe(404)
    expect((await asGuest.post(`/api/invites/${invite.body.token}/accept`)).body).toMatchObject({ boardId, role: 'reviewer', outcome: 'joined' })
    expect((await asGuest.get(`/api/boards/${boardId}`)).status).toBe(200)
    expect((await asGuest.post(`/api/boards/${boardId}/assessments`, { title: 'x' })).status).toBe(403)
    expect((await asOwner.post(`/api/invites/${invite.body.token}/accept`)).body).toMatchObject({ boardId, role: 'owner', outcome: 'kept' })

    const editorInvite = await asOwner.post<{ token: string }>(`/api/boards/${boardId}/invites`, { role: 'editor' })
    watch.secret(editorInvite.body.token)
    expect((await asGuest.post(`/api/invites/${editorInvite.body.token}/accept`)).body).toMatchObject({ boardId, role: 'editor', outcome: 'raised' })
    expect((await asGuest.post(`/api/invites/${invite.body.token}/accept`)).body).toMatchObject({ boardId, role: 'editor', outcome: 'kept' })

    await s.services.storage.invites.create({
      id: crypto.randomUUID(),
      tokenHash: hashSecret('expired-invite'),
      boardId,
      role: 'editor',
      createdBy: owner.id,
      createdAt: new Date(Date.now() - 7200_000).toISOString(),
      expiresAt: new Date(Date.now() - 3600_000).toISOString(),
    })
    expect((await client(s).get('/api/invites/expired-invite')).status).toBe(404)
    expect((await asGuest.post('/api/invites/expired-invite/accept')).status).toBe(404)
    expect((await client(s).get('/api/invites/never-made')).status).toBe(404)
    expect((await asOwner.post(`/api/boards/${boardId}/invites`, { role: 'reviewer', expiresInHours: 0 })).status).toBe(400)
  })

  it('has a secret watch that would notice a leak', async () => {
    const s = await start()
    const person = await addAccount(s)
    await watch.account(s, person)
    const leaky = new SecretWatch()
    await leaky.account(s, person)
    leaky.logSink(`{"msg":"oops","password":"${person.password}"}`)
    expect(() => leaky.expectClean()).toThrow()
    const hashed = new SecretWatch()
    hashed.logSink(JSON.stringify(await s.services.storage.users.get(person.id)))
    expect(() => hashed.expectClean()).toThrow()
  })

  it('audits sign-ins, failed sign-ins and tokens for the admin', async () => {
    const s = await start()
    const [admin, person] = [await addAccount(s, { isAdmin: true }), await addAccount(s)]
    for (const account of [admin, person]) await watch.account(s, account)
    await client(s).post('/api/auth/login', { email: person.email, password: 'wrong password' })
    const session = asSession(s, await signIn(s, person, watch))
    const token = await session.post<{ id: string; token: string }>('/api/tokens', { name: 'ci' })
    watch.secret(token.body.token)
    await session.delete(`/api/tokens/${token.body.id}`)
    const asAdmin = asSession(s, await signIn(s, admin, watch))
    const entries = (await asAdmin.get<AuditEntry[]>('/api/audit')).body
    expect(entries.map((e) => e.action)).toEqual(['sign-in', 'token-revoked', 'token-created', 'sign-in', 'sign-in-failed'])
    expect(entries[4]).toMatchObject({ actorId: null, detail: { address: expect.any(String) } })
    expect(entries[2]).toMatchObject({ actorId: person.id, detail: { tokenId: token.body.id, name: 'ci' } })
    expect((await session.get('/api/audit')).status).toBe(403)
  })
})
