/**
 * A request still being worked out when the shutdown's deadline passes (an
 * export of a large board, a read waiting on a slow database) is answered 503
 * `shutting_down` with Retry-After then, and logged by its method and route
 * (never its path or query, which may hold a token), instead of having its
 * connection closed under it with no answer (RequestsInFlight.abandon). What
 * it was doing goes on until the storage and worker threads close under it;
 * its own answer then goes nowhere.
 */
import type { HttpBindings } from '@hono/node-server'
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { errorMessage } from '../../shared/error-message.ts'
import type { AppEnv } from './app-env.ts'
import { serviceUnavailable } from './errors.ts'

export function answerByShutdownDeadline(): MiddlewareHandler<AppEnv> {
  return async function answerByShutdownDeadline(c, next) {
    const { requests, logger } = c.var.services
    const handled = next().then(() => false)
    if (!(await Promise.race([handled, requests.deadline.then(() => true)]))) {
      const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing
      // Its answer may yet be streamed: should the deadline cut it, the log names its route.
      if (outgoing) requests.routed(outgoing, routePath(c))
      return
    }
    handled.catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'a request abandoned at the shutdown deadline failed'))
    logger.warn({ method: c.req.method, route: routePath(c) }, 'shutting down: a request still in flight at the deadline is abandoned, answered 503')
    return serviceUnavailable(c, 'shutting-down')
  }
}
