/** An owner's board read by two reviewers, each signed in by an API token: whom the tests of costly reads set against each other. */
import { addAccount, addMember, addToken } from './accounts.ts'
import { apiClient, type ApiClient } from './api.ts'
import type { TestServer } from './test-server.ts'

export type ReviewTeam = { boardId: string; owner: ApiClient; ownerId: string; rita: ApiClient; rolf: ApiClient; rolfId: string }

export async function reviewTeam(server: TestServer, title: string): Promise<ReviewTeam> {
  const ownerAccount = await addAccount(server, { name: 'Olga Owner' })
  const owner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, ownerAccount)).token}` })
  const boardId = await owner.createBoard(title)
  const [ritaAccount, rolfAccount] = [await addAccount(server, { name: 'Rita Reviewer' }), await addAccount(server, { name: 'Rolf Reviewer' })]
  const [rita, rolf] = await Promise.all(
    [ritaAccount, rolfAccount].map(async (reviewer) => {
      await addMember(server, boardId, reviewer, 'reviewer')
      return apiClient(server.url, { authorization: `Bearer ${(await addToken(server, reviewer)).token}` })
    }),
  )
  return { boardId, owner, ownerId: ownerAccount.id, rita: rita!, rolf: rolf!, rolfId: rolfAccount.id }
}
