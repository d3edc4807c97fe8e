/**
 * CSRF protection. A browser sends the session cookie with requests that other
 * sites trigger, so a cookie-authenticated change must come from a page of
 * this server: its Origin (or Referer) must name this server. A request that
 * authenticates with an `Authorization` header is exempt: another site cannot
 * make a browser send one. A request with a foreign Origin is refused even
 * without a cookie, so no other site can sign a browser in to an account of
 * its choosing.
 */
import type { MiddlewareHandler } from 'hono'
import { isSameOrigin, requestOrigin, usesSessionCookie } from '../auth/same-origin.ts'
import type { AppEnv } from './app-env.ts'
import { ApiError } from './errors.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function sameOriginGuard(): MiddlewareHandler<AppEnv> {
  return async function requireSameOrigin(c, next) {
    const request = c.req.raw
    if (SAFE_METHODS.has(request.method) || request.headers.has('authorization')) return next()
    const crossSite =
      requestOrigin(request) !== null ? !isSameOrigin(request, c.var.services.config.PUBLIC_URL) : usesSessionCookie(request)
    if (crossSite) {
      throw new ApiError(403, 'cross_site', 'Refused: this change did not come from a page of this server (Origin or Referer missing or foreign).')
    }
    return next()
  }
}
