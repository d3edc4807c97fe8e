/**
 * Who is using the app: the signed-in person, or the sign-in / first-admin
 * set-up the server asks for. A server without accounts (the open access of
 * tests and of a local install before accounts exist) answers /api/auth with
 * 404; everyone is then one local analyst.
 */
import { ApiProblem, api, handleUnauthorized } from './api.ts'
import { forgetOfflineCopies } from './offline-copies.ts'

export type Me = { id: string; email: string; name: string; isAdmin: boolean }

type AuthStatus = { setupNeeded: boolean; user: Me | null }

export type SessionState = 'loading' | 'setup-needed' | 'signed-out' | 'signed-in' | 'unreachable'

/** The name a person goes by on a server without accounts (set by the person, or a test). */
const OPEN_NAME_KEY = 'assay.name'

export class Session {
  state = $state<SessionState>('loading')
  me = $state.raw<Me | null>(null)
  /** True on a server without accounts: nothing to sign in or out of. */
  open = $state(false)
  error = $state<string | null>(null)

  constructor(onExpired: () => void) {
    handleUnauthorized(() => {
      if (this.state !== 'signed-in') return
      this.me = null
      this.state = 'signed-out'
      onExpired()
    })
  }

  async load(): Promise<void> {
    try {
      const status = await api<AuthStatus>('GET', '/api/auth/status')
      this.open = false
      this.#apply(status.user, status.setupNeeded)
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 404) {
        this.open = true
        this.#apply({ id: 'local', email: '', name: localStorage.getItem(OPEN_NAME_KEY) || 'Analyst', isAdmin: false }, false)
      } else {
        this.error = error instanceof Error ? error.message : String(error)
        this.state = 'unreachable'
      }
    }
  }

  async signIn(email: string, password: string): Promise<void> {
    this.#apply(await api<Me>('POST', '/api/auth/login', { email, password }), false)
  }

  async setUp(input: { email: string; name: string; password: string }): Promise<void> {
    this.#apply(await api<Me>('POST', '/api/auth/setup', input), false)
  }

  async signOut(): Promise<void> {
    await api('POST', '/api/auth/logout')
    await forgetOfflineCopies()
    this.me = null
    this.state = 'signed-out'
  }

  #apply(user: Me | null, setupNeeded: boolean): void {
    this.error = null
    this.me = user
    this.state = setupNeeded ? 'setup-needed' : user ? 'signed-in' : 'signed-out'
  }
}
