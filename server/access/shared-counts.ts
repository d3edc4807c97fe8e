/**
 * The Redis connection through which every instance shares its counts of what
 * people do: the sign-in counts and the hourly allowances. Without it each
 * instance counts alone, and behind a load balancer a person would get each
 * count once per instance. No offline queue: while Redis is away a count
 * fails at once, and the instance counts in its own memory meanwhile; so does
 * a count Redis leaves unanswered.
 */
import type { Redis } from 'ioredis'
import type { Logger } from '../log.ts'
import { RECONNECTING, reconnectWhenSilent } from '../redis-reconnect.ts'

/** What the shared counts' keys start with: `assay:sign-in:…`, `assay:allowance:…`, `assay:client-id:…` (fresh-id-claims.ts). */
export const COUNTS_KEY_PREFIX = 'assay'

/**
 * How long a count waits for Redis' answer before counting in memory instead:
 * Redis answers in well under a millisecond, and a connection that looks open
 * while nothing comes back (a half-open network) would otherwise hold every
 * sign-in and every counted request for good.
 */
const COUNT_TIMEOUT_MS = 500

/** Loaded only when REDIS_URL is set: a single instance never holds the Redis client in memory. */
export async function connectSharedCounts(url: string, logger: Logger, pingIntervalMs: number): Promise<Redis> {
  const { Redis } = await import('ioredis')
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COUNT_TIMEOUT_MS,
    connectionName: 'assay-counts',
    ...RECONNECTING,
  })
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis (shared counts) connection error; counting in memory meanwhile'))
  reconnectWhenSilent(redis, logger, 'counts', pingIntervalMs)
  return redis
}

/** Whether counts go through Redis now (false while it cannot be reached). */
export function countsShared(redis: Redis | undefined): boolean {
  return redis?.status === 'ready'
}
