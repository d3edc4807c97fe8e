/**
 * Who is using the app: the signed-in person, or the sign-in / first-admin
 * set-up the server asks for.
 */
import { api, handleUnauthorized } from './api.ts'
import { forgetOfflineCopies } from './offline-copies.ts'

export type Me = { id: string; email: string; name: string; isAdmin: boolean }

type AuthStatus = { setupNeeded: boolean; user: Me | null }

export type SessionState = 'loading' | 'setup-needed' | 'signed-out' | 'signed-in' | 'unreachable'

export class Session {
  state = $state<SessionState>('loading')
  me = $state.raw<Me | null>(null)
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
      this.#apply(status.user, status.setupNeeded)
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error)
      this.state = 'unreachable'
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
