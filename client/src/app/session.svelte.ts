/**
 * Who is using the app: the signed-in person, or the sign-in / first-admin
 * set-up the server asks for.
 */
import { api, ApiProblem, handleUnauthorized } from './api.ts'
import { forgetCopiesOf, forgetSavedCopies } from './offline-copies.ts'
import { errorMessage } from '../../../shared/error-message.ts'

export type Me = { id: string; email: string; name: string; isAdmin: boolean }

type AuthStatus = { setupNeeded: boolean; user: Me | null }

/** Who was last signed in in this browser, for opening its offline copies with the server out of reach. */
const ME_KEY = 'assay.me'
/**
 * Set when signing out could not reach the server, or the server refused it
 * (its storage full or down): the session there (and its cookie here) may
 * still be open, and is ended the next time this page loads and the server
 * takes it; until then the page does not come up signed in with it.
 */
const SIGN_OUT_PENDING_KEY = 'assay.sign-out-pending'

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

export type SessionEvents = {
  /** The session ended other than by signing out here (expired, ended elsewhere): the person is sent to sign in. */
  onExpired: () => void
  /** The person signed out here: the page goes to a plain sign-in, leading the next person nowhere in particular. */
  onSignedOut: () => void
}

export class Session {
  state = $state<SessionState>('loading')
  me = $state.raw<Me | null>(null)
  error = $state<string | null>(null)

  readonly #events: SessionEvents

  constructor(events: SessionEvents) {
    this.#events = events
    handleUnauthorized(() => {
      if (this.state !== 'signed-in') return
      this.#noOneSignedIn()
      this.#events.onExpired()
    })
  }

  async load(): Promise<void> {
    const signOutPending = await this.#endPendingSignOut()
    try {
      const status = await api<AuthStatus>('GET', '/api/auth/status')
      // Signed out here, but the server has not ended the session yet: the next person does not find it signed in.
      this.#apply(signOutPending ? null : status.user, status.setupNeeded)
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
    // The new session's cookie replaced the one a failed sign-out left.
    localStorage.removeItem(SIGN_OUT_PENDING_KEY)
  }

  async setUp(input: { email: string; name: string; password: string }): Promise<void> {
    this.#apply(await api<Me>('POST', '/api/auth/setup', input), false)
  }

  /**
   * Ends the session on the server and clears this browser's side: the
   * person's offline copies and list of boards (the page asks first when some
   * hold unsaved changes). The browser's side is cleared even when the server
   * cannot be reached, so that the machine keeps nothing for the next person;
   * the server's session is then ended at the next page load. Returns why
   * the server did not confirm the end of its session, or null if it did.
   */
  async signOut(): Promise<string | null> {
    // Read first: the server closing this session's sockets meanwhile makes an open board ask again, whose 401 clears `me`.
    const me = this.me
    let serverProblem: string | null = null
    try {
      await api('POST', '/api/auth/logout')
    } catch (error) {
      // A 401 says the session had already ended: nothing left open on the server.
      if (!(error instanceof ApiProblem && error.status === 401)) {
        localStorage.setItem(SIGN_OUT_PENDING_KEY, 'true')
        serverProblem = errorMessage(error)
      }
    }
    if (me) await forgetCopiesOf(me.id)
    localStorage.removeItem(ME_KEY)
    this.#events.onSignedOut()
    this.me = null
    this.state = 'signed-out'
    return serverProblem
  }

  /** Ends the session a sign-out here left open; true while it is still not ended. */
  async #endPendingSignOut(): Promise<boolean> {
    if (localStorage.getItem(SIGN_OUT_PENDING_KEY) === null) return false
    try {
      await api('POST', '/api/auth/logout')
    } catch (error) {
      // Still out of reach, or refused for now (the server's storage full or down): tried again at the next load. Any
      // other answer means the session is over or was never there.
      if (error instanceof ApiProblem && (error.offline || error.status >= 500)) return true
    }
    localStorage.removeItem(SIGN_OUT_PENDING_KEY)
    return false
  }

  #apply(user: Me | null, setupNeeded: boolean): void {
    this.error = null
    if (!user) {
      this.#noOneSignedIn()
      if (setupNeeded) this.state = 'setup-needed'
      return
    }
    this.me = user
    localStorage.setItem(ME_KEY, JSON.stringify(user))
    this.state = setupNeeded ? 'setup-needed' : 'signed-in'
  }

  /**
   * No session any more, however it ended (expired, ended elsewhere, the page
   * opened after it ended): nothing of anyone's stays that the server holds;
   * copies holding unsaved changes stay for their owner, hidden from others.
   */
  #noOneSignedIn(): void {
    localStorage.removeItem(ME_KEY)
    forgetSavedCopies().catch((error: unknown) => console.error('The offline copies could not be deleted from this browser', error))
    this.me = null
    this.state = 'signed-out'
  }
}
