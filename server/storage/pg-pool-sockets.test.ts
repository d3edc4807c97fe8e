/**
 * A pool's end on the machine's PostgreSQL: it waits for a query still
 * running, and not for a connection whose backend was ended under its query
 * (postgres.js alone waits its whole timeout for that one). A connection's
 * silence deadline (boundedStatements): a thread held past it while the
 * answer came does not drop the connection, which reads the answer; a
 * connection that truly hears nothing (a TCP proxy that stops forwarding) is
 * dropped, and the next query connects afresh, one asked for as it is
 * dropped (a caller trying again) too.
 */
import type { Socket } from 'node:net'
import postgres from 'postgres'
import { afterAll, expect, it } from 'vitest'
import { withDeadline } from '../health/deadline.ts'
import { describeUnless, missingServices } from '../../test/helpers/services.ts'
import { POSTGRES_URL } from '../../test/helpers/test-server.ts'
import { waitFor } from '../../test/helpers/wait-for.ts'
import { stallThreadUntil } from '../../test/helpers/stalled-thread.ts'
import { startTcpProxy } from '../../test/helpers/tcp-proxy.ts'
import { unreadBytes } from '../../test/helpers/unread-bytes.ts'
import { PoolSockets, SILENCE_MARGIN_MS, type SocketOption } from './pg-pool-sockets.ts'
import { DATABASE_SILENT } from './storage-errors.ts'
import { boundedClient, WITHOUT_ARRAY_TYPES } from './postgres.ts'

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

describeUnless(missing)('a connection’s silence deadline', () => {
  /**
   * A client of one connection with the server's settings (postgres.ts's
   * boundedClient), at `url`, and the sockets it opened, each with the silence
   * deadlines it reached and whether it closed.
   */
  const watchedClient = (url: string, statementTimeoutMs: number) => {
    const { settings, sockets } = boundedClient({ statementTimeoutMs, connectTimeoutMs: 1000 }, { max: 1, applicationName: 'assay-pool-sockets-test' })
    const opened: { socket: Socket; deadlines: number; closed: boolean }[] = []
    const socket: SocketOption['socket'] = (options) => {
      const opening = { socket: settings.socket(options), deadlines: 0, closed: false }
      opening.socket.on('timeout', () => opening.deadlines++)
      opening.socket.once('close', () => (opening.closed = true))
      opened.push(opening)
      return opening.socket
    }
    const watched: typeof settings = { ...settings, socket }
    return { sql: postgres(url, watched), sockets, silenceMs: statementTimeoutMs + SILENCE_MARGIN_MS, opened }
  }

  it('keeps a connection whose answer came while the thread was held past the deadline', async () => {
    /** Long enough for the query to be seen written before its answer comes, the thread held before that. */
    const QUERY_SECONDS = 2
    /** Far past the query's answer, on a loaded machine too. */
    const ANSWER_DEADLINE_MS = 20_000
    const { sql, sockets, silenceMs, opened } = watchedClient(POSTGRES_URL, 2 * QUERY_SECONDS * 1000)
    try {
      await sql`select 1`
      const [connection] = opened
      const written = connection!.socket.bytesWritten
      const answer = sql<{ answer: string }[]>`select pg_sleep(${QUERY_SECONDS}), 'answered' as answer`.execute()
      await waitFor(() => connection!.socket.bytesWritten > written, 'the query to be written')
      // Held from the query's writing until past the silence deadline and until its answer has come, waiting in the kernel.
      // Held as work a socket or an immediate starts is (not a timer's: the turn's timers were read before it), so that the
      // next turn runs its timers, the deadline among them, before it reads what came.
      const answered = await new Promise<boolean>((resolve) => setImmediate(() => resolve(stallThreadUntil(() => unreadBytes(connection!.socket) > 0, silenceMs, ANSWER_DEADLINE_MS))))
      expect(answered, 'the answer to come while the thread was held').toBe(true)
      expect((await answer)[0]?.answer).toBe('answered')
      // The deadline passed while the thread was held, and the connection read its answer: kept, and answering.
      expect(connection!.deadlines).toBeGreaterThanOrEqual(1)
      expect((await sql<{ again: number }[]>`select 2 as again`)[0]?.again).toBe(2)
      expect(opened).toHaveLength(1)
      expect(connection!.socket.destroyed).toBe(false)
    } finally {
      await sockets.end(sql, 1)
    }
  }, 30_000)

  it('drops a connection that hears nothing, and the next query connects afresh', async () => {
    const target = new URL(POSTGRES_URL)
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
    const throughProxy = new URL(POSTGRES_URL)
    throughProxy.host = `127.0.0.1:${proxy.port}`
    const { sql, sockets, opened } = watchedClient(throughProxy.href, 1000)
    try {
      await sql`select 1`
      // Nothing forwarded either way, nothing said of it: a half-open network.
      proxy.blackhole()
      const unanswered = await sql`select 1`.then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      )
      expect(unanswered).toBe(DATABASE_SILENT)
      // Closed, not only failed: the socket of a connection postgres.js takes for closed.
      await waitFor(() => opened[0]!.closed, 'the silent connection to close')
      proxy.restore()
      expect((await sql<{ again: number }[]>`select 2 as again`)[0]?.again).toBe(2)
      expect(opened.length).toBeGreaterThanOrEqual(2)
    } finally {
      await sockets.end(sql, 1)
      await proxy.close()
    }
  }, 30_000)

  it('answers a query asked for as the silent connection is dropped', async () => {
    /** Far past a fresh connection's opening (its connect timeout 1 s), where a stranded query waited for another query to come. */
    const SETTLED_DEADLINE_MS = 5000
    const target = new URL(POSTGRES_URL)
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
    const throughProxy = new URL(POSTGRES_URL)
    throughProxy.host = `127.0.0.1:${proxy.port}`
    const { sql, sockets } = watchedClient(throughProxy.href, 1000)
    try {
      await sql`select 1`
      proxy.blackhole()
      // Asked for as soon as the first query fails, as a caller trying again does: after the socket's error, before its close.
      const asked = sql`select 1`.then(
        () => ({ first: 'answered', next: Promise.resolve('not asked') }),
        (error: { code?: string }) => ({
          first: error.code,
          next: sql`select 1`.then(
            () => 'answered',
            (nextError: { code?: string }) => nextError.code ?? 'failed',
          ),
        }),
      )
      const { first, next } = await asked
      expect(first).toBe(DATABASE_SILENT)
      proxy.restore()
      // Answered on a fresh connection: not left unsent until another query reconnected, nor that connection left mute.
      expect(await withDeadline(next, SETTLED_DEADLINE_MS, 'the query asked for as the connection was dropped')).toBe('answered')
      expect((await sql<{ again: number }[]>`select 2 as again`)[0]?.again).toBe(2)
    } finally {
      await sockets.end(sql, 1)
      await proxy.close()
    }
  }, 30_000)
})
