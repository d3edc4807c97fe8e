/**
 * The relay's thread held up (a large board applied) past a deadline for an
 * answer, while the answer came: the connection is kept. Before, the
 * deadline ran before the socket was read, and a live connection to Redis or
 * PostgreSQL was dropped as silent, the drop itself starting more work (a
 * resubscription catches every loaded board up; a commit failed).
 */
import { Redis } from 'ioredis'
import postgres from 'postgres'
import { afterEach, expect, it } from 'vitest'
import { createLogger } from '../../server/log.ts'
import { reconnectWhenSilent, RECONNECTING } from '../../server/redis-reconnect.ts'
import { PoolSockets, type SocketOption } from '../../server/storage/pg-pool-sockets.ts'
import { WITHOUT_ARRAY_TYPES } from '../../server/storage/postgres.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { POSTGRES_URL, REDIS_URL } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

/** Holds this thread, as applying a large board does: nothing else runs meanwhile, sockets are not read. */
function holdThread(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
}

describeUnless(missing)('the relay’s own stall is not taken for a silent peer', () => {
  const cleanups: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it('keeps a Redis connection whose ping was answered while the thread was held past the ping’s deadline and its command timeout', async () => {
    const warnings: string[] = []
    const logger = createLogger('warn', { write: (line: string) => void warnings.push(line) })
    // As the publisher is made: a command left unanswered 2 s is rejected.
    const redis = new Redis(REDIS_URL, { ...RECONNECTING, maxRetriesPerRequest: null, commandTimeout: 2000 })
    cleanups.push(async () => redis.disconnect())
    let reconnections = 0
    redis.on('reconnecting', () => reconnections++)
    await waitFor(() => redis.status === 'ready', 'the connection')

    // The first ping sent holds the thread 3 s: its answer waits in the kernel past both deadlines.
    const ping = redis.ping.bind(redis)
    let stalled = false
    let answeredAfter = 0
    redis.ping = (() => {
      const sent = ping()
      if (stalled) void sent.then(() => answeredAfter++, () => undefined)
      else {
        stalled = true
        // Before the socket is read again: the ping is out, its answer not yet taken in.
        setImmediate(() => holdThread(3000))
      }
      return sent
    }) as typeof redis.ping
    reconnectWhenSilent(redis, logger, 'test', 100)

    // A ping every 0.1 s: forty answered after the stall take past the stalled ping's 2 s deadline, counted from its end.
    await waitFor(() => answeredAfter >= 40, 'pings answered after the stall')
    expect(reconnections).toBe(0)
    expect(warnings.filter((line) => line.includes('did not answer'))).toEqual([])
  })

  it('keeps a PostgreSQL connection whose answer came while the thread was held past its silence deadline', async () => {
    const application = `assay-own-stall-${crypto.randomUUID()}`
    const sockets = new PoolSockets(1000)
    const settings: postgres.Options<Record<string, never>> & SocketOption = { max: 1, ...WITHOUT_ARRAY_TYPES, onnotice: () => {}, socket: sockets.open, connection: { application_name: application } }
    const sql = postgres(POSTGRES_URL, settings)
    cleanups.push(() => sockets.end(sql, 1))
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    cleanups.push(() => admin.end({ timeout: 1 }))

    const answer = sql<{ said: string }[]>`select pg_sleep(0.5), 'answered' as said`.execute()
    await waitFor(async () => (await admin`select 1 from pg_stat_activity where application_name = ${application} and state = 'active'`).length === 1, 'the query to run')
    // Its answer comes 0.5 s after it was sent, and waits in the kernel; the thread is held past the 1 s deadline.
    holdThread(2000)
    expect((await answer)[0]?.said).toBe('answered')
  })
})
