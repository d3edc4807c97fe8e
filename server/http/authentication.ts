/**
 * Who the caller of a signed-in route is, decided when the request's headers
 * arrive and again once its body is in. A body may take as long as the request
 * timeout to arrive (HTTP_REQUEST_TIMEOUT_MS): a leaked session's
 * `POST /api/tokens`, its body held back while the admin reset the password,
 * made a token that worked afterwards, and an admin demoted meanwhile made
 * themselves an admin again. Every route reads the caller as decided after its
 * body, whatever it changes.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { Principal } from '../access/access.ts'
import type { SignedInEnv } from './app-env.ts'
import { unauthorized } from './errors.ts'

/** The request's caller decided now from its credential, kept as `c.var.principal`; 401 once signed out, revoked or deactivated. */
export async function callerNow<E extends SignedInEnv>(c: Context<E>): Promise<Principal> {
  const principal = await c.var.services.access.principal(c.req.raw)
  if (!principal) throw unauthorized()
  c.set('principal', principal)
  return principal
}

/** Node's adapter passes no body on with these (TRACE is sent on as a GET). */
const BODILESS_METHODS = new Set(['GET', 'HEAD', 'TRACE'])

/**
 * Waits for the whole body, then decides the caller again. After the body
 * limits, which read a JSON body or a multipart form whole: a body of any
 * other type is read here (within the size limit), so that no route ever
 * starts before its body is in. A GET's body is never read (Node's server
 * passes none on), so its route answers as the headers arrive.
 */
export function authenticateOnceBodyIsIn(): MiddlewareHandler<SignedInEnv> {
  return async function authenticateAgain(c, next) {
    if (!BODILESS_METHODS.has(c.req.method)) {
      // Read once: the routes' parse takes the same bytes from the request's cache.
      if (Object.keys(c.req.bodyCache).length === 0) await c.req.arrayBuffer()
      await callerNow(c)
    }
    await next()
  }
}
