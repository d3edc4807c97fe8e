/**
 * The name a request reached this server by, when no other site can have
 * chosen it. Any site can point a name of its own at this server's address
 * once its page has loaded (DNS rebinding: rebind.test answering 127.0.0.1),
 * and the browser then sends that name as `Host` and the page's origin, the
 * same name, as `Origin`: an Origin that names the Host proves nothing unless
 * the Host is a name only this server answers to. That is an IP address (no
 * DNS is asked), `localhost` (browsers resolve it to loopback themselves), or
 * `PUBLIC_URL`'s host.
 *
 * The `Host` header is read, never the request target: an absolute-form target
 * (`GET http://evil.test/ws/…`) would otherwise let the client name the host
 * it is compared with.
 */
import { isIP } from 'node:net'
import type { CredentialRequest } from '../access/access.ts'

/** A host and at most a port: no user info, path, query or fragment for the URL parser to take apart. */
const HOST_ONLY = /^[^\s/?#@\\]+$/

/** The request's `Host` as the URL parser writes it (`host:port`, lower-case), when it is a name only this server answers to; else null. */
export function knownHost(request: CredentialRequest, publicUrl: string | undefined): string | null {
  const header = request.headers.get('host')
  if (header === null || !HOST_ONLY.test(header)) return null
  let url: URL
  try {
    url = new URL(`http://${header}`)
  } catch {
    return null
  }
  const name = url.hostname
  if (isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0 || name === 'localhost') return url.host
  // Its name alone: a proxy may pass the port it was reached on (`name:443`), which the public address leaves out as its scheme's default.
  return publicUrl !== undefined && name === new URL(publicUrl).hostname ? url.host : null
}
