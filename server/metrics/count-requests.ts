/**
 * Counts every HTTP request by the route pattern that answered it (never the
 * raw path, so board ids do not multiply the series) and its status; refused
 * websocket upgrades included.
 */
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { isWebsocketUpgrade } from '../http/websocket-route.ts'
import type { Metrics } from './metrics.ts'

export function countRequests(metrics: Metrics): MiddlewareHandler {
  return async function countRequest(c, next) {
    await next()
    // An accepted websocket upgrade leaves a placeholder 200 behind (the socket itself answered 101).
    const upgraded = c.res.status === 200 && isWebsocketUpgrade(c.req.raw)
    metrics.countRequest(c.req.method, routePath(c) || 'unmatched', upgraded ? 101 : c.res.status)
  }
}
