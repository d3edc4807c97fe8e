/**
 * A board of an owner and two editors, Mallory and Trudy, for the tests of
 * two accounts writing one client id to two instances, and their raw sockets
 * and claims in Redis, removed after each test.
 */
import { afterAll, afterEach } from 'vitest'
import { addAccount, addMember, addToken } from './accounts.ts'
import { apiClient } from './api.ts'
import { claimKeys } from './claim-keys.ts'
import type { RawSocket } from './raw-socket.ts'
import type { TestServer } from './test-server.ts'

/** The racers' sockets, which the test adds to, and the claims it reads (claimKeys): closed and removed after each test. */
export function racersAfterEach(): { sockets: RawSocket[]; keys: ReturnType<typeof claimKeys> } {
  const sockets: RawSocket[] = []
  const keys = claimKeys()
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate()
    await keys.removeAll()
  })
  afterAll(() => keys.close())
  return { sockets, keys }
}

export async function boardOfRacingEditors(server: TestServer, title: string): Promise<{ boardId: string; ownerToken: string; leftToken: string; rightToken: string }> {
  const [owner, left, right] = [await addAccount(server, { name: 'Owner' }), await addAccount(server, { name: 'Mallory' }), await addAccount(server, { name: 'Trudy' })]
  const ownerToken = (await addToken(server, owner)).token
  const boardId = await apiClient(server.url, { authorization: `Bearer ${ownerToken}` }).createBoard(title)
  await addMember(server, boardId, left, 'editor')
  await addMember(server, boardId, right, 'editor')
  const [leftToken, rightToken] = [(await addToken(server, left)).token, (await addToken(server, right)).token]
  return { boardId, ownerToken, leftToken, rightToken }
}
