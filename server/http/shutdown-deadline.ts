/**
 * A request still being worked out when the shutdown's deadline passes (an
 * export of a large board, a read waiting on a slow database) is answered 503
 * with Retry-After then, and logged by its method and route (never its path
 * or query, which may hold a token), instead of having its connection closed
 * under it with no answer (RequestsInFlight.abandon). What it was doing goes
 * on until the storage and worker threads close under it; its own answer then
 * goes nowhere. A read is answered `shutting_down`: sent again, it is served
 * elsewhere. A change (any other method) may have written already, or have
 * its COMMIT under way, which the database completes whether or not this
 * process is there to hear it: it is answered `outcome_unknown`, to be read
 * before it is sent again. Before, a board made so was answered
 * `shutting_down`, stored, and made twice by a client that sent it again.
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
    const read = SAFE_METHODS.has(c.req.method)
    logger.warn(
      { method: c.req.method, route: routePath(c) },
      read ? 'shutting down: a request still in flight at the deadline is abandoned, answered 503' : 'shutting down: a change still in flight at the deadline is abandoned, answered 503 outcome_unknown (it may yet be stored)',
    )
    return serviceUnavailable(c, read ? 'shutting-down' : 'shut-down-unsaved')
  }
}

/**
 * The methods that change nothing (RFC 9110, 9.2.1). Which transactions a
 * change began is not tracked: statements outside a transaction write too,
 * so only the method tells for certain that a request cannot have written.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
