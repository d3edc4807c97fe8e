/**
 * What an instance's /readyz says of its Redis. The instance stays ready while
 * Redis is away (reported degraded), so a test that cuts Redis waits on this
 * rather than on the status code.
 */
import { apiClient } from './api.ts'
import { waitFor } from './wait-for.ts'

export type RedisReadiness = { status: number; ready: boolean; degraded: boolean; redis?: { status: string } }

export async function redisReadiness(url: string): Promise<RedisReadiness> {
  const answer = await apiClient(url).get<Omit<RedisReadiness, 'status'>>('/readyz')
  return { ...answer.body, status: answer.status }
}

/** Until the instance at `url` reports Redis not answering. */
export const redisLost = (url: string, timeoutMs?: number) => waitFor(async () => (await redisReadiness(url)).redis?.status !== 'ok', 'the instance to lose Redis', timeoutMs)

/** Until the instance at `url` reports Redis answering on both of the relay's connections. */
export const redisBack = (url: string, timeoutMs?: number) => waitFor(async () => (await redisReadiness(url)).redis?.status === 'ok', 'the instance on Redis', timeoutMs)
