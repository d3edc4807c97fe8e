/**
 * CSRF and DNS-rebinding protection for every request authenticated by the
 * browser rather than by a header a script set. A browser sends the session
 * cookie with requests that other sites trigger: with SameSite=Lax, their
 * links, `<form method=GET>` and navigations, and from another port of this
 * host (the same site) even their images and fetches. So a cookie-authenticated
 * request of any method that the browser says came from another page is
 * refused: a GET too, since exports, checks and past versions cost their
 * person's allowances and write the audit log in their name. A change must
 * moreover come from a page of this server: its Origin (or Referer) must name
 * this server. A request that authenticates with an `Authorization` header is
 * exempt: another site cannot make a browser send one. A request with a
 * foreign Origin is refused even without a cookie, so no other site can sign a
 * browser in to an account of its choosing, and so is every request reaching
 * the server by a name that another site may have pointed at it (DNS
 * rebinding; known-host.ts), first-run setup and sign-in included.
 */
import type { MiddlewareHandler } from 'hono'
import { knownHost } from '../auth/known-host.ts'
import { isFromAnotherPage, isSameOrigin, requestOrigin, usesSessionCookie } from '../auth/same-origin.ts'
import type { AppEnv } from './app-env.ts'
import { ApiError } from './errors.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function sameOriginGuard(): MiddlewareHandler<AppEnv> {
  return async function requireSameOrigin(c, next) {
    const request = c.req.raw
    if (request.headers.has('authorization')) return next()
    const { PUBLIC_URL } = c.var.services.config
    if (knownHost(request, PUBLIC_URL) === null) {
      throw new ApiError(
        403,
        'unknown_host',
        'Refused: this server was reached by a name it does not know as its own, which another site may have pointed at it (DNS rebinding). Use its IP address or localhost, or set PUBLIC_URL to the address people reach it by.',
      )
    }
    const withCookie = usesSessionCookie(request)
    if (withCookie && isFromAnotherPage(request)) {
      throw new ApiError(
        403,
        'cross_site',
        'Refused: another site’s page sent this request with your session. Use Assay’s own pages, or type or paste the address into the address bar.',
      )
    }
    if (SAFE_METHODS.has(request.method)) return next()
    const crossSite = requestOrigin(request) !== null ? !isSameOrigin(request, PUBLIC_URL) : withCookie
    if (crossSite) {
      throw new ApiError(403, 'cross_site', 'Refused: this change did not come from a page of this server (Origin or Referer missing or foreign).')
    }
    return next()
  }
}
