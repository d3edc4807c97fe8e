/**
 * A board of an owner and two editors, Mallory and Trudy, for the tests of
 * two accounts writing one client id to two instances.
 */
import { addAccount, addMember, addToken } from './accounts.ts'
import { apiClient } from './api.ts'
import type { TestServer } from './test-server.ts'

export async function boardOfRacingEditors(server: TestServer, title: string): Promise<{ boardId: string; ownerToken: string; leftToken: string; rightToken: string }> {
  const [owner, left, right] = [await addAccount(server, { name: 'Owner' }), await addAccount(server, { name: 'Mallory' }), await addAccount(server, { name: 'Trudy' })]
  const ownerToken = (await addToken(server, owner)).token
  const boardId = await apiClient(server.url, { authorization: `Bearer ${ownerToken}` }).createBoard(title)
  await addMember(server, boardId, left, 'editor')
  await addMember(server, boardId, right, 'editor')
  const [leftToken, rightToken] = [(await addToken(server, left)).token, (await addToken(server, right)).token]
  return { boardId, ownerToken, leftToken, rightToken }
}
