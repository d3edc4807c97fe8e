/**
 * Accounts for tests of access control: people, their sessions and tokens,
 * their memberships, and a watch that collects every response and log line so
 * a test can check that no secret ever appears in them.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import WebSocket from 'ws'
import { expect } from 'vitest'
import type { Role } from '../../shared/roles.ts'
import { createAccount, issueApiToken } from '../../server/auth/accounts.ts'
import { hashSecret } from '../../server/auth/secret-token.ts'
import { SESSION_COOKIE } from '../../server/auth/session-cookie.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { apiClient, type ApiClient, type ObservedResponse } from './api.ts'
import type { TestServer } from './test-server.ts'

/** A running server, or an app answering `app.request` (test-app.ts): the accounts go straight into its storage. */
type WithServices = Pick<TestServer, 'services'>

export type TestAccount = { id: string; email: string; name: string; password: string; isAdmin: boolean }

let counter = 0

/** Adds an account straight to the server's storage (the way `assay user add` does). */
export async function addAccount(server: WithServices, options: { name?: string; email?: string; password?: string; isAdmin?: boolean } = {}): Promise<TestAccount> {
  counter++
  const name = options.name ?? `Person ${counter}`
  const email = options.email ?? `person${counter}-${crypto.randomUUID().slice(0, 8)}@example.org`
  const password = options.password ?? `pw-${crypto.randomUUID()}`
  const user = await createAccount(server.services, { email, name, password, isAdmin: options.isAdmin ?? false })
  if (!user) throw new Error(`account ${email} exists already`)
  return { id: user.id, email: user.email, name, password, isAdmin: user.isAdmin }
}

/** An API token of the account, issued the way `POST /api/tokens` does. */
/**
 * Gives the account another display name in the server's own database: the
 * server offers no way to rename anyone, so an operator does it there.
 */
export async function renameAccount(server: Pick<TestServer, 'config' | 'dataDir'>, userId: string, name: string): Promise<void> {
  if (server.config.DATABASE_URL) {
    const sql = postgres(server.config.DATABASE_URL, { max: 1, onnotice: () => {} })
    try {
      await sql`update users set name = ${name} where id = ${userId}`
    } finally {
      await sql.end({ timeout: 1 })
    }
    return
  }
  const db = new Database(join(server.dataDir, SQLITE_FILE_NAME))
  try {
    db.prepare('update users set name = ? where id = ?').run(name, userId)
  } finally {
    db.close()
  }
}

export async function addToken(server: WithServices, account: TestAccount, name = 'test'): Promise<{ id: string; token: string }> {
  const { record, token } = await issueApiToken(server.services, account.id, name)
  return { id: record.id, token }
}

export async function addMember(server: WithServices, boardId: string, account: Pick<TestAccount, 'id'>, role: Role): Promise<void> {
  await server.services.storage.members.add({ boardId, userId: account.id, role, addedAt: new Date().toISOString() })
}

/** Headers of a request from a page of the server itself, signed in with `cookie`. */
export function sessionHeaders(server: TestServer, cookie: string): Record<string, string> {
  return { cookie, origin: server.url }
}

/** Signs in through the API; returns the cookie to send (`assay_session=…`). */
export async function signIn(server: TestServer, account: TestAccount, watch?: SecretWatch): Promise<string> {
  const response = await apiClient(server.url, { origin: server.url }, watch?.observe).post('/api/auth/login', { email: account.email, password: account.password })
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`)
  const cookie = sessionCookieFrom(response.headers)
  if (!cookie) throw new Error('sign-in set no session cookie')
  watch?.secret(cookie.slice(SESSION_COOKIE.length + 1))
  return cookie
}

/** An API client signed in as `account`, as the browser is: what grants access needs a session, not a token. */
export async function signedInClient(server: TestServer, account: TestAccount): Promise<ApiClient> {
  return apiClient(server.url, sessionHeaders(server, await signIn(server, account)))
}

export function sessionCookieFrom(headers: Headers): string | null {
  for (const line of headers.getSetCookie()) {
    const [pair] = line.split(';')
    if (pair?.startsWith(`${SESSION_COOKIE}=`) && pair.length > SESSION_COOKIE.length + 1) return pair
  }
  return null
}

/** The HTTP status of a websocket upgrade: 101 when accepted (the socket is closed at once), else the refusal. */
export async function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const socket = new WebSocket(url, { headers })
  socket.on('error', () => {})
  return new Promise<number>((resolve) => {
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0)
      socket.terminate()
    })
    socket.once('open', () => {
      resolve(101)
      socket.close()
    })
  })
}

/**
 * Collects what the server said (responses, log lines) and the secrets that
 * must never be in it: passwords, tokens, session cookies, and their stored hashes.
 */
export class SecretWatch {
  readonly responses: ObservedResponse[] = []
  readonly logLines: string[] = []
  private readonly secrets = new Set<string>()

  readonly observe = (response: ObservedResponse): void => {
    this.responses.push(response)
  }

  readonly logSink = (line: string): void => {
    this.logLines.push(line)
  }

  /** A secret and its SHA-256 (as the database keeps tokens and session ids). */
  secret(value: string): void {
    this.secrets.add(value)
    this.secrets.add(hashSecret(value))
  }

  /** An account's password, and its stored argon2 hash. */
  async account(server: TestServer, account: TestAccount): Promise<void> {
    this.secrets.add(account.password)
    const stored = await server.services.storage.users.get(account.id)
    if (stored) this.secrets.add(stored.passwordHash)
  }

  /**
   * Fails if any response or log line holds a secret. A response that hands
   * a new token out (token creation, an invite link) is where the token must
   * be, and the session cookie is where the session id must be: those are left
   * out, and are checked to carry only what they were made for elsewhere.
   */
  expectClean(): void {
    expect(this.responses.length + this.logLines.length).toBeGreaterThan(0)
    const said = [
      ...this.responses.filter((r) => !handsOutSecret(r)).map((r) => `${r.status} ${headerText(r.headers)}\n${r.text}`),
      ...this.logLines,
    ]
    const leaks: string[] = []
    for (const text of said) {
      if (text.includes('$argon2')) leaks.push(`a password hash in: ${text.slice(0, 200)}`)
      for (const secret of this.secrets) if (text.includes(secret)) leaks.push(`a secret in: ${text.slice(0, 200)}`)
    }
    expect(leaks).toEqual([])
  }
}

function handsOutSecret(response: ObservedResponse): boolean {
  return response.method === 'POST' && response.status === 201 && /^\/api\/(tokens|boards\/[^/]+\/invites)$/.test(response.path)
}

function headerText(headers: Headers): string {
  return [...headers.entries()]
    .filter(([name]) => name !== 'set-cookie')
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')
}
