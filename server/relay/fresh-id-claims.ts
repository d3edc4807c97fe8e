/**
 * Client ids nobody wrote before, decided across instances before an update
 * that writes under them is applied, when the instances share Redis: one
 * round trip for such an update (a page's first edit; every other update
 * brings none and goes by as before).
 *
 * Claimed: two accounts writing one fresh id at once, one on each instance,
 * each had their own applied, and the second commit was refused by the
 * database (ClientIdTaken) with its room holding content the board never
 * will: a reset, once a round. With the claim, the second is refused as it
 * arrives (4422), before it is applied. A claim lasts `CLAIM_MS`, long past
 * the time the first's commit takes to reach every instance (client-writers.ts
 * then knows its writer) and the database (read as a room loads).
 *
 * Counted: NEW_CLIENTS_PER_HOUR was per instance, so each instance gave a
 * person its own (one editor took a board from 2 ids to 514 in a minute on
 * two). Counted in the person's hourly allowance shared through Redis
 * (hourly-allowance.ts), in memory while Redis is away; the per-instance
 * count (IncomingRates) stays as the first, synchronous bound.
 *
 * While Redis cannot be reached nothing is claimed: the database settles a
 * race as before (ClientIdTaken), the room resetting at most once an
 * interval (RewriteResets).
 */
import type { Redis, Result } from 'ioredis'
import { errorMessage } from '../../shared/error-message.ts'
import type { HourlyAllowance } from '../access/hourly-allowance.ts'
import { countsShared } from '../access/shared-counts.ts'
import type { Logger } from '../log.ts'
import { NEW_CLIENTS_PER_HOUR } from './client-writers.ts'

/** Why `userId`'s update may not write under `clients` (ids of `boardId` nobody wrote before, as this instance knows), or null when it may. */
export type FreshIdCheck = (boardId: string, userId: string, clients: readonly number[]) => Promise<string | null>

/** How long a claim on a fresh id is kept: its writer is known everywhere long before. */
const CLAIM_MS = 3_600_000

/**
 * KEYS: the ids' claims; ARGV: the account, how long a claim lasts. Answers
 * the 1-based place of the first id another account claimed, claiming
 * nothing; else 0, every id claimed for the account.
 */
const CLAIM_SCRIPT = `
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then return i end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return 0
`

declare module 'ioredis' {
  interface RedisCommander<Context> {
    claimFreshIds(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Result<number, Context>
  }
}

export type FreshIdClaimsOptions = {
  redis: Redis
  logger: Logger
  /** The person's fresh ids an hour, shared (hourly-allowance.ts). */
  allowance: HourlyAllowance
  /** What the claims' keys start with; a claim is `<keyPrefix>:<board>:<id>`. */
  keyPrefix: string
}

export function freshIdClaims({ redis, logger, allowance, keyPrefix }: FreshIdClaimsOptions): FreshIdCheck {
  redis.defineCommand('claimFreshIds', { lua: CLAIM_SCRIPT })
  /** The 1-based place of an id another account claimed, 0 when none did or nothing could be claimed. */
  const claim = async (boardId: string, userId: string, clients: readonly number[]): Promise<number> => {
    if (!countsShared(redis)) return 0
    try {
      const keys = clients.map((client) => `${keyPrefix}:${boardId}:${client}`)
      return await redis.claimFreshIds(keys.length, ...keys, userId, CLAIM_MS)
    } catch (error) {
      logger.warn({ boardId, err: errorMessage(error) }, 'could not claim fresh client ids in Redis; the database settles a race for them')
      return 0
    }
  }
  return async (boardId, userId, clients) => {
    // At once: one round trip's wait for the update.
    const [taken, allowed] = await Promise.all([claim(boardId, userId, clients), allowance.takeFor(userId, clients.length)])
    if (taken > 0) return `update writes under client id ${clients[taken - 1]}, which another member wrote first on another instance`
    if (!allowed) return `update writes under more client ids nobody wrote before than its sender may bring this hour (${NEW_CLIENTS_PER_HOUR}, over every instance)`
    return null
  }
}
