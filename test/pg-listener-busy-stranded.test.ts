/**
 * The listening connection (server/relay/pg-listener.ts) stranded (a NAT or
 * firewall that forgot it) while notifications keep being written on it, as
 * an instance cut off Redis with an editor typing sends its catch-up
 * requests: Node counts those writes as activity, so the sockets' silence
 * deadline never comes. The unanswered heartbeat drops the connection
 * anyway, and the listener listens again and hears what is notified after.
 * The real listener against the real database, through a TCP proxy that
 * strands its connections; the later notification sent straight to the database.
 */
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { expect, it } from 'vitest'
import { createLogger } from '../server/log.ts'
import { PgListener } from '../server/relay/pg-listener.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { startTcpProxy } from './helpers/tcp-proxy.ts'
import { POSTGRES_URL } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres')

/** The listener's silence deadline (15 s) and a retry: a bound, not a measurement. */
const RELISTEN_MS = 40_000

describeUnless(missing)('the PostgreSQL listening connection stranded while notifications are written on it', () => {
  it('is dropped once its heartbeat goes unanswered, listened again, and hears the next notification', async () => {
    const target = new URL(POSTGRES_URL)
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
    const throughProxy = new URL(POSTGRES_URL)
    throughProxy.host = `127.0.0.1:${proxy.port}`
    const channel = `assay_test_busy_${randomBytes(6).toString('hex')}`
    const listener = new PgListener({ url: throughProxy.href, connectTimeoutMs: 1000, logger: createLogger('silent') })
    const heard: string[] = []
    const listens: boolean[] = []
    listener.hear(channel, { received: (payload) => heard.push(payload), listened: (afterGap) => listens.push(afterGap) })
    const direct = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    let writing: NodeJS.Timeout | undefined
    try {
      listener.onAttached()
      await waitFor(() => listens.length === 1, 'the listener to listen')
      // A catch-up request sent before, as on any connection of an instance cut off Redis for a while: postgres.js
      // describes a statement's parameters the first time, holding later queries back until answered, and only after
      // that writes each as it comes.
      listener.notify(channel, 'a first catch-up request')
      await waitFor(() => heard.includes('a first catch-up request'), 'the first request to be heard')

      proxy.strand()
      // Catch-up requests keep being written on the stranded connection, each resetting its sockets' silence deadline: one
      // a second, as an instance cut off Redis sends for a board being edited (postgres.js writes up to 100 unanswered
      // queries, so at this pace for well past the bound below).
      writing = setInterval(() => listener.notify(channel, 'a catch-up request'), 1000)
      await waitFor(() => listens.length === 2, 'the listener to drop the unanswering connection and listen again', RELISTEN_MS)
      expect(listens[1]).toBe(true)

      clearInterval(writing)
      await direct.unsafe(`select pg_notify('${channel}', 'after the listen again')`)
      await waitFor(() => heard.includes('after the listen again'), 'the notification after the listen again to be heard')
    } finally {
      clearInterval(writing)
      await listener.close()
      await direct.end({ timeout: 1 })
      await proxy.close()
    }
  }, 90_000)
})
