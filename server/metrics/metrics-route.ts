/**
 * GET /metrics for a Prometheus scrape. Never open by default: it is served on
 * the main port only with METRICS_TOKEN set (and then only with
 * `Authorization: Bearer <token>`), or on a port of its own (METRICS_PORT,
 * bound to METRICS_HOST), where the token is required too when it is set.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import type { Metrics } from './metrics.ts'

export function metricsRoute(metrics: Metrics, token: string | undefined): Hono {
  const route = new Hono()
  route.get('/metrics', async (c) => {
    if (token !== undefined && !bearerMatches(c.req.header('authorization'), token)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"')
      return c.json({ error: { code: 'unauthorized', message: 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".' } }, 401)
    }
    c.header('Content-Type', metrics.contentType)
    c.header('Cache-Control', 'no-store')
    return c.body(await metrics.render())
  })
  return route
}

/** Compared as hashes, in constant time, so the answer's timing says nothing about the token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = header?.match(/^Bearer\s+(\S+)$/i)?.[1]
  if (presented === undefined) return false
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(presented), digest(token))
}
