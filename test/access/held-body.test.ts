/**
 * A request authenticated when its headers arrive may send its body long
 * after: a right taken away meanwhile (a password reset, a sign-out, an admin
 * demoted or deactivated) must not be used once the body is in. Each request
 * here is sent whole but for its body's last byte; once the server has
 * authenticated it, the right goes through the real API, and then the last
 * byte follows. A route that waits on a password's hashing before its write
 * decides again right before it: there the right is taken away right after
 * the server read the account for its decision once the body was in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AccountReads } from '../helpers/account-reads.ts'
import { addAccount, sessionHeaders, signIn, signedInClient, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { closingAnswer, openConnection, sendAllButLastByte, statusCodes, type RawConnection } from '../helpers/raw-http.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const UNAUTHORIZED = { error: { code: 'unauthorized', message: 'Sign in, or send an API token as "Authorization: Bearer <token>".' } }

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'a request whose body is held back on %s', (dialect) => {
  const reads = new AccountReads()
  let server: TestServer
  let admin: ApiClient
  const connections: RawConnection[] = []

  beforeAll(async () => {
    server = await startTestServer({ dialect, accounts: true, wrapStorage: reads.wrap })
    admin = await signedInClient(server, await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
  })
  afterAll(async () => {
    for (const connection of connections) connection.socket.destroy()
    await server.destroy()
  })

  /**
   * Sends `method path` with `body` as `account`, signed in with `cookie`, all
   * but the body's last byte; runs `meanwhile` once the server has
   * authenticated it; then sends the last byte and resolves with the answer.
   */
  async function heldAcross(account: TestAccount, cookie: string, request: { method: string; path: string; body: unknown }, meanwhile: () => Promise<void>) {
    const connection = await openConnection(server.port)
    connections.push(connection)
    const readsBefore = reads.of(account.id)
    const held = sendAllButLastByte(connection, request.method, request.path, { ...sessionHeaders(server, cookie), 'content-type': 'application/json' }, JSON.stringify(request.body))
    await waitFor(() => reads.of(account.id) > readsBefore, `${request.method} ${request.path} to be authenticated`)
    await meanwhile()
    expect(statusCodes(connection)).toEqual([])
    held.sendRest()
    await waitFor(() => connection.isClosed(), `the answer to ${request.method} ${request.path}`)
    return closingAnswer(connection)
  }

  it('makes no token for a leaked session once the admin has reset the password', async () => {
    const person = await addAccount(server, { name: 'Lea Leaked' })
    const leaked = await signIn(server, person)
    const answer = await heldAcross(person, leaked, { method: 'POST', path: '/api/tokens', body: { name: 'backdoor' } }, async () => {
      expect((await admin.post(`/api/users/${person.id}/password`, { password: `new-${crypto.randomUUID()}` })).status).toBe(204)
    })
    expect(answer).toEqual({ status: 401, body: UNAUTHORIZED })
    expect(await server.services.storage.tokens.listActive(person.id)).toEqual([])
  })

  it('does not let an admin demoted meanwhile make themselves an admin again', async () => {
    const demoted = await addAccount(server, { name: 'Dee Demoted', isAdmin: true })
    const cookie = await signIn(server, demoted)
    const answer = await heldAcross(demoted, cookie, { method: 'PATCH', path: `/api/users/${demoted.id}`, body: { isAdmin: true } }, async () => {
      expect((await admin.patch(`/api/users/${demoted.id}`, { isAdmin: false })).status).toBe(200)
    })
    expect(answer).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'Only the admin manages accounts.' } } })
    expect((await server.services.storage.users.get(demoted.id))?.isAdmin).toBe(false)
  })

  it('does not let an admin deactivated meanwhile add an admin', async () => {
    const deactivated = await addAccount(server, { name: 'Dan Deactivated', isAdmin: true })
    const cookie = await signIn(server, deactivated)
    const email = `new-admin-${crypto.randomUUID().slice(0, 8)}@example.org`
    const body = { email, name: 'New Admin', password: `pw-${crypto.randomUUID()}`, isAdmin: true }
    const answer = await heldAcross(deactivated, cookie, { method: 'POST', path: '/api/users', body }, async () => {
      expect((await admin.patch(`/api/users/${deactivated.id}`, { deactivated: true })).status).toBe(200)
    })
    expect(answer).toEqual({ status: 401, body: UNAUTHORIZED })
    expect(await server.services.storage.users.getByEmail(email)).toBeUndefined()
  })

  it('adds no member for an owner who signed out meanwhile', async () => {
    const owner = await addAccount(server, { name: 'Olive Owner' })
    const other = await addAccount(server, { name: 'Oscar Other' })
    const cookie = await signIn(server, owner)
    const boardId = await apiClient(server.url, sessionHeaders(server, cookie)).createBoard('Held members')
    const body = { email: other.email, role: 'owner' }
    const answer = await heldAcross(owner, cookie, { method: 'POST', path: `/api/boards/${boardId}/members`, body }, async () => {
      expect((await apiClient(server.url, sessionHeaders(server, cookie)).post('/api/auth/logout')).status).toBe(204)
    })
    expect(answer).toEqual({ status: 401, body: UNAUTHORIZED })
    expect(await server.services.storage.members.role(boardId, other.id)).toBeUndefined()
  })

  // Past the body: the request is authenticated at its headers and again once its body is in (two reads of the account).
  it('adds no account, nor sets a password, for an admin demoted while the password was being hashed', async () => {
    const demoted = await addAccount(server, { name: 'Hal Hashing', isAdmin: true })
    const other = await addAccount(server, { name: 'Pat Password' })
    const storedHash = (await server.services.storage.users.get(other.id))?.passwordHash
    const client = apiClient(server.url, sessionHeaders(server, await signIn(server, demoted)))
    const demote = async () => expect((await admin.patch(`/api/users/${demoted.id}`, { isAdmin: false })).status).toBe(200)
    const refused = { status: 403, body: { error: { code: 'forbidden', message: 'Only the admin manages accounts.' } } }

    reads.afterRead(demoted.id, 2, demote)
    const email = `hashed-${crypto.randomUUID().slice(0, 8)}@example.org`
    const added = await client.post('/api/users', { email, name: 'Never Added', password: `pw-${crypto.randomUUID()}`, isAdmin: true })
    expect(reads.fired).toBe(true)
    expect({ status: added.status, body: added.body }).toEqual(refused)
    expect(await server.services.storage.users.getByEmail(email)).toBeUndefined()

    expect((await admin.patch(`/api/users/${demoted.id}`, { isAdmin: true })).status).toBe(200)
    reads.afterRead(demoted.id, 2, demote)
    const reset = await client.post(`/api/users/${other.id}/password`, { password: `pw-${crypto.randomUUID()}` })
    expect(reads.fired).toBe(true)
    expect({ status: reset.status, body: reset.body }).toEqual(refused)
    expect((await server.services.storage.users.get(other.id))?.passwordHash).toBe(storedHash)
  })

  it('does not let an admin demoted meanwhile delete a board they are no member of', async () => {
    const owner = await signedInClient(server, await addAccount(server, { name: 'Bea Boardowner' }))
    const boardId = await owner.createBoard('Kept board')
    const demoted = await addAccount(server, { name: 'Ed Exadmin', isAdmin: true })
    const cookie = await signIn(server, demoted)
    const answer = await heldAcross(demoted, cookie, { method: 'DELETE', path: `/api/boards/${boardId}`, body: {} }, async () => {
      expect((await admin.patch(`/api/users/${demoted.id}`, { isAdmin: false })).status).toBe(200)
    })
    expect(answer).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'Board not found.' } } })
    expect(await server.services.storage.boards.get(boardId)).toBeDefined()
    expect((await owner.get(`/api/boards/${boardId}`)).status).toBe(200)
  })
})

describe('a body slower than the request timeout', () => {
  let server: TestServer
  afterAll(async () => {
    await server.destroy()
  })

  it('is answered 408 and its connection closed, the route never run', async () => {
    server = await startTestServer({ accounts: true, env: { HTTP_HEADERS_TIMEOUT_MS: '200', HTTP_REQUEST_TIMEOUT_MS: '500' } })
    const person = await addAccount(server, { name: 'Sid Slow' })
    const connection = await openConnection(server.port)
    try {
      sendAllButLastByte(connection, 'POST', '/api/tokens', { ...sessionHeaders(server, await signIn(server, person)), 'content-type': 'application/json' }, JSON.stringify({ name: 'never' }))
      await waitFor(() => connection.isClosed(), 'the request to be cut off')
      expect(statusCodes(connection)).toEqual([408])
      expect(await server.services.storage.tokens.listActive(person.id)).toEqual([])
    } finally {
      connection.socket.destroy()
    }
  })
})
