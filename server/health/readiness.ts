/**
 * GET /readyz: whether this instance should be sent traffic. Ready only when
 * the database answers within READINESS_TIMEOUT_MS, the server is not shutting
 * down, and it is not turning connections away for want of room
 * (HTTP_MAX_CONNECTIONS). Failing commits are reported but do not make the
 * instance unready: the database decides that, and another instance on the
 * same database would fail the same way. Nor does Redis, when configured: it
 * is one for every instance, so its outage would take every instance out of
 * service at once, while each still stores its edits and keeps its boards
 * converging from the update log (redis-fan-out.ts); it is reported
 * (`redis.status`, `degraded`) for alerting instead. The body says what was
 * checked, by kind only (no host names or messages: the route is public).
 */
import type { ConnectionsState } from '../http/open-connections.ts'
import type { RedisFanOut } from '../relay/redis-fan-out.ts'
import type { Services } from '../services.ts'
import { DeadlineExceeded, withDeadline } from './deadline.ts'
import type { ProbeResult } from './storage-health.ts'

export type CheckStatus = 'ok' | Extract<ProbeResult, { ok: false }>['problem']

export type Readiness = {
  ready: boolean
  /** True once the server has started shutting down: it takes no new work. */
  shuttingDown: boolean
  /** Ready, but with something it can do without failing: Redis not answering (edits then reach the other instances through the update log, an interval late). */
  degraded: boolean
  storage: { status: CheckStatus; ms?: number }
  /** Only when REDIS_URL is set; not ok leaves the instance ready, `degraded`. */
  redis?: { status: 'ok' | 'unreachable' | 'timeout'; ms?: number }
  /**
   * Boards loaded here whose commits fail, or whose oldest uncommitted edit has
   * waited COMMIT_FAILING_NOTICE_MS (their edits are kept in memory), for how
   * long the oldest has; and how long the oldest edit waiting has waited.
   */
  commits: { status: 'ok' | 'failing'; failingBoards: number; failingForMs?: number; oldestUncommittedMs?: number }
  /** The HTTP connections open here and the most it holds (null: as many as the system allows); full while it turns new ones away. */
  connections: ConnectionsState
}

export async function checkReadiness(services: Pick<Services, 'storageHealth' | 'lifecycle' | 'rooms' | 'redis' | 'config' | 'connections'>): Promise<Readiness> {
  const { shuttingDown } = services.lifecycle
  const [storage, redis] = await Promise.all([
    services.storageHealth.probe(),
    services.redis === undefined ? undefined : checkRedis(services.redis, services.config.READINESS_TIMEOUT_MS),
  ])
  const { failingRooms, oldestFailingSince, oldestUncommittedSince } = services.rooms.commitHealth()
  const waiting = oldestUncommittedSince === null ? {} : { oldestUncommittedMs: Date.now() - oldestUncommittedSince }
  const connections = services.connections.state()
  return {
    ready: storage.ok && !shuttingDown && connections.status === 'ok',
    shuttingDown,
    degraded: redis !== undefined && redis.status !== 'ok',
    storage: storage.ok ? { status: 'ok', ms: storage.ms } : { status: storage.problem },
    ...(redis && { redis }),
    commits:
      oldestFailingSince === null
        ? { status: 'ok', failingBoards: 0, ...waiting }
        : { status: 'failing', failingBoards: failingRooms, failingForMs: Date.now() - oldestFailingSince, ...waiting },
    connections,
  }
}

async function checkRedis(redis: Pick<RedisFanOut, 'ping'>, timeoutMs: number): Promise<NonNullable<Readiness['redis']>> {
  const started = performance.now()
  try {
    await withDeadline(redis.ping(), timeoutMs, 'Redis')
    return { status: 'ok', ms: Math.round(performance.now() - started) }
  } catch (error) {
    return { status: error instanceof DeadlineExceeded ? 'timeout' : 'unreachable' }
  }
}
