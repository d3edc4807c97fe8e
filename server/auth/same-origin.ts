/**
 * Whether a request comes from a page of this server. Browsers attach cookies
 * to requests that other sites trigger, so a cookie alone proves nothing for a
 * state change or a websocket upgrade: the Origin (or, failing that, the
 * Referer) must name this server.
 */
import type { CredentialRequest } from '../access/access.ts'
import { knownHost } from './known-host.ts'
import { readSessionToken } from './session-cookie.ts'

export function requestOrigin(request: CredentialRequest): string | null {
  const origin = request.headers.get('origin')
  if (origin !== null) return origin
  const referer = request.headers.get('referer')
  if (referer === null) return null
  try {
    return new URL(referer).origin
  } catch {
    return null
  }
}

/**
 * True when the request's Origin (or Referer) is the configured public URL
 * (behind a proxy that terminates HTTPS), or has the host the request came to,
 * that host being one no other site can point at this server (known-host.ts).
 */
export function isSameOrigin(request: CredentialRequest, publicUrl?: string): boolean {
  const source = requestOrigin(request)
  if (source === null || source === 'null') return false
  let url: URL
  try {
    url = new URL(source)
  } catch {
    return false
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  if (publicUrl !== undefined && url.origin === new URL(publicUrl).origin) return true
  return url.host === knownHost(request, publicUrl)
}

/**
 * What a browser says of a request's source (Fetch Metadata, sent by every
 * current browser): `same-origin` from this server's own pages, `none` from
 * the person (an address typed or pasted, a bookmark), `same-site` or
 * `cross-site` from a page elsewhere, another port of this host included.
 * A request without the header (curl, an old browser) is not judged by it.
 */
export function isFromAnotherPage(request: CredentialRequest): boolean {
  const site = request.headers.get('sec-fetch-site')
  return site !== null && site !== 'same-origin' && site !== 'none'
}

/** A request that would be authenticated by the browser's cookie rather than by a header a script set. */
export function usesSessionCookie(request: CredentialRequest): boolean {
  return !request.headers.has('authorization') && readSessionToken(request) !== null
}
