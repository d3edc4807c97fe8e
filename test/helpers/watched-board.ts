/**
 * The setup of tests that follow a person's sessions, tokens and sockets while
 * watching for leaked secrets: for each test a fresh server with accounts
 * whose every response and log line the watch collects, a person signed in
 * with a session, and a board of theirs. After it, every provider the test
 * opened and the server are closed, and the watch must have seen no secret.
 */
import { afterEach, beforeEach } from 'vitest'
import { addAccount, addToken, SecretWatch, sessionHeaders, signIn, type TestAccount } from './accounts.ts'
import { apiClient, type ApiClient } from './api.ts'
import { startTestServer, type TestServer } from './test-server.ts'
import { connectClient, type TestClient } from './yjs-client.ts'

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

/** Read the fields inside a test (or a hook after this one's): each test gets new ones. */
export function useWatchedBoard(names: { person: string; board: string }): WatchedBoard {
  let current: { watch: SecretWatch; server: TestServer; person: TestAccount; boardId: string } | undefined
  const clients: TestClient[] = []

  beforeEach(async () => {
    const watch = new SecretWatch()
    const server = await startTestServer({ accounts: true, logSink: watch.logSink })
    const person = await addAccount(server, { name: names.person })
    await watch.account(server, person)
    const session = apiClient(server.url, sessionHeaders(server, await signIn(server, person, watch)), watch.observe)
    current = { watch, server, person, boardId: await session.createBoard(names.board) }
  })

  afterEach(async () => {
    const finished = current
    current = undefined
    for (const client of clients.splice(0)) client.destroy()
    await finished?.server.destroy()
    finished?.watch.expectClean()
  })

  const ready = () => {
    if (!current) throw new Error('useWatchedBoard: read the server and board inside a test, once beforeEach has run')
    return current
  }
  const asSession = (cookie: string) => {
    const { server, watch } = ready()
    return apiClient(server.url, sessionHeaders(server, cookie), watch.observe)
  }
  return {
    get watch() {
      return ready().watch
    },
    get server() {
      return ready().server
    },
    get person() {
      return ready().person
    },
    get boardId() {
      return ready().boardId
    },
    asSession,
    async token(account) {
      const { server, watch } = ready()
      const { token } = await addToken(server, account)
      watch.secret(token)
      return token
    },
    async open(credential) {
      const { server, boardId } = ready()
      const client =
        'cookie' in credential
          ? connectClient(server.wsUrl, boardId, {}, sessionHeaders(server, credential.cookie))
          : connectClient(server.wsUrl, boardId, { token: credential.token })
      clients.push(client)
      const closes: number[] = []
      client.provider.on('connection-close', (event) => closes.push(event?.code ?? 0))
      await client.synced()
      return { client, closes }
    },
  }
}
