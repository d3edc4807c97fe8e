/**
 * Every page and API answer carries the page headers (a content security
 * policy that forbids framing, X-Frame-Options, nosniff); a websocket
 * upgrade's answer is a 101 (or a refusal without a body), never a page, and
 * is sent without them: copying them into every handshake cost each socket as
 * it opened. A browser's plain GET of a socket's path is a page like any other.
 */
import { get as httpGet } from 'node:http'
import WebSocket from 'ws'
import { expect, it } from 'vitest'
import { addToken } from './helpers/accounts.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'

const given = useOwnedBoard({ owner: 'Hedda Headers', board: 'Framed nowhere' })

function expectPageHeaders(headers: Headers): void {
  expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  expect(headers.get('x-frame-options')).toBe('DENY')
  expect(headers.get('x-content-type-options')).toBe('nosniff')
}

/** An ordinary GET with headers fetch() would not send (it refuses `Upgrade`). */
function plainGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Headers }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers }, (response) => {
      response.resume()
      const received = new Headers()
      for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') received.set(name, value)
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: received }))
    })
    request.on('error', reject)
  })
}

/** The headers of the 101 that accepts a socket at `url`. */
async function handshakeHeaders(url: string): Promise<Record<string, string | string[] | undefined>> {
  const socket = new WebSocket(url)
  socket.on('error', () => {})
  try {
    return await new Promise((resolve, reject) => {
      socket.once('upgrade', (response) => resolve(response.headers))
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)))
    })
  } finally {
    socket.terminate()
  }
}

it('sends the page headers with pages and API answers, and a plain GET of a socket path, but not with a websocket handshake', async () => {
  const { server, owner, boardId } = given
  const { token } = await addToken(server, owner)
  expectPageHeaders((await fetch(`${server.url}/`)).headers)
  expectPageHeaders((await fetch(`${server.url}/api/boards`, { headers: { authorization: `Bearer ${token}` } })).headers)
  expectPageHeaders((await fetch(`${server.url}/ws/${boardId}?token=${token}`)).headers)
  // Without `Connection: upgrade` Node serves it as an ordinary request: a page that a shared cache could hand to anyone.
  expectPageHeaders((await plainGet(`${server.url}/`, { upgrade: 'websocket' })).headers)

  const handshake = await handshakeHeaders(`${server.wsUrl}/${boardId}?token=${token}`)
  expect(handshake['upgrade']).toBe('websocket')
  expect(handshake['content-security-policy']).toBeUndefined()
  expect(handshake['x-frame-options']).toBeUndefined()
})
