/**
 * Requests made by a browser for another site's page, sent over a real socket
 * with the headers the browser sends (the browser tests in
 * test/e2e/cross-site-pages.test.ts make them in Chromium itself):
 *
 * - A GET that carries the session cookie (a link, `<form method=GET>`, or
 *   from another port of this host even an image) spends its person's
 *   allowances and writes the audit log in their name: refused whenever the
 *   browser says another page sent it (`Sec-Fetch-Site`), and let through
 *   when the person typed the address (`none`) or an old client says nothing.
 * - DNS rebinding: another site's name pointed at this server after its page
 *   loaded, so that the page's requests carry that name as both Host and
 *   Origin. Refused unless the name is an IP address, `localhost` or
 *   PUBLIC_URL's host, sign-in and first-run setup included; the host compared
 *   is the Host header's, not an absolute-form request target's.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { addAccount, addToken, signIn, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { closingAnswer, connectionsDestroyedAfterEach } from '../helpers/raw-http.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

type Answer = { status: number; code: string | null }
type ErrorBody = { error?: { code?: string } }

const UPGRADE_HEADERS = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' }

describe('requests another site makes a browser send', () => {
  let server: TestServer | undefined
  const connect = connectionsDestroyedAfterEach()

  afterEach(async () => {
    await server?.destroy()
    server = undefined
  })

  const start = async (env: Record<string, string> = {}) => {
    server = await startTestServer({ accounts: true, env })
    return server
  }

  /** `method target` with exactly these headers (Host included) over a socket of its own: the status and error code answered. */
  async function send(s: TestServer, method: string, target: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    const connection = await connect(s.port)
    const bodyHeaders = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
    const lines = Object.entries({ connection: 'close', ...bodyHeaders, ...headers }).map(([name, value]) => `${name}: ${value}\r\n`)
    connection.send(`${method} ${target} HTTP/1.1\r\n${lines.join('')}\r\n${body ?? ''}`)
    await waitFor(() => connection.isClosed() || connection.received().startsWith('HTTP/1.1 101 '), `the answer to ${method} ${target}`)
    if (!connection.isClosed()) return { status: 101, code: null }
    const received = connection.received()
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(received)?.[1])
    // An error's JSON names its code; an export is a file, a websocket refusal has no body.
    const code = /^content-type: application\/json/im.test(received) ? ((closingAnswer(connection).body as ErrorBody | null)?.error?.code ?? null) : null
    return { status, code }
  }

  async function personWithBoard(s: TestServer): Promise<{ person: TestAccount; cookie: string; boardId: string }> {
    const person = await addAccount(s)
    const cookie = await signIn(s, person)
    const boardId = await apiClient(s.url, { cookie, origin: s.url }).createBoard('Wagner — Vilnius')
    return { person, cookie, boardId }
  }

  async function exportsAuditedFor(s: TestServer, boardId: string, person: TestAccount): Promise<number> {
    const entries = await s.services.storage.audit.listForBoard(boardId, { limit: 1000, action: 'export' })
    return entries.filter((entry) => entry.actorId === person.id).length
  }

  it('refuses a cookie-authenticated GET another page sent, and lets the person’s own through', async () => {
    const s = await start()
    const { person, cookie, boardId } = await personWithBoard(s)
    const host = `127.0.0.1:${s.port}`
    const exportOf = (mark: string) => `/api/boards/${boardId}/export?format=md&mark=${mark}`
    // A link or form on another site (top-level navigation), and an image on another port of this host.
    const link = await send(s, 'GET', exportOf('link'), { host, cookie, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' })
    const image = await send(s, 'GET', exportOf('image'), { host, cookie, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' })
    expect([link, image]).toEqual([
      { status: 403, code: 'cross_site' },
      { status: 403, code: 'cross_site' },
    ])
    expect(await exportsAuditedFor(s, boardId, person)).toBe(0)
    // Other cookie-authenticated routes of every method are refused the same way.
    expect(await send(s, 'GET', '/api/me', { host, cookie, 'sec-fetch-site': 'cross-site' })).toEqual({ status: 403, code: 'cross_site' })
    expect(await send(s, 'HEAD', exportOf('head'), { host, cookie, 'sec-fetch-site': 'same-site' })).toMatchObject({ status: 403 })

    // The address typed or pasted, the app's own fetch, and a client that sends no Fetch Metadata.
    const typed = await send(s, 'GET', exportOf('typed'), { host, cookie, 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' })
    const own = await send(s, 'GET', exportOf('own'), { host, cookie, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' })
    const plain = await send(s, 'GET', exportOf('plain'), { host, cookie })
    expect([typed.status, own.status, plain.status]).toEqual([200, 200, 200])
    expect(await exportsAuditedFor(s, boardId, person)).toBe(3)
    // A token is no cookie: another site cannot make a browser send it.
    const { token } = await addToken(s, person)
    expect((await send(s, 'GET', exportOf('token'), { host, authorization: `Bearer ${token}`, 'sec-fetch-site': 'cross-site' })).status).toBe(200)
  })

  it('serves first-run setup and sign-in only by a name no other site can point here', async () => {
    const s = await start()
    const setup = JSON.stringify({ email: 'attacker@evil.test', name: 'Admin', password: 'attacker-password-123' })
    // The rebinding page's own requests: its name as Host, its origin as Origin, the two agreeing.
    const rebound = `rebind.test:${s.port}`
    const viaRebound = await send(s, 'POST', '/api/auth/setup', { host: rebound, origin: `http://${rebound}`, 'sec-fetch-site': 'same-origin' }, setup)
    expect(viaRebound).toEqual({ status: 403, code: 'unknown_host' })
    expect(await send(s, 'GET', '/api/auth/status', { host: rebound })).toEqual({ status: 403, code: 'unknown_host' })
    expect(await s.services.storage.users.count()).toBe(0)
    // localhost and the IP addresses are this server's own names, as the browser sends them.
    for (const host of [`localhost:${s.port}`, `[::1]:${s.port}`]) expect((await send(s, 'GET', '/api/auth/status', { host })).status).toBe(200)
    const viaAddress = await send(s, 'POST', '/api/auth/setup', { host: `127.0.0.1:${s.port}`, origin: s.url }, setup)
    expect(viaAddress.status).toBe(200)
  })

  it('refuses a rebound name a session cookie, on the websocket and over HTTP, and not a token', async () => {
    const s = await start()
    const { person, cookie, boardId } = await personWithBoard(s)
    const rebound = `rebind.test:${s.port}`
    const fromRebound = { host: rebound, origin: `http://${rebound}`, cookie }
    expect(await send(s, 'GET', `/ws/${boardId}`, { ...UPGRADE_HEADERS, ...fromRebound })).toMatchObject({ status: 403 })
    expect(await send(s, 'POST', '/api/boards', fromRebound, JSON.stringify({ title: 'rebound' }))).toEqual({ status: 403, code: 'unknown_host' })
    expect(await send(s, 'GET', `/api/boards/${boardId}/export?format=md`, { ...fromRebound, 'sec-fetch-site': 'same-origin' })).toEqual({ status: 403, code: 'unknown_host' })
    const { token } = await addToken(s, person)
    expect((await send(s, 'GET', '/api/me', { host: rebound, authorization: `Bearer ${token}` })).status).toBe(200)
    expect((await send(s, 'GET', `/ws/${boardId}?token=${token}`, { ...UPGRADE_HEADERS, host: rebound, origin: `http://${rebound}` })).status).toBe(101)
    // This server's own page, by its address, still opens its socket.
    expect((await send(s, 'GET', `/ws/${boardId}`, { ...UPGRADE_HEADERS, host: `127.0.0.1:${s.port}`, origin: s.url, cookie })).status).toBe(101)
  })

  it('compares Origin with the Host header, not with a host an absolute-form target names', async () => {
    const s = await start()
    const { cookie, boardId } = await personWithBoard(s)
    const host = `127.0.0.1:${s.port}`
    const fromEvil = { host, origin: 'http://evil.test', cookie }
    expect(await send(s, 'GET', `http://evil.test/ws/${boardId}`, { ...UPGRADE_HEADERS, ...fromEvil })).toMatchObject({ status: 403 })
    expect(await send(s, 'POST', 'http://evil.test/api/boards', fromEvil, JSON.stringify({ title: 'absolute' }))).toEqual({ status: 403, code: 'cross_site' })
    // Nor may the target name this server's address while Host names another.
    const reversed = { host: `rebind.test:${s.port}`, origin: s.url, cookie }
    expect(await send(s, 'GET', `${s.url}/ws/${boardId}`, { ...UPGRADE_HEADERS, ...reversed })).toMatchObject({ status: 403 })
  })

  it('with PUBLIC_URL, takes its host and the addresses, and no other name', async () => {
    const s = await start({ PUBLIC_URL: 'https://assay.example.org' })
    const setup = JSON.stringify({ email: 'attacker@evil.test', name: 'Admin', password: 'attacker-password-123' })
    const rebound = `rebind.test:${s.port}`
    expect(await send(s, 'POST', '/api/auth/setup', { host: rebound, origin: `http://${rebound}` }, setup)).toEqual({ status: 403, code: 'unknown_host' })
    expect(await s.services.storage.users.count()).toBe(0)
    // Behind the documented nginx: the Host the browser used, PUBLIC_URL's.
    const person = await addAccount(s)
    const login = JSON.stringify({ email: person.email, password: person.password })
    expect((await send(s, 'POST', '/api/auth/login', { host: 'assay.example.org', origin: 'https://assay.example.org', 'sec-fetch-site': 'same-origin' }, login)).status).toBe(200)
    // A proxy passing the port it was reached on (`$host:$server_port`): the name is what counts.
    expect((await send(s, 'POST', '/api/auth/login', { host: 'assay.example.org:443', origin: 'https://assay.example.org', 'sec-fetch-site': 'same-origin' }, login)).status).toBe(200)
    expect((await send(s, 'POST', '/api/auth/login', { host: `127.0.0.1:${s.port}`, origin: s.url }, login)).status).toBe(200)
  })
})
