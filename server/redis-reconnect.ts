import { errorMessage } from '../shared/error-message.ts'
import type { Redis } from 'ioredis'
import type { Logger } from './log.ts'

/**
 * How long every Redis client waits before reconnecting: from 50 ms, doubling,
 * to at most 2 s (ioredis's own default grows to 5 s), with jitter so that the
 * instances of a fleet do not reconnect in step. Redis back means relaying back
 * within about two seconds.
 */
const MAX_RECONNECT_DELAY_MS = 2000

function redisReconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** (attempt - 1), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100)
}

/**
 * How every Redis client of the server reconnects: with the delay above, and
 * without CLIENT SETINFO in its handshake. ioredis queues a handshake's
 * SETINFO when the connection drops before it is answered, and sends the
 * queue once connected again: behind a proxy or load balancer that accepts
 * each connection and drops it (Redis down behind it), about one more a
 * second for each connection, held in memory for as long as the outage lasts
 * and sent all at once on the return. The handshake's SETNAME is not queued
 * so, and still names each connection in CLIENT LIST.
 */
export const RECONNECTING = { retryStrategy: redisReconnectDelay, disableClientInfo: true } as const

/** How long a QUIT may wait for its answer before the connection is dropped instead. */
const QUIT_TIMEOUT_MS = 1000

/**
 * Ends a Redis client: politely (QUIT, after what it has sent) while it is
 * connected and answers; at once otherwise, since a QUIT would wait in its
 * queue for a reconnection that may never come, or for an answer from a
 * half-open connection, holding a shutdown to its deadline.
 */
export async function endRedisConnection(redis: Pick<Redis, 'status' | 'quit' | 'disconnect' | 'stream'>): Promise<void> {
  if (redis.status === 'ready') {
    let unanswered: NodeJS.Timeout | undefined
    const timedOut = new Promise<void>((resolve) => (unanswered = setTimeout(resolve, QUIT_TIMEOUT_MS)))
    await Promise.race([redis.quit().catch(() => undefined), timedOut])
    clearTimeout(unanswered)
  }
  // Nothing left to do after a QUIT; otherwise the connection (or its attempts to reconnect) ends here, its socket
  // destroyed rather than ended politely: a half-open connection would not answer that either.
  redis.disconnect()
  redis.stream?.destroy()
}

/** How long a connected client may take to answer a ping before its connection is taken for half-open. */
const PING_ANSWER_MS = 2000

/** ioredis's error for a command past its `commandTimeout`: no answer came. */
export const COMMAND_TIMED_OUT = 'Command timed out'

/**
 * Keeps `redis` off a half-open connection (open to the kernel while nothing
 * comes back, which TCP gives up on only many minutes later, the client
 * waiting the while): every `pingEveryMs` (REDIS_PING_INTERVAL_MS) while it is connected, a PING; left
 * unanswered for 2 s, its socket is destroyed (`dropIfSilent`) and ioredis connects afresh,
 * its `ready` handlers doing what a reconnection does. Stops when the client
 * ends.
 */
export function reconnectWhenSilent(redis: Redis, logger: Logger, connection: string, pingEveryMs: number): void {
  const pings = setInterval(() => {
    if (redis.status !== 'ready') return
    const sent = sentNow(redis)
    // Its answer, or its timeout (the publisher's commandTimeout), decides nothing: what comes in on the socket does.
    redis.ping().catch(() => undefined)
    setTimeout(() => {
      dropIfSilent(redis, sent, logger, connection, 'a ping').catch((error: unknown) => logger.error({ connection, err: errorMessage(error) }, 'redis silence check failed'))
    }, PING_ANSWER_MS).unref()
  }, pingEveryMs)
  pings.unref()
  redis.once('end', () => clearInterval(pings))
}

/** A command being sent on `redis`'s connection now: the socket, and how much had come in on it. */
export type Sent = { stream: Redis['stream'] | undefined; readBefore: number }

/** Before its first connection ioredis has no socket yet: a command sent then is held, and nothing is looked at. */
export function sentNow(redis: Redis): Sent {
  const stream = redis.stream as Redis['stream'] | undefined
  return { stream, readBefore: stream?.bytesRead ?? 0 }
}

/**
 * Destroys the socket a command was `sent` on (ioredis connects afresh)
 * unless something has come in on it since, looked at once the socket has
 * been read: a deadline (a timer of ours, or ioredis's `commandTimeout`) that
 * passes while the relay's own thread was held up (a large board applied)
 * runs before what Redis answered meanwhile is read from the kernel, and so
 * would take a live connection for a silent one, and a command's timeout
 * leaves it rejected even once its answer comes. Resolves with whether it dropped it.
 */
export function dropIfSilent(redis: Redis, sent: Sent, logger: Logger, connection: string, what: string): Promise<boolean> {
  return new Promise((resolve, reject) =>
    // A throw in an immediate would end the process: it rejects the promise instead, which its caller catches.
    setImmediate(() => {
      try {
        const { stream } = sent
        const silent = stream !== undefined && redis.status === 'ready' && redis.stream === stream && stream.bytesRead === sent.readBefore
        if (silent) {
          logger.warn({ connection }, `redis did not answer ${what}; connecting afresh`)
          stream.destroy()
        }
        resolve(silent)
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    }),
  )
}
