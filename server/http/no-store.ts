/**
 * Every API answer tells browsers and proxies to keep no copy of it
 * (`Cache-Control: no-store`). Answers carry board content (judgments, titles,
 * markings, review threads), and a crisis-room workstation is shared: without
 * this a browser's disk cache held them after a proper sign-out, readable by
 * the next person at the keyboard. Nothing in the client relies on the HTTP
 * cache: the server answers 304 only to a request naming a snapshot's ETag
 * (content-tag.ts), which a browser storing nothing never sends, and the
 * offline copy of a board lives in IndexedDB, not here. A route that sets its
 * own Cache-Control keeps it.
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'

export function noStore(): MiddlewareHandler<AppEnv> {
  return async function forbidStoringAnswers(c, next) {
    await next()
    // After the route, errors included (onError has answered by now), so that every answer gets it.
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store')
  }
}
