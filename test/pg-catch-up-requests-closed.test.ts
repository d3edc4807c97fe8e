/**
 * A board committed to after the catch-up requests are closed (the last
 * commits of a shutdown while cut off Redis): its request is sent at once,
 * and no throttle timer is left to outlive the instance. The real requests
 * on the real listener and database; another client listens on the channel.
 */
import postgres from 'postgres'
import { expect, it } from 'vitest'
import { createLogger } from '../server/log.ts'
import { CATCH_UP_CHANNEL, PgCatchUpRequests } from '../server/relay/pg-catch-up-requests.ts'
import { PgListener } from '../server/relay/pg-listener.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres')

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length

describeUnless(missing)('catch-up requests asked after close', () => {
  it('are sent at once, with no timer left behind', async () => {
    // A database of its own: the channel is the real one, and no other test's instance hears these requests.
    const database = freshDatabaseName()
    await createDatabase(database)
    const logger = createLogger('silent')
    const listener = new PgListener({ url: databaseUrl(database), connectTimeoutMs: 1000, logger })
    const requests = new PgCatchUpRequests({ listener, instanceId: 'closing', loaded: () => false, catchUp: () => {}, loadedBoards: () => [], logger })
    const other = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
    const heard: string[] = []
    try {
      await other.listen(CATCH_UP_CHANNEL, (payload) => heard.push((JSON.parse(payload) as { boardId: string }).boardId))
      // Sent at once, the throttle's interval begun: a request within it would wait for a timer.
      requests.ask('before-close')
      await waitFor(() => heard.includes('before-close'), 'the request before close to be heard')
      requests.close()

      const before = timers()
      requests.ask('after-close')
      expect(timers()).toBe(before)
      await waitFor(() => heard.includes('after-close'), 'the request after close to be heard')
    } finally {
      await other.end({ timeout: 1 })
      await listener.close()
      await dropDatabase(database)
    }
  })
})
