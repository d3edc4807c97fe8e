/**
 * The address a request came from, as the sign-in counts key it. By default
 * the socket's peer; behind reverse proxies (TRUST_PROXY = how many), the
 * address the outermost trusted proxy saw, read from the right of
 * X-Forwarded-For, where each proxy appends the peer it saw. Entries further
 * left were written by the client and prove nothing.
 */
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import type { AppEnv } from './app-env.ts'

export function clientAddress<E extends AppEnv>(c: Context<E>): string {
  const peer = peerAddress(c)
  const hops = c.var.services.config.TRUST_PROXY
  if (hops === 0) return peer
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  // With n proxies, the n-th entry from the right is what the first of them saw.
  return forwarded[forwarded.length - hops] ?? forwarded[0] ?? peer
}

function peerAddress<E extends AppEnv>(c: Context<E>): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    // Not served by @hono/node-server (e.g. app.request in a unit test): no socket to read.
    return 'unknown'
  }
}
