/**
 * A board with real accounts around it: its owner, an editor (the analyst), a
 * reviewer and an outsider, each with an API token, and clients that call the
 * API or join the board's websocket as them.
 */
import type { Role } from '../../shared/roles.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { perTest } from '../helpers/per-test.ts'
import { startTestServer, type Dialect, type TestServer } from '../helpers/test-server.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

/** The API as one person: JSON in and out, with their token. */
export type Caller = ApiClient & { account: TestAccount; token: string }

export type Team = {
  server: TestServer
  /** The team's board: the owner's, the editor and reviewer its members. */
  boardId: string
  owner: Caller
  editor: Caller
  reviewer: Caller
  outsider: Caller
  /** Calls with no credential at all. */
  anonymous: Omit<Caller, 'account' | 'token'>
  /** A websocket client of the board as this person; destroyed by `disconnect`, `restart` and `close`. */
  connect(caller: Caller, boardId?: string): TestClient
  /** Destroys the clients `connect` made. */
  disconnect(): void
  /** Makes a new board of the same people the team's board. */
  newBoard(): Promise<void>
  /** The same people on a server started anew on the same database. */
  restart(): Promise<void>
  close(): Promise<void>
}

/** Follows the team's server across restarts, which start it on another port. */
export function callerOf(server: () => TestServer, headers: Record<string, string>): ApiClient {
  return apiClient(() => server().url, headers)
}

export async function startTeam(dialect: Dialect, env: Record<string, string> = {}): Promise<Team> {
  let server = await startTestServer({ dialect, accounts: true, env: { SNAPSHOT_INTERVAL_MINUTES: '0', ...env } })
  const clients: TestClient[] = []
  const person = async (name: string): Promise<Caller> => {
    const account = await addAccount(server, { name })
    const { token } = await addToken(server, account)
    return { account, token, ...callerOf(() => server, { authorization: `Bearer ${token}` }) }
  }
  const owner = await person('Olivia Owner')
  const editor = await person('Edgar Editor')
  const reviewer = await person('Rita Reviewer')
  const outsider = await person('Oscar Outsider')
  const members: [Caller, Role][] = [
    [editor, 'editor'],
    [reviewer, 'reviewer'],
  ]
  const newBoard = async () => {
    const created = await owner.post<{ id: string }>('/api/boards', { title: 'Wagner redeployment' })
    if (created.status !== 201) throw new Error(`board create failed: ${created.status} ${JSON.stringify(created.body)}`)
    for (const [caller, role] of members) await addMember(server, created.body.id, caller.account, role)
    return created.body.id
  }
  let boardId = await newBoard()
  const disconnect = () => {
    for (const client of clients.splice(0)) client.destroy()
  }
  return {
    get server() {
      return server
    },
    get boardId() {
      return boardId
    },
    owner,
    editor,
    reviewer,
    outsider,
    anonymous: callerOf(() => server, {}),
    connect(caller, board = boardId) {
      const client = connectClient(server.wsUrl, board, {}, { authorization: `Bearer ${caller.token}` })
      clients.push(client)
      return client
    },
    disconnect,
    async newBoard() {
      boardId = await newBoard()
    },
    async restart() {
      disconnect()
      server = await server.restart()
    },
    async close() {
      disconnect()
      await server.destroy()
    },
  }
}

/** A new team for each test of the suite, closed after it (see perTest). */
export function useTeam(dialect: Dialect, env: Record<string, string> = {}): Team {
  return perTest(() => startTeam(dialect, env), (team) => team.close())
}

/**
 * One team for the whole suite, with a new board for each test and its clients
 * destroyed after it: for suites whose tests touch nothing but their own board
 * (starting a server, its people and its worker threads is most of a short
 * test's time).
 */
export function useSuiteTeam(dialect: Dialect, env: Record<string, string> = {}): Team {
  let current: Team | undefined
  beforeAll(async () => {
    current = await startTeam(dialect, env)
  })
  afterAll(async () => {
    await current?.close()
  })
  beforeEach(async () => {
    await current?.newBoard()
  })
  afterEach(() => current?.disconnect())
  return new Proxy({} as Team, {
    get(_handle, key) {
      if (!current) throw new Error(`read the team's ${String(key)} inside a test, once beforeAll has run`)
      return Reflect.get(current, key)
    },
  })
}
