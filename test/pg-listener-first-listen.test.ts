/**
 * The first listen of an instance's PostgreSQL listener (server/relay/pg-listener.ts)
 * fails and is tried again while a board is loaded there, and another
 * instance, cut off Redis, commits to that board and asks through PostgreSQL
 * that it be caught up: the request comes before anyone listens, and
 * PostgreSQL keeps none for a session not listening. Once the retry listens,
 * the instance catches up every board loaded meanwhile (pg-catch-up-requests.ts),
 * the first listen as any other, so its clients get the change. Real
 * instances on the real database and Redis; the first's database behind a
 * TCP proxy that holds its LISTEN back, the backend of the one held ended.
 */
import postgres from 'postgres'
import { expect, it } from 'vitest'
import { CATCH_UP_CHANNEL } from '../server/relay/pg-catch-up-requests.ts'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { redisBack, redisLost } from './helpers/redis-status.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { createMigratedDatabase, databaseUrl, dropDatabase, freshDatabaseName } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import type { TestClient } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

/** How long a commit may take to reach the other instance, and Redis to be noticed up or gone: a bound, not a measurement. */
const DEADLINE_MS = 15_000

describeUnless(missing)('a first listen that needed retries', () => {
  const { start, connect, throughProxy, redisThroughProxy, servers } = instancesAfterEach()

  const titlesAt = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((card) => card.title)

  it('catches up the boards loaded before it, and its clients get what another instance committed meanwhile', async () => {
    const database = freshDatabaseName()
    await createMigratedDatabase(database)
    const direct = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
    try {
      // The first instance reaches its database through a proxy that holds back every LISTEN: the rest goes through.
      const { proxy: toDatabase, url } = await throughProxy(databaseUrl(database))
      const listens = toDatabase.countRequests(/listen assay_catch_up/g)
      const held = toDatabase.holdRequests(/listen assay_/)
      const logged: { msg: string }[] = []
      const first = await start({ database, env: { DATABASE_URL: url }, logSink: (line) => void logged.push(JSON.parse(line) as { msg: string }) })
      await held.held
      const boardId = await apiClient(first.url).createBoard('Loaded before the listen')
      const onFirst = connect(first, boardId)
      await onFirst.synced()

      // Its first listen fails: the backend it was sent on ended (the only listener on this database yet). It is tried again, held too.
      await direct`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'assay-listener' and datname = current_database()`
      await waitFor(() => listens() >= 2, 'the listen to be tried again', DEADLINE_MS)
      expect(logged.filter((line) => line.msg.startsWith('could not listen to the other instances through PostgreSQL')).length).toBeGreaterThanOrEqual(1)

      // The second instance, cut off Redis, commits to the board: it asks the others through PostgreSQL, heard here by the test alone.
      const requests: string[] = []
      await direct.listen(CATCH_UP_CHANNEL, (payload) => requests.push(payload))
      const { proxy: toRedis, redisUrl } = await redisThroughProxy()
      const second = await start({ database, redisUrl })
      const onSecond = connect(second, boardId)
      await onSecond.synced()
      await redisBack(second.url, DEADLINE_MS)
      toRedis.cut()
      await redisLost(second.url, DEADLINE_MS)
      addAssessment(onSecond.doc, { title: 'Committed before the first listened' })
      await waitFor(() => requests.some((payload) => payload.includes(boardId)), 'the catch-up request to be notified', DEADLINE_MS)
      expect(titlesAt(onFirst, boardId)).toEqual([])

      // The retry listens: the board loaded meanwhile is caught up from the log.
      held.release()
      await waitFor(() => titlesAt(onFirst, boardId).includes('Committed before the first listened'), 'the change at the first instance’s client', DEADLINE_MS)
      expect(logged.filter((line) => line.msg.startsWith('listening to the other instances through PostgreSQL'))).toHaveLength(1)
    } finally {
      await direct.end({ timeout: 1 })
      for (const server of servers.splice(0).reverse()) await server.destroy()
      await dropDatabase(database)
    }
  }, 90_000)
})
