/**
 * The setup of tests that follow a person's sessions, tokens and sockets while
 * watching for leaked secrets: for each test a fresh server with accounts
 * whose every response and log line the watch collects, a person signed in
 * with a session, and a board of theirs. After it, every provider the test
 * opened and the server are closed, and the watch must have seen no secret.
 */
import { addAccount, addToken, SecretWatch, sessionHeaders, signIn, type TestAccount } from './accounts.ts'
import { apiClient, type ApiClient } from './api.ts'
import { perTest } from './per-test.ts'
import { startTestServer, type TestServer } from './test-server.ts'
import { closeCodes, connectClient, type TestClient } from './yjs-client.ts'

/** A provider on the board, and the close codes it has received. */
export type WatchedSocket = { client: TestClient; closes: number[] }

export type WatchedBoard = {
  readonly watch: SecretWatch
  readonly server: TestServer
  /** The person who owns the board. */
  readonly person: TestAccount
  readonly boardId: string
  /** A client sending the session cookie from a page of the server, its exchanges watched. */
  asSession(cookie: string): ApiClient
  /** A fresh API token of the account, known to the watch as a secret. */
  token(account: TestAccount): Promise<string>
  /** A real provider on the board, opened with a session cookie or an API token and synced; closed after the test. */
  open(credential: { cookie: string } | { token: string }): Promise<WatchedSocket>
}

/** A new watched server, person and board for each test of the suite (see perTest). */
export function useWatchedBoard(names: { person: string; board: string }): WatchedBoard {
  return perTest(() => openWatchedBoard(names), (board) => board.close())
}

async function openWatchedBoard(names: { person: string; board: string }): Promise<WatchedBoard & { close(): Promise<void> }> {
  const watch = new SecretWatch()
  const server = await startTestServer({ accounts: true, logSink: watch.logSink })
  const person = await addAccount(server, { name: names.person })
  await watch.account(server, person)
  const asSession = (cookie: string) => apiClient(server.url, sessionHeaders(server, cookie), watch.observe)
  const boardId = await asSession(await signIn(server, person, watch)).createBoard(names.board)
  const clients: TestClient[] = []
  return {
    watch,
    server,
    person,
    boardId,
    asSession,
    async token(account) {
      const { token } = await addToken(server, account)
      watch.secret(token)
      return token
    },
    async open(credential) {
      const client =
        'cookie' in credential
          ? connectClient(server.wsUrl, boardId, {}, sessionHeaders(server, credential.cookie))
          : connectClient(server.wsUrl, boardId, { token: credential.token })
      clients.push(client)
      const closes = closeCodes(client)
      await client.synced()
      return { client, closes }
    },
    async close() {
      for (const client of clients.splice(0)) client.destroy()
      await server.destroy()
      watch.expectClean()
    },
  }
}
