/**
 * A change whose COMMIT is still under way when the shutdown's deadline
 * passes (a synchronous standby catching up, an fsync stall: here a deferred
 * constraint trigger on the boards that waits, at COMMIT, for a lock the test
 * holds) is answered 503 `outcome_unknown`, not `shutting_down`: PostgreSQL
 * completes the COMMIT whether or not the server is there to hear it, and a
 * client told to try again would make the board twice.
 */
import postgres from 'postgres'
import { afterEach, expect, it } from 'vitest'
import { apiClient } from '../helpers/api.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { databaseUrl, startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

/** The advisory lock the test holds and the trigger waits for. */
const COMMIT_LOCK = 4297

describeUnless(postgresMissing)('a change committing at the shutdown deadline', () => {
  let server: TestServer | undefined
  let database: postgres.Sql | undefined

  afterEach(async () => {
    // Its session ends, and the lock with it: the COMMIT goes on, and the pool's end is not held up.
    await database?.end({ timeout: 1 })
    await server?.destroy()
  })

  it('is answered 503 outcome_unknown with Retry-After and logged as a change; the board is stored once', async () => {
    const logged: string[] = []
    server = await startTestServer({ dialect: 'postgres', env: { SHUTDOWN_TIMEOUT_MS: '300' }, logSink: (line) => logged.push(line) })
    database = postgres(databaseUrl(server.database), { max: 1, onnotice: () => {} })
    await database.unsafe(`
      create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_advisory_xact_lock(${COMMIT_LOCK}); return null; end $$;
      create constraint trigger slow_commit after insert on boards deferrable initially deferred for each row execute function slow_commit();
    `)
    await database`select pg_advisory_lock(${COMMIT_LOCK})`

    const title = 'Made once'
    const creating = apiClient(server.url).post<{ error: { code: string; message: string } }>('/api/boards', { title })
    const db = database
    await waitFor(
      async () => (await db`select 1 from pg_stat_activity where application_name = 'assay' and wait_event = 'advisory' and query ilike 'commit%'`).length === 1,
      'the board’s COMMIT to wait for the lock',
    )
    const closing = server.close()
    const answer = await creating
    expect(answer.status).toBe(503)
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(answer.body.error.code).toBe('outcome_unknown')
    expect(answer.body.error.message).toMatch(/may or may not be stored/)

    await database`select pg_advisory_unlock(${COMMIT_LOCK})`
    await closing
    // What the answer had to allow for: the COMMIT completed once the server had given up on it.
    expect(await database`select 1 from boards where title = ${title}`).toHaveLength(1)
    const abandoned = logged.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.level === 40 && String(entry.msg).includes('abandoned'))
    expect(abandoned).toHaveLength(1)
    expect(abandoned[0]).toMatchObject({ method: 'POST', route: '/api/boards' })
    expect(abandoned[0]?.msg).toContain('outcome_unknown')
  }, 60_000)
})
