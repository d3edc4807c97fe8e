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
import { afterEach, describe, expect, it } from 'vitest'
import { addAssessment } from '../../shared/board-mutations.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { hashSecret } from '../../server/auth/secret-token.ts'
import { SESSION_COOKIE } from '../../server/auth/session-cookie.ts'
import { endExpiredSessions } from '../../server/auth/sessions.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { apiClient } from '../helpers/api.ts'
import { addAccount, sessionHeaders, signIn, upgradeStatus } from '../helpers/accounts.ts'
import { startChildServer } from '../helpers/child-server.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { useWatchedBoard } from '../helpers/watched-board.ts'
import type { TestClient } from '../helpers/yjs-client.ts'

type ErrorBody = { error: { code: string; message: string } }
type AuditEntry = { action: string; actorId: string | null; actorLabel: string; detail: Record<string, unknown> }

describe('sessions and their sockets', () => {
  const given = useWatchedBoard({ person: 'Pat Person', board: 'Sessions' })
  const sessionIdOf = (cookie: string) => hashSecret(cookie.slice(SESSION_COOKIE.length + 1))

  /** The sockets the server holds for a session (by its id) or for a token. */
  const socketsOf = (match: { sessionId: string } | { tokenId: string }) =>
    [...(given.server.services.rooms.loadedRooms.get(given.boardId)?.connections ?? [])].filter((c) =>
      'sessionId' in match ? c.identity.sessionId === match.sessionId : c.identity.tokenId === match.tokenId,
    ).length
  /** An edit from `from` that reaches `to` proves both sockets live. */
  async function stillLive(from: TestClient, to: TestClient, title: string) {
    addAssessment(from.doc, { title })
    await waitFor(() => boardToModel(to.doc, given.boardId).assessments.some((a) => a.title === title), `“${title}” to travel`)
  }
  /** Expiry, as the clock would bring it: the session's row now says it expired a minute ago. */
  async function expire(cookie: string) {
    const sessions = given.server.services.storage.sessions
    const stored = await sessions.get(sessionIdOf(cookie))
    await sessions.delete(sessionIdOf(cookie))
    const holder = await given.server.services.storage.users.get(stored!.userId)
    await sessions.create({ ...stored!, expiresAt: new Date(Date.now() - 60_000).toISOString() }, holder!.passwordHash)
  }

  it("signing out closes that session's sockets, and no other session's or token's", async () => {
    const [leaving, staying] = [await signIn(given.server, given.person, given.watch), await signIn(given.server, given.person, given.watch)]
    const tokenSocket = await given.open({ token: await given.token(given.person) })
    const leavingSocket = await given.open({ cookie: leaving })
    const stayingSocket = await given.open({ cookie: staying })

    expect((await given.asSession(leaving).post('/api/auth/logout')).status).toBe(204)
    await waitFor(() => leavingSocket.closes.includes(CLOSE.sessionEnded.code), 'the signed-out session’s socket to close')
    expect(socketsOf({ sessionId: sessionIdOf(leaving) })).toBe(0)
    // Its reconnection is refused at the upgrade: the cookie is worth nothing now.
    expect(await upgradeStatus(`${given.server.wsUrl}/${given.boardId}`, sessionHeaders(given.server, leaving))).toBe(401)
    await stillLive(tokenSocket.client, stayingSocket.client, 'After the sign-out')
    expect([tokenSocket.closes, stayingSocket.closes]).toEqual([[], []])
  })

  it('an expired session loses its sockets when a request notices, or else at the sweep', async () => {
    const [noticed, swept, fresh] = [await signIn(given.server, given.person, given.watch), await signIn(given.server, given.person, given.watch), await signIn(given.server, given.person, given.watch)]
    const noticedSocket = await given.open({ cookie: noticed })
    const sweptSocket = await given.open({ cookie: swept })
    const freshSocket = await given.open({ cookie: fresh })

    await expire(noticed)
    expect((await given.asSession(noticed).get('/api/me')).status).toBe(401)
    await waitFor(() => noticedSocket.closes.includes(CLOSE.sessionEnded.code), 'the socket of the session found expired to close')

    await expire(swept)
    expect(await endExpiredSessions(given.server.services)).toBe(1)
    await waitFor(() => sweptSocket.closes.includes(CLOSE.sessionEnded.code), 'the socket of the swept session to close')
    expect(await given.server.services.storage.sessions.get(sessionIdOf(swept))).toBeUndefined()
    expect(freshSocket.closes).toEqual([])
    expect(socketsOf({ sessionId: sessionIdOf(fresh) })).toBe(1)
  })

  it("changing one's password ends every other session and its sockets; this session and the tokens' sockets stay", async () => {
    const [here, elsewhere] = [await signIn(given.server, given.person, given.watch), await signIn(given.server, given.person, given.watch)]
    const apiToken = await given.token(given.person)
    const tokenSocket = await given.open({ token: apiToken })
    const hereSocket = await given.open({ cookie: here })
    const elsewhereSocket = await given.open({ cookie: elsewhere })
    const newPassword = 'a much better password now'
    given.watch.secret(newPassword)

    const wrong = await given.asSession(here).post<ErrorBody>('/api/me/password', { currentPassword: 'not it at all', newPassword })
    expect(wrong.status).toBe(403)
    expect(wrong.body.error.code).toBe('wrong_password')
    expect((await apiClient(given.server.url, { authorization: `Bearer ${apiToken}` }).post('/api/me/password', { currentPassword: given.person.password, newPassword })).status).toBe(403)
    expect((await given.asSession(here).post('/api/me/password', { currentPassword: given.person.password, newPassword: 'short' })).status).toBe(400)

    expect((await given.asSession(here).post('/api/me/password', { currentPassword: given.person.password, newPassword })).status).toBe(204)
    await waitFor(() => elsewhereSocket.closes.includes(CLOSE.sessionEnded.code), 'the other session’s socket to close')
    expect((await given.asSession(elsewhere).get('/api/me')).status).toBe(401)
    expect((await given.asSession(here).get('/api/me')).status).toBe(200)
    await stillLive(tokenSocket.client, hereSocket.client, 'After the new password')
    expect([tokenSocket.closes, hereSocket.closes]).toEqual([[], []])
    expect((await apiClient(given.server.url).post('/api/auth/login', { email: given.person.email, password: given.person.password })).status).toBe(401)
    await signIn(given.server, { ...given.person, password: newPassword }, given.watch)
    const [changed] = (await given.server.services.storage.audit.listAll({ limit: 50 })).filter((entry) => entry.action === 'password-changed')
    // The other two: the one the board was made in, and `elsewhere`.
    expect(changed).toMatchObject({ actorId: given.person.id, detail: JSON.stringify({ sessionsEnded: 2 }) })
  })

  it('counts wrong current passwords as failed sign-ins, so a stolen session cannot guess the password', async () => {
    const here = given.asSession(await signIn(given.server, given.person, given.watch))
    for (let i = 0; i < 5; i++) expect((await here.post('/api/me/password', { currentPassword: `guess ${i}`, newPassword: 'whatever it would be' })).status).toBe(403)
    const refused = await here.post<ErrorBody>('/api/me/password', { currentPassword: given.person.password, newPassword: 'whatever it would be' })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it("an admin's reset ends all the person's sessions and revokes their tokens, every socket of theirs closing", async () => {
    const admin = await addAccount(given.server, { isAdmin: true })
    await given.watch.account(given.server, admin)
    const asAdmin = given.asSession(await signIn(given.server, admin, given.watch))
    const [one, two] = [await signIn(given.server, given.person, given.watch), await signIn(given.server, given.person, given.watch)]
    // A token made with the password before the reset (whoever leaked it could have made one too).
    const tokens = [await given.token(given.person), await given.token(given.person)]
    const tokenSockets = [await given.open({ token: tokens[0]! }), await given.open({ token: tokens[1]! })]
    const sockets = [await given.open({ cookie: one }), await given.open({ cookie: two })]
    const reset = 'the password after the reset'
    given.watch.secret(reset)
    expect((await asAdmin.post(`/api/users/${given.person.id}/password`, { password: reset })).status).toBe(204)
    for (const socket of sockets) await waitFor(() => socket.closes.includes(CLOSE.sessionEnded.code), 'each session’s socket to close')
    for (const socket of tokenSockets) await waitFor(() => socket.closes.includes(CLOSE.accessChanged.code), 'each token’s socket to close')
    for (const token of tokens) {
      expect((await apiClient(given.server.url, { authorization: `Bearer ${token}` }, given.watch.observe).get('/api/me')).status).toBe(401)
      expect(await upgradeStatus(`${given.server.wsUrl}/${given.boardId}?token=${token}`)).toBe(401)
    }
    expect(await given.server.services.storage.tokens.listActive(given.person.id)).toEqual([])
    const [entry] = (await given.server.services.storage.audit.listAll({ limit: 50 })).filter((record) => record.action === 'password-reset')
    expect(JSON.parse(entry!.detail)).toEqual({ userId: given.person.id, tokensRevoked: 2 })
  })

  it('logs a failed sign-in by a keyed hash of what was typed, never the text', async () => {
    const admin = await addAccount(given.server, { isAdmin: true })
    await given.watch.account(given.server, admin)
    // People type passwords into the email field.
    const typedPassword = 'Tr0ub4dor&3-typed-as-email'
    given.watch.secret(typedPassword)
    const anonymous = apiClient(given.server.url, {}, given.watch.observe)
    for (let i = 0; i < 2; i++) expect((await anonymous.post('/api/auth/login', { email: typedPassword, password: 'x' })).status).toBe(401)
    expect((await anonymous.post('/api/auth/login', { email: given.person.email, password: 'wrong password' })).status).toBe(401)

    const failures = given.watch.logLines.map((line) => JSON.parse(line) as { msg: string; identifier?: string; userId?: string | null }).filter((line) => line.msg === 'sign-in failed')
    expect(failures).toHaveLength(3)
    for (const failure of failures) expect(failure.identifier).toMatch(/^[0-9a-f]{16}$/)
    // The same text gives the same hash (attempts can be counted together), another text another one.
    expect(failures[0]!.identifier).toBe(failures[1]!.identifier)
    expect(failures[2]!.identifier).not.toBe(failures[0]!.identifier)
    expect([failures[0]!.userId, failures[2]!.userId]).toEqual([null, given.person.id])
    const typed = [typedPassword, typedPassword.toLowerCase(), given.person.email]
    expect(given.watch.logLines.filter((line) => typed.some((text) => line.includes(text)))).toEqual([])
    expect(given.watch.logLines.filter((line) => line.includes(hashSecret(typedPassword.toLowerCase())))).toEqual([])

    const audit = (await given.asSession(await signIn(given.server, admin, given.watch)).get<AuditEntry[]>('/api/audit')).body
    const failed = audit.filter((entry) => entry.action === 'sign-in-failed')
    // An unknown email's failures are in the log only: a stranger could otherwise write audit rows without end.
    expect(failed.map((entry) => entry.actorLabel)).toEqual([given.person.email])
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
