/**
 * The connection on which an instance of several hears the others through
 * PostgreSQL (server/relay/pg-listener.ts: rights taken away, catch-up
 * requests) goes silent for good, never closed (a NAT or firewall that forgot
 * it): the instance notices the silence, listens again on a fresh connection,
 * and hears what is notified after. A real instance whose database is behind
 * a TCP proxy that strands the connections open, the notifications sent by
 * another client straight to the database.
 */
import postgres from 'postgres'
import { expect, it } from 'vitest'
import { CATCH_UP_CHANNEL } from '../server/relay/pg-catch-up-requests.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { createMigratedDatabase, databaseUrl, dropDatabase, freshDatabaseName } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

/** The listener's silence deadline (15 s) and a retry: a bound, not a measurement. */
const RELISTEN_MS = 40_000

describeUnless(missing)('the PostgreSQL listening connection stranded', () => {
  const { start, throughProxy, servers } = instancesAfterEach()

  it('is noticed as silent although its heartbeats keep being written, listened again, and hears the next notification', async () => {
    const database = freshDatabaseName()
    await createMigratedDatabase(database)
    const { proxy, url } = await throughProxy(databaseUrl(database))
    const logged: { msg: string; channel?: string }[] = []
    const one = await start({
      database,
      env: { DATABASE_URL: url, DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000' },
      logSink: (line) => void logged.push(JSON.parse(line) as { msg: string; channel?: string }),
    })
    const direct = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
    try {
      const listens = () => logged.filter((line) => line.msg.startsWith('listening to the other instances through PostgreSQL')).length
      const dropped = () => logged.filter((line) => line.msg === 'a notification from another instance dropped' && line.channel === CATCH_UP_CHANNEL).length
      await waitFor(() => listens() === 1, 'the instance to listen')

      // Its connections go silent for good, never closed; new ones get through.
      proxy.strand()
      await waitFor(() => listens() === 2, 'the instance to notice the silence and listen again', RELISTEN_MS)
      // Heard again: a malformed request is read (and dropped), where the stranded connection would hear nothing.
      await direct.unsafe(`select pg_notify('${CATCH_UP_CHANNEL}', 'not a request')`)
      await waitFor(() => dropped() === 1, 'the notification after the listen again to be heard')
      expect(listens()).toBe(2)
    } finally {
      await direct.end({ timeout: 1 })
      await one.destroy()
      servers.splice(servers.indexOf(one), 1)
      await dropDatabase(database)
    }
  }, 90_000)
})
