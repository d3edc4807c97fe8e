/**
 * Websocket upgrades in the form clients send are taken on the server's
 * `upgrade` event, straight to ws (server/http/direct-upgrade.ts); any other
 * form goes through Hono's route. Both answer alike, refusal for refusal, byte
 * for byte; what neither can take (a broken handshake, headers past Node's
 * bound) is refused without a socket, and the server serves on. A handshake
 * that ws refuses after the upgrade was decided gives back at once what the
 * decision held (the person's connection and the room), where it was held for
 * half a minute; a plain request for the socket's path is refused 426 before
 * any of that is decided, and an upgrade to another protocol 400 (the twelfth
 * red team: it was left unanswered and open).
 */
import { expect, it } from 'vitest'
import { addAccount, addMember, addToken, sessionHeaders, signIn, upgradeStatus } from './helpers/accounts.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { connectionsDestroyedAfterEach } from './helpers/raw-http.ts'
import { waitFor } from './helpers/wait-for.ts'

const given = useOwnedBoard({ owner: 'Ulla Upgrade', board: 'Front door', env: { WS_MAX_CONNECTIONS_PER_PERSON: '1' } })
const openConnection = connectionsDestroyedAfterEach()

const HANDSHAKE = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }

/** The server's whole answer to one raw request, up to the end of its head (a 101 stays open) or the connection's close. */
async function answerTo(request: string): Promise<string> {
  const connection = await openConnection(given.server.port)
  connection.send(request)
  await waitFor(() => connection.isClosed() || connection.received().includes('\r\n\r\n'), 'an answer to the upgrade')
  const received = connection.received()
  connection.socket.destroy()
  return received.slice(0, received.indexOf('\r\n\r\n') + 4)
}

function upgradeRequest(target: string, headers: Record<string, string> = {}, method = 'GET'): string {
  const lines = Object.entries({ host: `127.0.0.1:${given.server.port}`, ...HANDSHAKE, ...headers }).map(([name, value]) => `${name}: ${value}\r\n`)
  return `${method} ${target} HTTP/1.1\r\n${lines.join('')}\r\n`
}

/** The same board's path in a form only Hono's route takes: its first character escaped, which Hono decodes. */
function escapedPath(boardId: string): string {
  return `/ws/%${boardId.charCodeAt(0).toString(16)}${boardId.slice(1)}`
}

it('answers every refusal as Hono’s route does, in the same bytes, and accepts alike', async () => {
  const { server, owner, boardId } = given
  const outsider = await addAccount(server, { name: 'Olaf Outsider' })
  const member = await addAccount(server, { name: 'Mia Member' })
  await addMember(server, boardId, member, 'editor')
  const [outsiderToken, memberToken, ownerToken] = [(await addToken(server, outsider)).token, (await addToken(server, member)).token, (await addToken(server, owner)).token]
  const cookie = await signIn(server, member)
  const unknownBoard = crypto.randomUUID()
  const cases: { why: string; query: string; headers?: Record<string, string>; board?: string; status: number }[] = [
    { why: 'no credential', query: '', status: 401 },
    { why: 'a forged token', query: '?token=assay_forged', status: 401 },
    { why: 'a forged bearer header, with a good token in the query', query: `?token=${memberToken}`, headers: { authorization: 'Bearer assay_forged' }, status: 401 },
    { why: 'a malformed authorization header', query: '', headers: { authorization: 'Basic abc' }, status: 401 },
    { why: 'a forged session cookie', query: '', headers: { cookie: 'assay_session=forged', origin: server.url }, status: 401 },
    { why: 'a session cookie from another site', query: '', headers: { cookie, origin: 'https://evil.example' }, status: 403 },
    { why: 'a session cookie with no origin at all', query: '', headers: { cookie }, status: 403 },
    { why: 'someone with no role on the board', query: `?token=${outsiderToken}`, status: 404 },
    { why: 'a board that does not exist', query: `?token=${memberToken}`, board: unknownBoard, status: 404 },
  ]
  for (const { why, query, headers, board = boardId, status } of cases) {
    const direct = await answerTo(upgradeRequest(`/ws/${board}${query}`, headers))
    const throughHono = await answerTo(upgradeRequest(`${escapedPath(board)}${query}`, headers))
    expect(direct, why).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `))
    expect(direct, why).toBe(throughHono)
  }

  // Over the person's connection limit (one here): 429 with Retry-After, both ways.
  const held = await given.connectAs(owner)
  const overDirect = await answerTo(upgradeRequest(`/ws/${boardId}?token=${ownerToken}`))
  expect(overDirect).toMatch(/^HTTP\/1\.1 429 [^]*\r\nretry-after: 5\r\n/)
  expect(overDirect).toBe(await answerTo(upgradeRequest(`${escapedPath(boardId)}?token=${ownerToken}`)))
  held.destroy()

  // A session from the server's own pages is let in both ways, once the member's one connection is free again.
  for (const target of [`/ws/${boardId}`, escapedPath(boardId)]) {
    await waitFor(async () => /^HTTP\/1\.1 101 /.test(await answerTo(upgradeRequest(target, sessionHeaders(server, cookie)))), `a session let in at ${target}`)
  }
})

it('refuses what is no handshake or no request without a socket, and serves on', async () => {
  const { server, boardId, owner } = given
  const { token } = await addToken(server, owner)
  const target = `/ws/${boardId}?token=${token}`
  const broken: [string, string][] = [
    ['no key', upgradeRequest(target, { 'sec-websocket-key': '' })],
    ['a key of the wrong length', upgradeRequest(target, { 'sec-websocket-key': 'c2hvcnQ=' })],
    ['another protocol version', upgradeRequest(target, { 'sec-websocket-version': '7' })],
  ]
  for (const [why, request] of broken) expect(await answerTo(request), why).toMatch(/^HTTP\/1\.1 400 /)
  // Headers past Node's bound, a request line that is no HTTP, and a POST that asks to upgrade (Hono's route, then ws, refuse it).
  expect(await answerTo(upgradeRequest(target, { 'x-padding': 'x'.repeat(32 * 1024) }))).toMatch(/^HTTP\/1\.1 431 /)
  expect(await answerTo(`GET /ws/${boardId}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /)
  expect(await answerTo(upgradeRequest(target, {}, 'POST'))).toMatch(/^HTTP\/1\.1 405 /)
  // A client that resets the connection while its upgrade is decided.
  for (let i = 0; i < 20; i++) {
    const connection = await openConnection(server.port)
    connection.send(upgradeRequest(target))
    connection.socket.resetAndDestroy()
  }
  await waitFor(async () => (await upgradeStatus(`${server.wsUrl}/${boardId}?token=${token}`)) === 101, 'the server serving, and the person’s one connection free')
})

