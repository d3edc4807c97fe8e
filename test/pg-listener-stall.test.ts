/**
 * The thread of an instance held past the listening connection's silence
 * deadline (server/relay/pg-listener.ts), as a large board applied holds it,
 * just after a heartbeat was written: the answer came meanwhile and waits in
 * the kernel. The listener reads it before it judges the heartbeat unanswered
 * (destroyUnlessRead, shared with the pool's sockets), so the healthy
 * connection is kept, listened on once, and hears the next notification. The
 * real listener on the real database, reached directly: a proxy in this
 * process would be held too, and the answer not come. A connection that
 * truly hears nothing is dropped (pg-listener-stranded.test.ts,
 * pg-listener-busy-stranded.test.ts).
 */
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { expect, it } from 'vitest'
import { createLogger } from '../server/log.ts'
import { HEARTBEAT_MS, PgListener, SILENT_AFTER_MS } from '../server/relay/pg-listener.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { stallThread } from './helpers/stalled-thread.ts'
import { POSTGRES_URL } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres')

/** Past the deadline: the thread is held from just after the heartbeat's writing until this long after it. */
const STALL_MS = SILENT_AFTER_MS + 1000

describeUnless(missing)('the PostgreSQL listener while its thread is held', () => {
  it('keeps a connection whose heartbeat was answered while the thread was held past the deadline', async () => {
    const channel = `assay_test_stall_${randomBytes(6).toString('hex')}`
    const logged: { msg: string }[] = []
    const listener = new PgListener({ url: POSTGRES_URL, connectTimeoutMs: 1000, logger: createLogger('debug', { write: (line: string) => void logged.push(JSON.parse(line) as { msg: string }) }) })
    // Made just after the listener's heartbeat timer, with its period: each run comes just after a heartbeat, in the same turn.
    let stalled = false
    const heard: string[] = []
    const listens: boolean[] = []
    const afterHeartbeat = setInterval(() => {
      if (listens.length === 0) return
      clearInterval(afterHeartbeat)
      // postgres.js writes the heartbeat's query in an immediate queued before this one; held as work an immediate starts
      // is (the next turn runs its timers, the deadline among them, before it reads what came).
      setImmediate(() => {
        stallThread(STALL_MS)
        stalled = true
      })
    }, HEARTBEAT_MS)
    listener.hear(channel, { received: (payload) => heard.push(payload), listened: (afterGap) => listens.push(afterGap) })
    const direct = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    try {
      listener.onAttached()
      await waitFor(() => listens.length === 1, 'the listener to listen')
      await waitFor(() => stalled, 'the thread to be held after a heartbeat', HEARTBEAT_MS + STALL_MS + 10_000)

      await direct.unsafe(`select pg_notify('${channel}', 'after the stall')`)
      await waitFor(() => heard.includes('after the stall'), 'the notification after the stall to be heard')
      expect(listens).toEqual([false])
      expect(logged.filter((line) => line.msg.includes('went unanswered'))).toEqual([])
    } finally {
      clearInterval(afterHeartbeat)
      await listener.close()
      await direct.end({ timeout: 1 })
    }
  }, 60_000)
})
