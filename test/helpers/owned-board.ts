/**
 * The setup of tests that drive one board over the API and the relay as
 * signed-in people: for each test a fresh server with accounts, an owner who
 * calls the API with a token, and a board of theirs; after it, every provider
 * the test connected, then the server, are closed.
 */
import { afterEach, beforeEach } from 'vitest'
import { addAccount, addToken, type TestAccount } from './accounts.ts'
import { apiClient, type ApiClient } from './api.ts'
import { startTestServer, type TestServer } from './test-server.ts'
import { connectClient, type TestClient } from './yjs-client.ts'

export type OwnedBoard = {
  readonly server: TestServer
  readonly owner: TestAccount
  /** The owner's API client, sending a token of theirs. */
  readonly api: ApiClient
  readonly boardId: string
  /** A provider on the board signed in with a fresh token of the account, synced; closed after the test. */
  connectAs(account: TestAccount): Promise<TestClient>
}

/** Read the fields inside a test (or a hook after this one's): each test gets new ones. */
export function useOwnedBoard(names: { owner: string; board: string }): OwnedBoard {
  let current: { server: TestServer; owner: TestAccount; api: ApiClient; boardId: string } | undefined
  const clients: TestClient[] = []

  beforeEach(async () => {
    const server = await startTestServer({ accounts: true })
    const owner = await addAccount(server, { name: names.owner })
    const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
    current = { server, owner, api, boardId: await api.createBoard(names.board) }
  })

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await current?.server.destroy()
    current = undefined
  })

  const ready = () => {
    if (!current) throw new Error('useOwnedBoard: read the server and board inside a test, once beforeEach has run')
    return current
  }
  return {
    get server() {
      return ready().server
    },
    get owner() {
      return ready().owner
    },
    get api() {
      return ready().api
    },
    get boardId() {
      return ready().boardId
    },
    async connectAs(account) {
      const { server, boardId } = ready()
      const client = connectClient(server.wsUrl, boardId, { token: (await addToken(server, account)).token })
      clients.push(client)
      await client.synced()
      return client
    },
  }
}
