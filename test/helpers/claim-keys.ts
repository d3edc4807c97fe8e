/**
 * The claims on a board's fresh client ids in Redis (fresh-id-claims.ts),
 * read as the test's servers wrote them, and the removal of every key of the
 * test's deployment after it: each test's servers have a namespace of their
 * own (redis-namespace.ts), which the claims' keys start with.
 */
import { Redis } from 'ioredis'
import { REDIS_URL } from './test-server.ts'

export function claimKeys() {
  const redis = new Redis(REDIS_URL, { lazyConnect: true })
  const namespaces = new Set<string>()
  /** The keys of the claims on `clientId` (every id without it) of `boardId`. */
  const claims = async (boardId: string, clientId: number | '*' = '*'): Promise<string[]> => {
    const keys = await redis.keys(`*:client-id:${boardId}:${clientId}`)
    for (const key of keys) namespaces.add(key.slice(0, key.indexOf(':client-id:')))
    return keys
  }
  /** Removes every key of the namespaces the claims read were under. */
  const removeAll = async (): Promise<void> => {
    for (const namespace of namespaces) {
      const keys = await redis.keys(`${namespace}:*`)
      if (keys.length > 0) await redis.del(...keys)
    }
    namespaces.clear()
  }
  return { claims, removeAll, close: () => redis.disconnect() }
}
