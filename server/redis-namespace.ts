/**
 * Every Redis key and channel a server uses is named within its deployment's
 * namespace: REDIS_PREFIX, then a digest of the deployment's identity as its
 * database tells it (DeploymentStore.identity). Redis' pub/sub ignores the
 * database number of REDIS_URL, so two deployments sharing one Redis server,
 * a scratch copy restored from a production backup among them, would
 * otherwise publish on the same channels: each applying the other's edits to
 * its boards of the same ids, which a client reconnecting then stored for
 * good, and closing each other's sockets with their control messages.
 */
import { createHash } from 'node:crypto'
import { ConfigError } from './config.ts'

/** `REDIS_PREFIX:` and 16 hex digits of the identity's digest: the same on every instance of one deployment. */
export function redisNamespace(prefix: string, identity: string): string {
  return `${prefix}:${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`
}

/**
 * Refuses to start when Redis refuses REDIS_URL's database number (more than
 * its `databases` setting allows): ioredis logs the refusal once and goes on
 * in database 0, where the deployment's keys would sit among another's. A
 * Redis that cannot be reached is no reason not to start (a board never waits
 * for Redis); its number is checked on no later connection. ioredis is loaded
 * here, not at start: a server without REDIS_URL never holds it in memory.
 */
export async function refuseMissingRedisDatabase(url: string, timeoutMs: number): Promise<void> {
  const { Redis, ReplyError } = await import('ioredis')
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, commandTimeout: timeoutMs, connectionName: 'assay-database-check' })
  // The handshake's own SELECT fails the same way, told as an error event: the explicit SELECT below says it.
  probe.on('error', () => {})
  const database = probe.options.db ?? 0
  try {
    if (database === 0) return
    await probe.connect()
    await probe.select(database)
  } catch (error) {
    if (error instanceof ReplyError) throw new ConfigError(`REDIS_URL: Redis refused database ${database} (${(error as Error).message}): not starting. Name a database it has, or none (database 0).`)
  } finally {
    probe.disconnect()
  }
}
