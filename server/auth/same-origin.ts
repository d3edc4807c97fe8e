/**
 * Whether a request comes from a page of this server. Browsers attach cookies
 * to requests that other sites trigger, so a cookie alone proves nothing for a
 * state change or a websocket upgrade: the Origin (or, failing that, the
 * Referer) must name this server.
 */
import type { CredentialRequest } from '../access/access.ts'
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
 * True when the request's Origin (or Referer) has this server's host, or is
 * the configured public URL (behind a proxy that terminates HTTPS).
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
  if (url.host === new URL(request.url).host) return true
  return publicUrl !== undefined && url.origin === new URL(publicUrl).origin
}

/** A request that would be authenticated by the browser's cookie rather than by a header a script set. */
export function usesSessionCookie(request: CredentialRequest): boolean {
  return !request.headers.has('authorization') && readSessionToken(request) !== null
}
