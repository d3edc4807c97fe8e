/**
 * The HTTP app without a server: real services on a real SQLite file in a
 * temporary folder, answering `app.request`. For tests of status codes and
 * validation that need no socket.
 */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll } from 'vitest'
import type { Role } from '../../shared/roles.ts'
import { loadConfig } from '../../server/config.ts'
import { createApp } from '../../server/http/app.ts'
import { createLogger } from '../../server/log.ts'
import { closeServices, createServices, type Services } from '../../server/services.ts'
import { addAccount, addMember, addToken, sessionCookieFrom, type TestAccount } from './accounts.ts'
import { apiClient, type ApiClient } from './api.ts'
import { tempDir } from './test-server.ts'

/** Requests go to this origin; it is the app's PUBLIC_URL, so a page of it passes the same-origin guard. */
const ORIGIN = 'http://assay.test'

/**
 * A board's id, and clients of people holding each role on it (and of a
 * stranger, who holds none): the owner's signed in, since granting access
 * needs a session; the others send API tokens.
 */
export type TestBoard = { id: string } & Record<Role | 'stranger', ApiClient>

export type TestApp = {
  services: Services
  /** Requests with no credential. */
  anonymous: ApiClient
  /** Requests with these headers (a credential of the test's making). */
  client(headers: Record<string, string>): ApiClient
  /** An account with an API token, and a client that sends it. */
  account(options?: { isAdmin?: boolean }): Promise<{ account: TestAccount; token: string; api: ApiClient }>
  /** A client signed in as the account with a session cookie, as the browser is. */
  signIn(account: TestAccount): Promise<ApiClient>
  /** A board owned by a fresh account, and clients of people holding each role on it (and of a stranger). */
  board(): Promise<TestBoard>
  close(): Promise<void>
}

export async function openTestApp(): Promise<TestApp> {
  const dataDir = tempDir()
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: ORIGIN })
  const services = await createServices(config, { logger: createLogger('silent') })
  const app = createApp(services)
  // With the Host header every HTTP client sends, which `app.request` leaves out: the API reads it (known-host.ts).
  const send = async (url: string, init: RequestInit) => {
    const headers = new Headers(init.headers)
    headers.set('host', new URL(url).host)
    return app.request(url, { ...init, headers })
  }
  const client = (headers: Record<string, string> = {}) => apiClient(ORIGIN, headers, undefined, send)
  const holder = { services }
  const account = async (options: { isAdmin?: boolean } = {}) => {
    const made = await addAccount(holder, options)
    const { token } = await addToken(holder, made)
    return { account: made, token, api: client({ authorization: `Bearer ${token}` }) }
  }
  const signIn = async (account: TestAccount) => {
    const response = await client({ origin: ORIGIN }).post('/api/auth/login', { email: account.email, password: account.password })
    const cookie = sessionCookieFrom(response.headers)
    if (response.status !== 200 || cookie === null) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`)
    return client({ cookie, origin: ORIGIN })
  }
  return {
    services,
    anonymous: client(),
    client,
    account,
    signIn,
    async board() {
      const owner = await account()
      const id = await owner.api.createBoard('Board under test')
      const withRole = async (role: Role) => {
        const person = await account()
        await addMember(holder, id, person.account, role)
        return person.api
      }
      return { id, owner: await signIn(owner.account), editor: await withRole('editor'), reviewer: await withRole('reviewer'), stranger: (await account()).api }
    },
    async close() {
      await closeServices(services)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Opens an app and a board before the file's tests and closes the app after them. */
export function useTestApp(): { readonly app: TestApp; readonly board: TestBoard } {
  let opened: { app: TestApp; board: TestBoard } | undefined
  beforeAll(async () => {
    const app = await openTestApp()
    opened = { app, board: await app.board() }
  })
  afterAll(() => opened?.app.close())
  const ready = () => {
    if (!opened) throw new Error('useTestApp: read app and board inside a test, once beforeAll has run')
    return opened
  }
  return {
    get app() {
      return ready().app
    },
    get board() {
      return ready().board
    },
  }
}
