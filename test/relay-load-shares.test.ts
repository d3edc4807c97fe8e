/**
 * One person's loads of boards nobody holds against the others', on the real
 * server (SQLite, accounts). A board dense in structs, just under the size
 * limit, cost the instance's whole minute to load: reopened each time it
 * unloaded, it kept every other board nobody held from loading for some 50 s
 * a minute (red team 39a). Each person's loads are held to their share of
 * the instance's minute, and what they owe past it does not refuse the others.
 */
import { afterEach, expect, it } from 'vitest'
import { UPGRADE_REFUSED } from '../shared/protocol.ts'
import { heavyBoardState, storedBoards } from './helpers/heavy-boards.ts'
import { refusedUpgrade } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const servers: TestServer[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) await server.destroy()
})

/**
 * The instance loads 96 KiB a minute, 16 KiB at once, and for people within
 * their share (half of it, 48 KiB a minute, 16 KiB at once) down to 48 KiB
 * below empty. Each person's own minute is 64 MiB, as by default.
 */
const MINUTE = 96 * 1024

/** A board of some 38 KB as stored: one load takes a person's share into debt for half a minute, longer than the test. */
const HEAVY = heavyBoardState(800)

async function serverWith(stored: Uint8Array[][], people: number): Promise<{ server: TestServer; tokens: string[]; boards: string[] }> {
  expect(HEAVY.byteLength).toBeGreaterThan(MINUTE / 6)
  const server = await startTestServer({ accounts: true, env: { LOADED_BYTES_PER_MINUTE: String(MINUTE), ROOM_IDLE_MS: '0' } })
  servers.push(server)
  return { server, ...(await storedBoards(server, people, stored)) }
}

it('a colleague’s small boards load while another person reopens a heavy board each time it unloads; the heavy person is refused 429 until their share refills', async () => {
  const { server, tokens, boards } = await serverWith([[HEAVY], [], [], []], 2)
  const [heavy, ...small] = boards as [string, ...string[]]
  const [mallory, carol] = tokens as [string, string]
  const open = (token: string, boardId: string) => refusedUpgrade(`${server.wsUrl}/${boardId}?token=${token}`)

  expect((await open(mallory, heavy)).status).toBe(101)
  for (const boardId of small) {
    await waitFor(() => !server.services.rooms.loadedRooms.has(heavy), 'the heavy board to unload')
    expect(await open(mallory, heavy)).toEqual({ status: UPGRADE_REFUSED.loadingTooMuch.status, retryAfter: '5' })
    expect(server.services.rooms.loadedRooms.has(heavy)).toBe(false)
    // The instance's minute is below empty by what Mallory's load cost: Carol's board loads all the same.
    expect((await open(carol, boardId)).status).toBe(101)
  }
})

it('the rest of the instance’s minute is the others’: a second person’s heavy board loads while the first is refused, and past the floor a third is refused', async () => {
  const { server, tokens, boards } = await serverWith([[HEAVY], [HEAVY], [HEAVY]], 3)
  const open = (person: number, board: number) => refusedUpgrade(`${server.wsUrl}/${boards[board]}?token=${tokens[person]}`)

  expect((await open(0, 0)).status).toBe(101)
  expect((await open(0, 1)).status).toBe(UPGRADE_REFUSED.loadingTooMuch.status)
  expect((await open(1, 1)).status).toBe(101)
  // Two heavy boards took the instance more than half its minute below empty: nobody's board nobody holds loads now.
  expect((await open(2, 2)).status).toBe(UPGRADE_REFUSED.loadingTooMuch.status)
  expect(server.services.rooms.loadedRooms.has(boards[2]!)).toBe(false)
})
