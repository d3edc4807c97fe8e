/**
 * The HTTP requests this instance is answering. A shutdown waits for them
 * (within its deadline) before it closes the storage and every connection: a
 * request already past the refusal at the door, such as an edit whose board
 * the shutdown unloads, is answered (`503 shutting_down`) instead of having
 * its connection cut under it, which a client sees as a network failure and
 * cannot tell from a change that may have landed.
 */
import { once } from 'node:events'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../log.ts'

/**
 * How long the answers given at the shutdown deadline may take to be sent
 * before the connections are closed: a 503's few hundred bytes go out at once
 * unless the client stopped reading.
 */
const ANSWER_GRACE_MS = 500

export class RequestsInFlight {
  /** Each open request's method, and its route once known (routed): never its path, which may hold a token. */
  private readonly open = new Map<ServerResponse, { method: string; route: string | null }>()
  private waiters: (() => void)[] = []
  private passDeadline: () => void = () => {}
  /** Settles at the shutdown deadline (abandon): what is still being worked out is answered then (shutdown-deadline.ts). */
  readonly deadline = new Promise<void>((resolve) => (this.passDeadline = resolve))

  watch(server: Server): void {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.open.set(response, { method: request.method ?? '', route: null })
      // 'close' follows 'finish', and also comes alone when the connection goes first.
      response.once('close', () => this.answered(response))
    })
  }

  get count(): number {
    return this.open.size
  }

  /** The route pattern (`/api/boards/:id/export`) the request `response` answers was routed to, for the log. */
  routed(response: ServerResponse, route: string): void {
    const request = this.open.get(response)
    if (request) request.route = route
  }

  /**
   * At the shutdown deadline: the requests still being worked out are answered
   * 503 (`shutting_down`, or `outcome_unknown` for a change, which may yet be
   * stored; and logged, shutdown-deadline.ts) rather than have
   * their connections cut with no answer, which a client cannot tell from a
   * network failure; a response already being sent cannot be, and is logged
   * here. Resolves once the answers are sent, or ANSWER_GRACE_MS on.
   */
  async abandon(logger: Logger): Promise<void> {
    const answering: Promise<unknown>[] = []
    for (const [response, request] of this.open) {
      if (!response.headersSent) answering.push(once(response, 'close').catch(() => {}))
      else logger.warn({ method: request.method, route: request.route ?? 'not an API route' }, 'shutting down: a response still being sent at the deadline is cut')
    }
    this.passDeadline()
    await Promise.race([Promise.all(answering), sleep(ANSWER_GRACE_MS, undefined, { ref: false })])
  }

  /** Settles once no request is being answered. */
  settled(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  private answered(response: ServerResponse): void {
    this.open.delete(response)
    if (this.open.size > 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }
}
