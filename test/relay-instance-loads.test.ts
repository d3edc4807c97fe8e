/**
 * Loads of boards nobody holds, against the real server, by several accounts
 * at once. Each person's loaded bytes a minute multiply with the accounts
 * asking, and a load holds the relay's thread for everyone (three reviewer
 * accounts cycling through boards of 15 MB held /healthz up to 10 s): the
 * instance loads only so much a minute, one board at a time, whoever asks.
 */
import { afterEach, expect, it } from 'vitest'
import { UPGRADE_REFUSED } from '../shared/protocol.ts'
import { apiClient } from './helpers/api.ts'
import { heavyBoardState, storedBoards } from './helpers/heavy-boards.ts'
import { refusedUpgrade } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

const servers: TestServer[] = []
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const server of servers.splice(0)) await server.destroy()
})

/**
 * The instance loads 64 KiB a minute, a sixth of it at once, and for people
 * within their share down to half a minute below empty: a board of some 80
 * KB leaves it below that for half a minute, longer than the test takes.
 * Each person may load 64 MiB a minute, as by default.
 */
const SMALL_INSTANCE_MINUTE = { LOADED_BYTES_PER_MINUTE: '65536', ROOM_IDLE_MS: '0' }
const PEOPLE = 3

/** A board of some 80 KB as stored, the same for each board: past the floor down to which the instance loads for others. */
const HEAVY_REPEATS = 1_600

/** `count` people and `count` heavy boards nobody holds. */
function heavyBoards(server: TestServer, count: number): Promise<{ tokens: string[]; boards: string[] }> {
  const stored = heavyBoardState(HEAVY_REPEATS)
  return storedBoards(server, count, Array.from({ length: count }, () => [stored]))
}

it('people opening boards nobody holds at once get one loaded, the others 429 until the instance’s minute refills, whatever their own minute; a board loaded is never refused', async () => {
  const server = await startTestServer({ accounts: true, env: SMALL_INSTANCE_MINUTE })
  servers.push(server)
  const { tokens, boards } = await heavyBoards(server, PEOPLE)

  // Each person's stock provider opens their own board, all at once: decided one at a time, each load in its turn.
  const providers = boards.map((boardId, i) => {
    const client = connectClient(server.wsUrl, boardId, { token: tokens[i]! })
    clients.push(client)
    return client
  })
  const refusals = providers.map((provider) => closeCodes(provider))
  await waitFor(() => providers.filter((provider) => provider.provider.synced).length === 1 && refusals.filter((codes) => codes.length > 0).length === PEOPLE - 1, 'one board loaded, the others refused')
  const loaded = boards.filter((boardId) => server.services.rooms.loadedRooms.has(boardId))
  expect(loaded).toHaveLength(1)
  const held = boards.indexOf(loaded[0]!)
  const [other, third] = [(held + 1) % PEOPLE, (held + 2) % PEOPLE]

  // Refused as a person past their own minute is, though this one has loaded nothing: a websocket 429 the stock client retries, an HTTP change 429.
  expect(await refusedUpgrade(`${server.wsUrl}/${boards[other]}?token=${tokens[other]}`)).toEqual({ status: UPGRADE_REFUSED.loadingTooMuch.status, retryAfter: '5' })
  const change = await apiClient(server.url, { authorization: `Bearer ${tokens[third]}` }).post<{ error: { code: string } }>(`/api/boards/${boards[third]}/assessments`, { title: 'Loads the board' })
  expect([change.status, change.body.error?.code, change.headers.get('retry-after')]).toEqual([429, 'loading_too_much', '5'])
  expect(boards.filter((boardId) => server.services.rooms.loadedRooms.has(boardId))).toEqual(loaded)

  // The board loaded costs nothing to open: every other person joins it.
  for (const i of [other, third]) expect((await refusedUpgrade(`${server.wsUrl}/${boards[held]}?token=${tokens[i]}`)).status).toBe(101)
})

it('the instance’s minute, refilled, goes to the person it refused first, not to whoever retries fastest', async () => {
  // A sixth of the minute at once and half of it below empty are a little less than one board: each load leaves the
  // instance below the floor at which it loads for others for about 1.4 s.
  const minute = Math.round(heavyBoardState(HEAVY_REPEATS).byteLength * 1.45)
  const server = await startTestServer({ accounts: true, env: { LOADED_BYTES_PER_MINUTE: String(minute), ROOM_IDLE_MS: '0' } })
  servers.push(server)
  const { tokens, boards } = await heavyBoards(server, 3)
  const [editor, reviewer, other] = [0, 1, 2]
  const open = (person: number, board: number) => refusedUpgrade(`${server.wsUrl}/${boards[board]}?token=${tokens[person]}`)

  expect((await open(other, 2)).status).toBe(101)
  // The editor opens her board while the instance is in debt: refused, and first in line.
  expect((await open(editor, editor)).status).toBe(UPGRADE_REFUSED.loadingTooMuch.status)
  // The reviewer asks for his every 50 ms for three times as long as the debt lasts: the minute refills meanwhile, but it is hers.
  const until = performance.now() + 4_000
  const reviewerAnswers = new Set<number>()
  while (performance.now() < until) {
    reviewerAnswers.add((await open(reviewer, reviewer)).status)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  expect([...reviewerAnswers]).toEqual([UPGRADE_REFUSED.loadingTooMuch.status])
  expect(server.services.rooms.loadedRooms.has(boards[reviewer]!)).toBe(false)
  // Her stock client's next try, whenever its backoff brings it, loads her board.
  expect((await open(editor, editor)).status).toBe(101)
})
