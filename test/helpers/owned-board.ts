/**
 * The setup of tests that drive one board over the API and the relay as
 * signed-in people: for each test a fresh server with accounts, an owner who
 * calls the API with a token, and a board of theirs; after it, every provider
 * the test connected, then the server, are closed.
 */
import type { Dialect } from '../../server/storage/storage.ts'
import { addAccount, addMember, addToken, type TestAccount } from './accounts.ts'
import { apiClient, type ApiClient } from './api.ts'
import { perTest } from './per-test.ts'
import { startTestServer, type TestServer } from './test-server.ts'
import { closeCodes, connectClient, type TestClient } from './yjs-client.ts'

export type OwnedBoard = {
  readonly server: TestServer
  readonly owner: TestAccount
  /** The owner's API client, sending a token of theirs. */
  readonly api: ApiClient
  readonly boardId: string
  /** A provider on the board signed in with a fresh token of the account, synced; closed after the test. */
  connectAs(account: TestAccount): Promise<TestClient>
  /** A new account of that name made an editor of the board and connected (as connectAs), with the close codes its provider reports from then on. */
  connectEditor(name: string): Promise<{ client: TestClient; closes: number[] }>
}

/** The names of the owner and board, settings of the server other than the test defaults, and its database (SQLite by default). */
type OwnedBoardOptions = { owner: string; board: string; env?: Record<string, string>; dialect?: Dialect }

/** A new server, owner and board for each test of the suite (see perTest). */
export function useOwnedBoard(names: OwnedBoardOptions): OwnedBoard {
  return perTest(() => openOwnedBoard(names), (board) => board.close())
}

async function openOwnedBoard(names: OwnedBoardOptions): Promise<OwnedBoard & { close(): Promise<void> }> {
  const server = await startTestServer({ accounts: true, env: names.env, dialect: names.dialect })
  const owner = await addAccount(server, { name: names.owner })
  const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  const boardId = await api.createBoard(names.board)
  const clients: TestClient[] = []
  const connectAs = async (account: TestAccount) => {
    const client = connectClient(server.wsUrl, boardId, { token: (await addToken(server, account)).token })
    clients.push(client)
    await client.synced()
    return client
  }
  return {
    server,
    owner,
    api,
    boardId,
    connectAs,
    async connectEditor(name) {
      const account = await addAccount(server, { name })
      await addMember(server, boardId, account, 'editor')
      const client = await connectAs(account)
      return { client, closes: closeCodes(client) }
    },
    async close() {
      for (const client of clients.splice(0)) client.destroy()
      await server.destroy()
    },
  }
}

/** The board's export in `format`, asked for with a fresh token of the owner; anything but `200` fails the test. */
export async function ownerExport(board: OwnedBoard, format: string): Promise<Buffer> {
  const authorization = `Bearer ${(await addToken(board.server, board.owner)).token}`
  const response = await fetch(`${board.server.url}/api/boards/${board.boardId}/export?format=${format}`, { headers: { authorization } })
  if (response.status !== 200) throw new Error(`export ${format}: ${response.status} ${await response.text()}`)
  return Buffer.from(await response.arrayBuffer())
}
