/**
 * A session's end reaches its sockets: signing out, expiring (noticed by a
 * request or by the sweep) and a password change close the sockets of the
 * sessions they end, and only those: the person's API-token sockets and other
 * sessions stay open (all other sessions end when the password changes). The
 * database files are the server's alone, and a failed sign-in is logged by a
 * keyed hash, never by what was typed.
 */
import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addAssessment } from '../../shared/board-mutations.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { hashSecret } from '../../server/auth/secret-token.ts'
import { SESSION_COOKIE } from '../../server/auth/session-cookie.ts'
import { endExpiredSessions } from '../../server/auth/sessions.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { addAccount, addToken, SecretWatch, sessionHeaders, signIn, upgradeStatus, type TestAccount } from '../helpers/accounts.ts'
import { startChildServer } from '../helpers/child-server.ts'
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

type ErrorBody = { error: { code: string; message: string } }
type AuditEntry = { action: string; actorId: string | null; actorLabel: string; detail: Record<string, unknown> }

describe('sessions and their sockets', () => {
  let watch: SecretWatch
  let server: TestServer
  let person: TestAccount
  let boardId: string
  const clients: TestClient[] = []

  beforeEach(async () => {
    watch = new SecretWatch()
    server = await startTestServer({ accounts: true, logSink: watch.logSink })
    person = await addAccount(server, { name: 'Pat Person' })
    await watch.account(server, person)
    boardId = await asSession(await signIn(server, person, watch)).createBoard('Sessions')
  })

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
    watch.expectClean()
  })

  function asSession(cookie: string): ApiClient {
    return apiClient(server.url, sessionHeaders(server, cookie), watch.observe)
  }
  const sessionIdOf = (cookie: string) => hashSecret(cookie.slice(SESSION_COOKIE.length + 1))

  /** A real provider, opened with a session cookie or an API token, and the close codes it receives. */
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
  async function token(account: TestAccount) {
    const { token } = await addToken(server, account)
    watch.secret(token)
    return token
  }
  /** The sockets the server holds for a session (by its id) or for a token. */
  const socketsOf = (match: { sessionId: string } | { tokenId: string }) =>
    [...(server.services.rooms.loadedRooms.get(boardId)?.connections ?? [])].filter((c) =>
      'sessionId' in match ? c.identity.sessionId === match.sessionId : c.identity.tokenId === match.tokenId,
    ).length
  /** An edit from `from` that reaches `to` proves both sockets live. */
  async function stillLive(from: TestClient, to: TestClient, title: string) {
    addAssessment(from.doc, { title })
    await waitFor(() => boardToModel(to.doc, boardId).assessments.some((a) => a.title === title), `“${title}” to travel`)
  }
  /** Expiry, as the clock would bring it: the session's row now says it expired a minute ago. */
  async function expire(cookie: string) {
    const sessions = server.services.storage.sessions
    const stored = await sessions.get(sessionIdOf(cookie))
    await sessions.delete(sessionIdOf(cookie))
    await sessions.create({ ...stored!, expiresAt: new Date(Date.now() - 60_000).toISOString() })
  }

  it("signing out closes that session's sockets, and no other session's or token's", async () => {
    const [leaving, staying] = [await signIn(server, person, watch), await signIn(server, person, watch)]
    const tokenSocket = await open({ token: await token(person) })
    const leavingSocket = await open({ cookie: leaving })
    const stayingSocket = await open({ cookie: staying })

    expect((await asSession(leaving).post('/api/auth/logout')).status).toBe(204)
    await waitFor(() => leavingSocket.closes.includes(CLOSE.sessionEnded.code), 'the signed-out session’s socket to close')
    expect(socketsOf({ sessionId: sessionIdOf(leaving) })).toBe(0)
    // Its reconnection is refused at the upgrade: the cookie is worth nothing now.
    expect(await upgradeStatus(`${server.wsUrl}/${boardId}`, sessionHeaders(server, leaving))).toBe(401)
    await stillLive(tokenSocket.client, stayingSocket.client, 'After the sign-out')
    expect([tokenSocket.closes, stayingSocket.closes]).toEqual([[], []])
  })

  it('an expired session loses its sockets when a request notices, or else at the sweep', async () => {
    const [noticed, swept, fresh] = [await signIn(server, person, watch), await signIn(server, person, watch), await signIn(server, person, watch)]
    const noticedSocket = await open({ cookie: noticed })
    const sweptSocket = await open({ cookie: swept })
    const freshSocket = await open({ cookie: fresh })

    await expire(noticed)
    expect((await asSession(noticed).get('/api/me')).status).toBe(401)
    await waitFor(() => noticedSocket.closes.includes(CLOSE.sessionEnded.code), 'the socket of the session found expired to close')

    await expire(swept)
    expect(await endExpiredSessions(server.services)).toBe(1)
    await waitFor(() => sweptSocket.closes.includes(CLOSE.sessionEnded.code), 'the socket of the swept session to close')
    expect(await server.services.storage.sessions.get(sessionIdOf(swept))).toBeUndefined()
    expect(freshSocket.closes).toEqual([])
    expect(socketsOf({ sessionId: sessionIdOf(fresh) })).toBe(1)
  })

  it("changing one's password ends every other session and its sockets; this session and the tokens' sockets stay", async () => {
    const [here, elsewhere] = [await signIn(server, person, watch), await signIn(server, person, watch)]
    const apiToken = await token(person)
    const tokenSocket = await open({ token: apiToken })
    const hereSocket = await open({ cookie: here })
    const elsewhereSocket = await open({ cookie: elsewhere })
    const newPassword = 'a much better password now'
    watch.secret(newPassword)

    const wrong = await asSession(here).post<ErrorBody>('/api/me/password', { currentPassword: 'not it at all', newPassword })
    expect(wrong.status).toBe(403)
    expect(wrong.body.error.code).toBe('wrong_password')
    expect((await apiClient(server.url, { authorization: `Bearer ${apiToken}` }).post('/api/me/password', { currentPassword: person.password, newPassword })).status).toBe(403)
    expect((await asSession(here).post('/api/me/password', { currentPassword: person.password, newPassword: 'short' })).status).toBe(400)

    expect((await asSession(here).post('/api/me/password', { currentPassword: person.password, newPassword })).status).toBe(204)
    await waitFor(() => elsewhereSocket.closes.includes(CLOSE.sessionEnded.code), 'the other session’s socket to close')
    expect((await asSession(elsewhere).get('/api/me')).status).toBe(401)
    expect((await asSession(here).get('/api/me')).status).toBe(200)
    await stillLive(tokenSocket.client, hereSocket.client, 'After the new password')
    expect([tokenSocket.closes, hereSocket.closes]).toEqual([[], []])
    expect((await apiClient(server.url).post('/api/auth/login', { email: person.email, password: person.password })).status).toBe(401)
    await signIn(server, { ...person, password: newPassword }, watch)
    const [changed] = (await server.services.storage.audit.listAll(50)).filter((entry) => entry.action === 'password-changed')
    // The other two: the one the board was made in, and `elsewhere`.
    expect(changed).toMatchObject({ actorId: person.id, detail: JSON.stringify({ sessionsEnded: 2 }) })
  })

  it('counts wrong current passwords as failed sign-ins, so a stolen session cannot guess the password', async () => {
    const here = asSession(await signIn(server, person, watch))
    for (let i = 0; i < 5; i++) expect((await here.post('/api/me/password', { currentPassword: `guess ${i}`, newPassword: 'whatever it would be' })).status).toBe(403)
    const refused = await here.post<ErrorBody>('/api/me/password', { currentPassword: person.password, newPassword: 'whatever it would be' })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it("an admin's reset ends all the person's sessions and their sockets, not their tokens' sockets", async () => {
    const admin = await addAccount(server, { isAdmin: true })
    await watch.account(server, admin)
    const asAdmin = asSession(await signIn(server, admin, watch))
    const [one, two] = [await signIn(server, person, watch), await signIn(server, person, watch)]
    const tokenSocket = await open({ token: await token(person) })
    const sockets = [await open({ cookie: one }), await open({ cookie: two })]
    const reset = 'the password after the reset'
    watch.secret(reset)
    expect((await asAdmin.post(`/api/users/${person.id}/password`, { password: reset })).status).toBe(204)
    for (const socket of sockets) await waitFor(() => socket.closes.includes(CLOSE.sessionEnded.code), 'each session’s socket to close')
    expect(tokenSocket.closes).toEqual([])
    expect(tokenSocket.client.provider.wsconnected).toBe(true)
  })

  it('logs a failed sign-in by a keyed hash of what was typed, never the text', async () => {
    const admin = await addAccount(server, { isAdmin: true })
    await watch.account(server, admin)
    // People type passwords into the email field.
    const typedPassword = 'Tr0ub4dor&3-typed-as-email'
    watch.secret(typedPassword)
    const anonymous = apiClient(server.url, {}, watch.observe)
    for (let i = 0; i < 2; i++) expect((await anonymous.post('/api/auth/login', { email: typedPassword, password: 'x' })).status).toBe(401)
    expect((await anonymous.post('/api/auth/login', { email: person.email, password: 'wrong password' })).status).toBe(401)

    const failures = watch.logLines.map((line) => JSON.parse(line) as { msg: string; identifier?: string; userId?: string | null }).filter((line) => line.msg === 'sign-in failed')
    expect(failures).toHaveLength(3)
    for (const failure of failures) expect(failure.identifier).toMatch(/^[0-9a-f]{16}$/)
    // The same text gives the same hash (attempts can be counted together), another text another one.
    expect(failures[0]!.identifier).toBe(failures[1]!.identifier)
    expect(failures[2]!.identifier).not.toBe(failures[0]!.identifier)
    expect([failures[0]!.userId, failures[2]!.userId]).toEqual([null, person.id])
    const typed = [typedPassword, typedPassword.toLowerCase(), person.email]
    expect(watch.logLines.filter((line) => typed.some((text) => line.includes(text)))).toEqual([])
    expect(watch.logLines.filter((line) => line.includes(hashSecret(typedPassword.toLowerCase())))).toEqual([])

    const audit = (await asSession(await signIn(server, admin, watch)).get<AuditEntry[]>('/api/audit')).body
    const failed = audit.filter((entry) => entry.action === 'sign-in-failed')
    expect(failed.map((entry) => entry.actorLabel)).toEqual([person.email, 'unknown account', 'unknown account'])
    expect(JSON.stringify(failed)).not.toContain(typedPassword.toLowerCase())
  })
})

describe('the data folder', () => {
  let stop: (() => Promise<void>) | undefined
  let parent: string | undefined
  afterEach(async () => {
    await stop?.()
    if (parent) rmSync(parent, { recursive: true, force: true })
  })

  it('is created 0700, the database and its WAL files 0600, even under a permissive umask', async () => {
    parent = tempDir()
    const dataDir = join(parent, 'nested', 'data')
    // The child server inherits the umask: 000 would leave everything world-readable unless the server narrows it.
    const umask = process.umask(0o000)
    try {
      const child = await startChildServer(dataDir)
      stop = () => child.kill('SIGTERM')
      // A write makes sure the WAL exists.
      expect((await apiClient(child.url).post('/api/boards', { title: 'Modes' })).status).toBe(201)
    } finally {
      process.umask(umask)
    }
    const mode = (path: string) => statSync(path).mode & 0o777
    expect(mode(dataDir)).toBe(0o700)
    for (const suffix of ['', '-wal', '-shm']) expect(mode(join(dataDir, SQLITE_FILE_NAME + suffix)), `${SQLITE_FILE_NAME}${suffix}`).toBe(0o600)
  })
})
