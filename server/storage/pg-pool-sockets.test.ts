/**
 * A pool's end on the machine's PostgreSQL: it waits for a query still
 * running, and not for a connection whose backend was ended under its query
 * (postgres.js alone waits its whole timeout for that one).
 */
import postgres from 'postgres'
import { afterAll, expect, it } from 'vitest'
import { withDeadline } from '../health/deadline.ts'
import { describeUnless, missingServices } from '../../test/helpers/services.ts'
import { POSTGRES_URL } from '../../test/helpers/test-server.ts'
import { waitFor } from '../../test/helpers/wait-for.ts'
import { PoolSockets, type SocketOption } from './pg-pool-sockets.ts'
import { WITHOUT_ARRAY_TYPES } from './postgres.ts'

const missing = await missingServices('postgres')

/** The pool's end timeout, far past the test's deadline: a pool that waits it out fails the test. */
const END_TIMEOUT_SECONDS = 120
const END_DEADLINE_MS = 20_000

describeUnless(missing)('ending a pool of PostgreSQL connections', () => {
  const pool = () => {
    const application = `assay-pool-end-${crypto.randomUUID()}`
    const sockets = new PoolSockets(60_000)
    const settings: postgres.Options<Record<string, never>> & SocketOption = { max: 2, ...WITHOUT_ARRAY_TYPES, onnotice: () => {}, socket: sockets.open, connection: { application_name: application } }
    const sql = postgres(POSTGRES_URL, settings)
    return { application, sockets, sql }
  }
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
  afterAll(() => admin.end({ timeout: 1 }))
  const running = (application: string) =>
    waitFor(async () => (await admin`select 1 from pg_stat_activity where application_name = ${application} and state = 'active'`).length === 1, 'the query to run')

  it('does not wait for a connection whose backend was ended under its query', async () => {
    const { application, sockets, sql } = pool()
    const sleeping = sql`select pg_sleep(60)`.then(
      () => 'finished',
      (error: { code?: string }) => error.code,
    )
    await running(application)
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${application}`
    expect(await sleeping).not.toBe('finished')
    await withDeadline(sockets.end(sql, END_TIMEOUT_SECONDS), END_DEADLINE_MS, 'the pool’s end')
  })

  it('lets a query still running finish', async () => {
    const { application, sockets, sql } = pool()
    const sleeping = sql<{ done: string }[]>`select pg_sleep(0.5), 'done' as done`.execute()
    await running(application)
    await withDeadline(sockets.end(sql, END_TIMEOUT_SECONDS), END_DEADLINE_MS, 'the pool’s end')
    expect((await sleeping)[0]?.done).toBe('done')
  })
})
