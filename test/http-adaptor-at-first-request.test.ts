/**
 * A server loads no fetch implementation (undici) at start, nor for the
 * relay's websockets: @hono/node-server, whose module reads the fetch globals
 * as it loads, is loaded at the first HTTP request or upgrade left to Hono's
 * route (server/http/lazy-hono-server.ts; about 3 MiB resident at start,
 * BENCHMARKS.md "Start memory"). The first contacts, sent at once while it
 * loads, are all answered, and both ways into a board's socket sync.
 */
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import { addAssessment } from '../shared/board-mutations.ts'
import { boardToModel } from '../shared/board-convert.ts'
import { apiClient } from './helpers/api.ts'
import { startChildServer, type ChildServer } from './helpers/child-server.ts'
import { connectionsDestroyedAfterEach } from './helpers/raw-http.ts'
import { tempDir } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const WATCHING_ENTRY = fileURLToPath(new URL('./helpers/serve-watching-fetch.ts', import.meta.url))
const HANDSHAKE = 'upgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n'

const openConnection = connectionsDestroyedAfterEach()
const connect = clientsDestroyedAfterEach()
let child: ChildServer | undefined
let dataDir: string | undefined
afterEach(async () => {
  await child?.kill()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

const readsOfFetchGlobals = (server: ChildServer) => server.logs.filter((line) => line.startsWith('reads the fetch global'))
const loadsOfTheApi = (server: ChildServer) => server.logs.filter((line) => line.startsWith('loads the HTTP API'))

/** The same board's path in a form only Hono's route takes: its first character escaped, which Hono decodes. */
const escapedPath = (boardId: string) => `%${boardId.charCodeAt(0).toString(16)}${boardId.slice(1)}`

it('reads no fetch global and loads no HTTP API at start; the first requests, sent at once while they load, are answered, and both ways into a socket sync', async () => {
  dataDir = tempDir()
  child = await startChildServer(dataDir, {}, WATCHING_ENTRY)
  expect(readsOfFetchGlobals(child)).toEqual([])
  expect(loadsOfTheApi(child)).toEqual([])
  const port = Number(new URL(child.url).port)

  // Before anything has loaded the adaptor: an upgrade only Hono's route takes (for a board that does not exist) and plain requests, at once.
  const upgrade = await openConnection(port)
  upgrade.send(`GET /ws/${escapedPath(crypto.randomUUID())} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n${HANDSHAKE}\r\n`)
  const statuses = await Promise.all(Array.from({ length: 10 }, () => fetch(`${child!.url}/healthz`).then((response) => response.status)))
  expect(statuses).toEqual(Array.from({ length: 10 }, () => 200))
  await waitFor(() => upgrade.received().includes('\r\n\r\n'), 'an answer to the upgrade')
  expect(upgrade.received()).toMatch(/^HTTP\/1\.1 404 /)
  const reads = readsOfFetchGlobals(child)
  expect(reads.length).toBeGreaterThan(0)
  expect(reads[0]).toContain('@hono/node-server')
  expect(loadsOfTheApi(child)).toHaveLength(1)

  const boardId = await apiClient(child.url).createBoard('Loaded late')
  const direct = connect(child.wsUrl, boardId)
  const throughHono = connect(child.wsUrl, escapedPath(boardId))
  await Promise.all([direct.synced(), throughHono.synced()])
  addAssessment(direct.doc, { title: 'Typed over the direct way', judgment: '' })
  await waitFor(() => boardToModel(throughHono.doc, boardId).assessments[0]?.title === 'Typed over the direct way', 'the card over Hono’s way')
})
