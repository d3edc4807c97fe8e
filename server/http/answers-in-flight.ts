/**
 * How many of one person's answers may be in flight at once on this instance
 * (HTTP_ANSWERS_IN_FLIGHT_PER_PERSON), and how long a socket may take one
 * (HTTP_SEND_TIMEOUT_MS).
 *
 * An answer written is not an answer read. The kernel takes up to its send
 * buffer of it at once (4 MiB here), and Node reports the answer finished while
 * every byte may still lie there unread, for as long as the connection stays
 * open: a reviewer's 200 connections asking for a 3 MB board and reading
 * nothing held 627 MB of the host's TCP memory, whose ceiling every connection
 * on the host shares, the database's and Redis' included. So an answer counts
 * from its request until the client asks again on the same connection (HTTP/1.1
 * answers in order, and Node reads no further request while an answer waits to
 * be written, so the client has taken it) or the connection closes. Behind a
 * proxy (TRUST_PROXY), which reads each answer at once and keeps it itself, an
 * answer counts until it is written.
 *
 * A connection the server closes while it may hold an unread answer (its
 * keep-alive time up, or nothing moving on it for the send timeout) is
 * reset rather than ended: ended, the kernel keeps trying to deliver what it
 * holds for minutes after the socket is gone (20 such answers, 60 MB, were
 * still held 72 s after their sockets were ended; reset, at once freed).
 */
import type { HttpBindings } from '@hono/node-server'
import type { MiddlewareHandler } from 'hono'
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { SignedInEnv } from './app-env.ts'
import { ApiError, RETRY_AFTER_SECONDS } from './errors.ts'

export type AnswersInFlightLimits = { perPerson: number; sendTimeoutMs: number; behindProxy: boolean }

export class AnswersInFlight {
  private readonly counts = new Map<string, number>()
  /** What each connection holds: the answer it last carried, until it is known to be taken. */
  private readonly holds = new WeakMap<Socket, () => void>()
  private readonly watched = new WeakSet<Socket>()

  constructor(private readonly limits: AnswersInFlightLimits) {}

  /** Counts an answer to `person` on `socket`, or says false when they have as many in flight as they may. */
  admit(person: string, socket: Socket, response: ServerResponse): boolean {
    // The client asks again on this connection: it has taken what it was answered there before.
    this.holds.get(socket)?.()
    if (this.of(person) >= this.limits.perPerson) return false
    this.counts.set(person, this.of(person) + 1)
    let released = false
    const release = () => {
      if (released) return
      released = true
      if (this.holds.get(socket) === release) this.holds.delete(socket)
      const left = this.of(person) - 1
      if (left === 0) this.counts.delete(person)
      else this.counts.set(person, left)
    }
    this.holds.set(socket, release)
    this.watch(socket)
    if (this.limits.behindProxy) response.once('close', release)
    return true
  }

  /** The answer is about to be written: a connection on which nothing moves for the send timeout is reset. */
  sending(socket: Socket): void {
    // Node replaces it with the keep-alive time once the answer is written.
    socket.setTimeout(this.limits.sendTimeoutMs)
  }

  private of(person: string): number {
    return this.counts.get(person) ?? 0
  }

  private watch(socket: Socket): void {
    if (this.watched.has(socket)) return
    this.watched.add(socket)
    socket.once('close', () => this.holds.get(socket)?.())
    // Before Node's own handler, which ends the socket: reset, the kernel drops what it still holds for it.
    socket.prependListener('timeout', () => {
      if (this.holds.has(socket)) socket.resetAndDestroy()
    })
  }
}

/**
 * Refuses a request past its caller's answers in flight with 429 and
 * Retry-After. Only a person with an account is counted, as the relay counts
 * them: a server without accounts is a test's.
 */
export function answersInFlightLimit(answers: AnswersInFlight): MiddlewareHandler<SignedInEnv> {
  return async function countAnswerInFlight(c, next) {
    const person = c.var.principal.userId
    const node = c.env as Partial<HttpBindings> | undefined
    const socket = node?.incoming?.socket
    const response = node?.outgoing
    // Served without a socket (app.request in a unit test), nothing can lie unread.
    if (person === null || !socket || !response) return next()
    if (!answers.admit(person, socket, response)) throw tooManyInFlight()
    await next()
    answers.sending(socket)
  }
}

function tooManyInFlight(): ApiError {
  return new ApiError(
    429,
    'too_many_in_flight',
    `You have as many answers in flight on this server as one person may: each counts until you ask again on its connection or close it. Read the answers you asked for, or close their connections, and try again in ${RETRY_AFTER_SECONDS} s.`,
    RETRY_AFTER_SECONDS,
  )
}
