/**
 * Requests this server cannot serve right now are refused at once with 503 and
 * Retry-After, rather than each waiting for its own timeout: while the database
 * does not answer a ping (StorageHealth).
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import { serviceUnavailable } from './errors.ts'

export function availabilityGuard(): MiddlewareHandler<AppEnv> {
  return async function refuseWhileUnavailable(c, next) {
    if (c.var.services.storageHealth.unavailableSince !== null) return serviceUnavailable(c, 'unreachable')
    await next()
  }
}
