/**
 * Who is using the app: the signed-in person, or the sign-in / first-admin
 * set-up the server asks for.
 */
import { api, ApiProblem, handleUnauthorized } from './api.ts'
import { forgetOfflineCopies } from './offline-copies.ts'
import { errorMessage } from '../../../shared/error-message.ts'

export type Me = { id: string; email: string; name: string; isAdmin: boolean }

type AuthStatus = { setupNeeded: boolean; user: Me | null }

/** Who was last signed in in this browser, for opening its offline copies with the server out of reach. */
const ME_KEY = 'assay.me'

function rememberedMe(): Me | null {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(ME_KEY) ?? 'null')
    if (typeof parsed !== 'object' || parsed === null) return null
    const { id, email, name, isAdmin } = parsed as Record<string, unknown>
    return typeof id === 'string' && typeof email === 'string' && typeof name === 'string' ? { id, email, name, isAdmin: isAdmin === true } : null
  } catch {
    return null
  }
}

export type SessionState = 'loading' | 'setup-needed' | 'signed-out' | 'signed-in' | 'unreachable'

export class Session {
  state = $state<SessionState>('loading')
  me = $state.raw<Me | null>(null)
  error = $state<string | null>(null)

  constructor(onExpired: () => void) {
    handleUnauthorized(() => {
      if (this.state !== 'signed-in') return
      localStorage.removeItem(ME_KEY)
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
      // Out of reach (offline, server down): whoever was signed in here goes on with the boards kept in this browser.
      const remembered = error instanceof ApiProblem && error.offline ? rememberedMe() : null
      if (remembered) {
        this.me = remembered
        this.state = 'signed-in'
        return
      }
      this.error = errorMessage(error)
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
    localStorage.removeItem(ME_KEY)
    this.me = null
    this.state = 'signed-out'
  }

  #apply(user: Me | null, setupNeeded: boolean): void {
    this.error = null
    this.me = user
    if (user) localStorage.setItem(ME_KEY, JSON.stringify(user))
    else localStorage.removeItem(ME_KEY)
    this.state = setupNeeded ? 'setup-needed' : user ? 'signed-in' : 'signed-out'
  }
}
