/**
 * Requests this server cannot serve right now are refused at once with 503 and
 * Retry-After, rather than each waiting for its own timeout: once it is
 * shutting down, and while the database does not answer a ping (StorageHealth).
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import { serviceUnavailable } from './errors.ts'

export function availabilityGuard(): MiddlewareHandler<AppEnv> {
  return async function refuseWhileUnavailable(c, next) {
    const { lifecycle, storageHealth } = c.var.services
    if (lifecycle.shuttingDown) return serviceUnavailable(c, 'shutting-down')
    if (storageHealth.unavailableSince !== null) return serviceUnavailable(c, 'unreachable')
    await next()
  }
}