it('gives back the person’s connection and the room at once when ws refuses a handshake already decided', async () => {
  const { server, boardId, owner } = given
  const { token } = await addToken(server, owner)
  // Decided and admitted, then refused by ws: before, the person's one connection stayed taken for half a minute.
  expect(await answerTo(upgradeRequest(`/ws/${boardId}?token=${token}`, { 'sec-websocket-version': '7' }))).toMatch(/^HTTP\/1\.1 400 /)
  expect(await upgradeStatus(`${server.wsUrl}/${boardId}?token=${token}`)).toBe(101)
})

it('answers a plain request for a board’s socket 426 before reading its rights: it takes no connection of its person’s', async () => {
  const { server, boardId, owner } = given
  const { token } = await addToken(server, owner)
  const plain = `GET /ws/${boardId}?token=${token} HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n\r\n`
  expect(await answerTo(plain)).toMatch(/^HTTP\/1\.1 426 [^]*\r\nupgrade: websocket\r\n/i)
  // Before, it was decided as an upgrade, then answered with the app's page: the person's one connection taken for half a minute.
  expect(await upgradeStatus(`${server.wsUrl}/${boardId}?token=${token}`)).toBe(101)
})

it('refuses 400 an upgrade to anything but a websocket, where it was left unanswered and open', async () => {
  const { server, boardId } = given
  for (const [target, upgrade] of [['/', 'h2c'], [`/ws/${boardId}`, 'h2c'], [`/ws/${boardId}`, 'websocket, x']] as const) {
    const request = `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nconnection: Upgrade\r\nupgrade: ${upgrade}\r\n\r\n`
    expect(await answerTo(request), `${upgrade} at ${target}`).toMatch(/^HTTP\/1\.1 400 [^]*\r\nConnection: close\r\n/)
  }
})

it('tells a signed-in outsider nothing of whether a board exists: the same answer as for an id made up, as over HTTP (red team 30a)', async () => {
  const { server, boardId } = given
  const outsiderToken = (await addToken(server, await addAccount(server, { name: 'Otto Outsider' }))).token
  const madeUp = crypto.randomUUID()
  for (const target of [(board: string) => `/ws/${board}`, escapedPath]) {
    const existing = await answerTo(upgradeRequest(`${target(boardId)}?token=${outsiderToken}`))
    expect(existing).toMatch(/^HTTP\/1\.1 404 /)
    expect(existing).toBe(await answerTo(upgradeRequest(`${target(madeUp)}?token=${outsiderToken}`)))
  }
})

it('refuses 400 an upgrade whose Host the URL parser cannot read, as it does a request with it, where it was a 500 logged nowhere (red team 30a)', async () => {
  const { boardId } = given
  for (const host of ['[::1', 'a:99999']) {
    const plain = await answerTo(`GET /ws/${boardId} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`)
    expect(plain, `a request with Host ${host}`).toMatch(/^HTTP\/1\.1 400 /)
    expect(await answerTo(upgradeRequest(`/ws/${boardId}`, { host })), `an upgrade with Host ${host}`).toMatch(/^HTTP\/1\.1 400 [^]*\r\nConnection: close\r\n/)
  }
})
