import type { Redis } from 'ioredis'

/**
 * How long every Redis client waits before reconnecting: from 50 ms, doubling,
 * to at most 2 s (ioredis's own default grows to 5 s), with jitter so that the
 * instances of a fleet do not reconnect in step. Redis back means relaying back
 * within about two seconds.
 */
const MAX_RECONNECT_DELAY_MS = 2000

export function redisReconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** (attempt - 1), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100)
}

/**
 * Ends a Redis client: politely (QUIT, after what it has sent) while it is
 * connected; at once while it is not, since a QUIT would wait in its queue for
 * a reconnection that may never come, holding a shutdown to its deadline.
 */
export async function endRedisConnection(redis: Pick<Redis, 'status' | 'quit' | 'disconnect'>): Promise<void> {
  if (redis.status !== 'ready') return redis.disconnect()
  await redis.quit().catch(() => redis.disconnect())
}
