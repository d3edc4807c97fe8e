/**
 * `assay import` against a database a server is serving wrote boards behind
 * the server's back: the server holds its boards in memory, with its own
 * bookkeeping of their update logs, so edits were lost or the board diverged.
 * The server holds the serving lock shared while it serves, and the import
 * takes it exclusive or refuses, writing nothing; on PostgreSQL, where the
 * server's lock can lapse for a moment, an import that took it meanwhile, even
 * one done before the server took it again, stops the server. A real server in
 * a process of its own, and the real command line, on each dialect.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { createLogger } from '../../server/log.ts'
import { withDeadline } from '../../server/health/deadline.ts'
import { SERVING_LOCK_APPLICATION, SERVING_LOCK_KEY } from '../../server/storage/pg-serving-lock.ts'
import type { HeldLock } from '../../server/storage/held-lock.ts'
import { DatabaseBeingImported, holdServingLock, takeDatabaseAlone } from '../../server/storage/serving-lock.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { runCli, type CliRun } from '../helpers/run-cli.ts'
import { SAMPLE_ARTICLE } from '../helpers/sample-article.ts'
import { describeEachDialect, describeUnless, missingServices } from '../helpers/services.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, openTestStorage, startTestServer, tempDir, POSTGRES_URL } from '../helpers/test-server.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
/** Each command line and server is a process of its own: room for a loaded machine. */
const TEST_TIMEOUT_MS = 180_000
const REFUSAL = /^assay: a server is serving the (SQLite|PostgreSQL) database.*: nothing was imported\. Import through it instead/

describeEachDialect(postgresMissing, '`assay import` while a server serves the database on %s', (dialect) => {
  let dataDir: string
  let database: string
  let env: Record<string, string>
  let server: ChildServer | undefined
  const held: HeldLock[] = []

  beforeEach(async () => {
    dataDir = tempDir()
    database = freshDatabaseName()
    if (dialect === 'postgres') await createDatabase(database)
    env = { DATA_DIR: dataDir, DATABASE_URL: dialect === 'postgres' ? databaseUrl(database) : '' }
    writeFileSync(join(dataDir, 'article.txt'), SAMPLE_ARTICLE)
  })
  afterEach(async () => {
    await server?.kill()
    server = undefined
    for (const lock of held.splice(0)) await lock.release()
    rmSync(dataDir, { recursive: true, force: true })
    if (dialect === 'postgres') await dropDatabase(database)
  })

  const assay = (...args: string[]): Promise<CliRun> => runCli(args, { LOG_LEVEL: 'silent', ...env })
  const importArticle = (boardId: string, ...more: string[]) => assay('import', join(dataDir, 'article.txt'), '--board', boardId, ...more)
  const serve = async () => {
    server = await startChildServer(dataDir, env)
    return server
  }
  /** The board as its database holds it, read with no server running. */
  const stored = async (boardId: string) => {
    const storage = await openTestStorage(dialect, dataDir, database)
    try {
      return await storedBoard({ services: { storage } }, boardId)
    } finally {
      await storage.close()
    }
  }
  const counts = (board: BoardModel) => ({ sources: board.sources.length, claims: board.claims.length })

  it('refuses while the server serves, writing nothing, and imports once it has stopped', { timeout: TEST_TIMEOUT_MS }, async () => {
    const running = await serve()
    const api = apiClient(running.url)
    const boardId = await api.createBoard('Wagner redeployment')
    expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'Wagner will redeploy' })).status).toBe(201)

    for (const run of await Promise.all([importArticle(boardId), importArticle(boardId, '--preview')])) {
      expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(REFUSAL) })
    }
    // The server carries on, and its board is as it was.
    const served = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    expect({ ...counts(served), assessments: served.assessments.length }).toEqual({ sources: 0, claims: 0, assessments: 1 })

    await running.kill('SIGTERM')
    expect(await running.exited).toEqual({ code: 0, signal: null })
    server = undefined
    expect(counts(await stored(boardId))).toEqual({ sources: 0, claims: 0 })

    const imported = await importArticle(boardId)
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/added \d+ claims and 7 new sources/) })
    const after = await stored(boardId)
    expect(after.sources).toHaveLength(7)
    expect(after.assessments.map((a) => a.title)).toEqual(['Wagner will redeploy'])
  })

  it('is not blocked by a server that was killed with SIGKILL', { timeout: TEST_TIMEOUT_MS }, async () => {
    const running = await serve()
    const boardId = await apiClient(running.url).createBoard('Wagner redeployment')
    await running.kill('SIGKILL')
    server = undefined

    const imported = await importArticle(boardId)
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/added \d+ claims and 7 new sources/) })
    expect(counts(await stored(boardId)).sources).toBe(7)
  })

  it('holds a starting server off until the import has finished, for at most its wait', { timeout: TEST_TIMEOUT_MS }, async () => {
    const config = loadConfig(env)
    const lines: string[] = []
    const logger = createLogger('warn', { write: (line: string) => lines.push(line) })
    const importing = await takeDatabaseAlone(config)
    expect(importing).not.toBeNull()
    held.push(importing!)

    await expect(holdServingLock(config, logger, 500)).rejects.toThrow(DatabaseBeingImported)
    const waiting = holdServingLock(config, logger)
    await waitFor(() => lines.some((line) => line.includes('waiting for it to finish')), 'the server to say it waits for the import')
    await importing!.release()
    held.push(await waiting)
    // Two servers share the lock; an import is refused while either holds it, in another process as in this one.
    // (On SQLite, the second lock's opening of the lock file once let go of this process's first.)
    held.push(await holdServingLock(config, logger, 0))
    expect(await importArticle(crypto.randomUUID())).toMatchObject({ code: 1, stderr: expect.stringMatching(REFUSAL) })
    expect(await takeDatabaseAlone(config)).toBeNull()
  })
})

// SQLite's lock is a file lock of the server's own process, which no one but the process's end takes away.
describeUnless(postgresMissing)('the serving lock of a server on PostgreSQL', () => {
  let dataDir: string
  let database: string
  let server: ChildServer | undefined
  beforeEach(async () => {
    dataDir = tempDir()
    database = freshDatabaseName()
    await createDatabase(database)
  })
  afterEach(async () => {
    await server?.kill()
    rmSync(dataDir, { recursive: true, force: true })
    await dropDatabase(database)
  })

  const env = () => ({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl(database) })
  /** The server's lock sessions holding the lock, seen from `sql`. */
  const lockSessions = async (sql: postgres.Sql) =>
    (
      await sql<{ pid: number }[]>`select a.pid from pg_stat_activity a join pg_locks l on l.pid = a.pid
        where a.datname = ${database} and a.application_name = ${SERVING_LOCK_APPLICATION} and l.locktype = 'advisory' and l.granted`
    ).map((row) => row.pid)
  const theLockSession = async (sql: postgres.Sql) =>
    (await waitFor(async () => ((await lockSessions(sql)).length === 1 ? lockSessions(sql) : undefined), 'the server to hold the lock'))[0]!

  it('is taken again within seconds when its connection is ended', { timeout: TEST_TIMEOUT_MS }, async () => {
    server = await startChildServer(dataDir, env())
    const config = loadConfig(env())
    const sql = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    try {
      const first = await theLockSession(sql)
      expect(await sql`select pg_terminate_backend(${first})`).toHaveLength(1)
      await waitFor(async () => {
        const now = await lockSessions(sql)
        return now.length === 1 && now[0] !== first
      }, 'the server to take the lock again on a new connection')
      expect(await takeDatabaseAlone(config)).toBeNull()
    } finally {
      await sql.end({ timeout: 1 })
    }
  })

  it('stops the server, exiting 1, when an import took it and let it go before the server took it again', { timeout: TEST_TIMEOUT_MS }, async () => {
    writeFileSync(join(dataDir, 'article.txt'), SAMPLE_ARTICLE)
    server = await startChildServer(dataDir, { ...env(), LOG_LEVEL: 'error' })
    const boardId = await apiClient(server.url).createBoard('Wagner redeployment')
    // A client holds the board open: its room, in the server's memory, is what the import would be written behind.
    const client = connectClient(server.wsUrl, boardId)
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    try {
      await client.synced()
      const lockSession = await theLockSession(admin)
      // Stopped, the server cannot check its lock: the import comes and goes within what is otherwise one second.
      server.process.kill('SIGSTOP')
      expect(await admin`select pg_terminate_backend(${lockSession})`).toHaveLength(1)
      await waitFor(async () => (await lockSessions(admin)).length === 0, 'the server’s lock session to end')
      const imported = await runCli(['import', join(dataDir, 'article.txt'), '--board', boardId], { LOG_LEVEL: 'silent', ...env() })
      expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/added \d+ claims and 7 new sources/) })
      server.process.kill('SIGCONT')

      expect(await withDeadline(server.exited, 30_000, 'the server to stop')).toEqual({ code: 1, signal: null })
      const errors = server.logs.map((line) => (JSON.parse(line) as { msg: string }).msg)
      // A read of the count in flight as the server was stopped may end past its deadline, whose timer fires as it goes on.
      const unexplained = errors.filter((message) => message !== 'reading the count of exclusive writes failed')
      expect(unexplained).toEqual([expect.stringMatching(/^an `assay import` took the PostgreSQL database while this server's serving lock was lost: stopping/)])
      server = undefined
    } finally {
      client.destroy()
      await admin.end({ timeout: 1 })
    }
  })

  /** A session of the test's own on the served database: advisory locks and row locks belong to it. */
  const served = () => postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
  /** The sentences (each a claim) of the large article, below. */
  const LARGE_SENTENCES = 400
  /** The session holding the lock exclusive (an import's), once it does. */
  const importLockSession = async (sql: postgres.Sql) =>
    (
      await waitFor(
        async () =>
          (
            await sql<{ pid: number }[]>`select l.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid
              where a.datname = ${database} and a.application_name = ${SERVING_LOCK_APPLICATION} and l.locktype = 'advisory' and l.mode = 'ExclusiveLock' and l.granted`
          )[0]?.pid,
        'the import to take the lock',
        60_000,
      )
    )
  /**
   * The red team's file, cut to a tenth (400 sentences, 20 sources): the test's own locks hold the import where each
   * test needs it, so its size makes no window, and 4,000 sentences cost some seconds of importing and loading.
   */
  const writeLargeArticle = () => {
    const path = join(dataDir, 'large.txt')
    writeFileSync(path, Array.from({ length: LARGE_SENTENCES }, (_, i) => `The convoy number ${i} crossed checkpoint ${i * 7} at dawn near sector ${i % 13}. [citation: Source ${i % 20}]`).join('\n\n'))
    return path
  }
  /** A board on a database no server serves, as an import finds it: made by a server in this process, stopped before the test goes on. */
  const unservedBoard = async () => {
    const first = await startTestServer({ dialect: 'postgres', database })
    try {
      return await apiClient(first.url).createBoard('Convoys')
    } finally {
      await first.destroy()
    }
  }
  /** The board's claims as its database holds them. */
  const storedClaims = async (boardId: string) => {
    const storage = await openTestStorage('postgres', dataDir, database)
    try {
      return (await storedBoard({ services: { storage } }, boardId)).claims.length
    } finally {
      await storage.close()
    }
  }
  const claimsOf = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).claims.length

  it('stops the server, exiting 1, when an import whose own lock lapsed wrote while the server served', { timeout: TEST_TIMEOUT_MS }, async () => {
    const boardId = await unservedBoard()
    const admin = served()
    const countHolder = served()
    let client: TestClient | undefined
    try {
      // The import's write waits on the board's log lock (pg-update-log.ts, append) while the test holds it: past its check that it holds the serving lock.
      await admin`select pg_advisory_lock(hashtext(${'assay-board-log:' + boardId}))`
      // Its write and its count wait on the test's locks as long as the test holds them, rather than give up.
      const patient = { DATABASE_STATEMENT_TIMEOUT_MS: '120000', COMMIT_WAIT_MS: '120000' }
      const importing = runCli(['import', writeLargeArticle(), '--board', boardId], { LOG_LEVEL: 'silent', ...env(), ...patient })
      const importLock = await importLockSession(admin)
      await waitFor(
        async () => (await admin`select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid where a.datname = ${database} and l.locktype = 'advisory' and not l.granted`).length === 1,
        'the import’s write to wait for the board’s log',
        60_000,
      )
      // Its lock's session ends (a DBA, a failover): a server starting now takes the lock and serves the board as stored, without the import.
      expect(await admin`select pg_terminate_backend(${importLock})`).toHaveLength(1)
      server = await startChildServer(dataDir, { ...env(), LOG_LEVEL: 'error' })
      const api = apiClient(server.url)
      client = connectClient(server.wsUrl, boardId)
      await client.synced()
      expect(claimsOf(client, boardId)).toBe(0)

      // The import's count once it has written is held back, to look at the server meanwhile.
      let countLocked!: () => void
      let releaseCount!: () => void
      const locked = new Promise<void>((resolve) => (countLocked = resolve))
      const holding = countHolder.begin(async (tx) => {
        await tx`select count from exclusive_writes for update`
        countLocked()
        await new Promise<void>((release) => (releaseCount = release))
      })
      // Awaited below; should the test fail first, ending the session rejects it, which is no news.
      holding.catch(() => undefined)
      await locked
      await admin`select pg_advisory_unlock(hashtext(${'assay-board-log:' + boardId}))`
      await waitFor(async () => (await storedClaims(boardId)) === LARGE_SENTENCES, 'the import to be stored', 60_000)
      // Stored, yet not in the room the server serves; an edit made there now is stored beside it.
      expect(claimsOf(client, boardId)).toBe(0)
      expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'Convoys will continue' })).status).toBe(201)
      releaseCount()
      await holding
      expect(await importing).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`added ${LARGE_SENTENCES} claims and 20 new sources`)) })

      expect(await withDeadline(server.exited, 30_000, 'the server to stop')).toEqual({ code: 1, signal: null })
      const errors = server.logs.map((line) => JSON.parse(line) as { msg: string })
      expect(errors.map((line) => line.msg)).toEqual([expect.stringMatching(/^an `assay import` took the PostgreSQL database while this server's serving lock was lost: stopping/)])
      client.destroy()

      // Started again, as its supervisor would, it serves both.
      server = await startChildServer(dataDir, env())
      client = connectClient(server.wsUrl, boardId)
      await client.synced()
      const board = boardToModel(client.doc, boardId)
      expect({ claims: board.claims.length, assessments: board.assessments.map((a) => a.title) }).toEqual({ claims: LARGE_SENTENCES, assessments: ['Convoys will continue'] })
    } finally {
      client?.destroy()
      await admin.end({ timeout: 1 })
      await countHolder.end({ timeout: 1 })
    }
  })

  it('refuses the import, writing nothing, when its own lock lapsed before it wrote', { timeout: TEST_TIMEOUT_MS }, async () => {
    const boardId = await unservedBoard()
    const admin = served()
    try {
      // The import waits for the board's turn (pg-board-turns.ts) while the test holds it: before it checks that it holds the serving lock.
      await admin`select pg_advisory_lock(hashtext(${'assay-board-turn:' + boardId}))`
      const importing = runCli(['import', writeLargeArticle(), '--board', boardId], { LOG_LEVEL: 'silent', ...env() })
      expect(await admin`select pg_terminate_backend(${await importLockSession(admin)})`).toHaveLength(1)
      server = await startChildServer(dataDir, { ...env(), LOG_LEVEL: 'error' })
      await admin`select pg_advisory_unlock(hashtext(${'assay-board-turn:' + boardId}))`

      expect(await importing).toMatchObject({
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(/^assay: lost the serving lock of the PostgreSQL database \(its database session ended\), and a server may be serving it: nothing was imported\.[^\n]*\n$/),
      })
      // Its count moved all the same (it counts however it ends): the server that began serving meanwhile stops, as after any import.
      expect(await withDeadline(server.exited, 30_000, 'the server to stop')).toEqual({ code: 1, signal: null })
      server = undefined
      expect(await storedClaims(boardId)).toBe(0)
    } finally {
      await admin.end({ timeout: 1 })
    }
  })

  it('stops the server, exiting 1, when an import takes it before the server takes it again', { timeout: TEST_TIMEOUT_MS }, async () => {
    server = await startChildServer(dataDir, { ...env(), LOG_LEVEL: 'error' })
    // Advisory locks belong to a database: the import's must be taken in the served one.
    const importing = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    try {
      const lockSession = await theLockSession(admin)
      // Queued behind the server's shared lock, the exclusive one is granted the moment that lock's session ends, before the server can try again.
      // execute(): postgres.js sends a query only once it is awaited otherwise.
      const taken = importing.unsafe(`select pg_advisory_lock(${SERVING_LOCK_KEY})`).execute()
      await waitFor(
        async () => (await admin`select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid where a.datname = ${database} and l.locktype = 'advisory' and not l.granted`).length === 1,
        'the exclusive lock to wait for the server’s',
      )
      expect(await admin`select pg_terminate_backend(${lockSession})`).toHaveLength(1)
      await withDeadline(taken, 10_000, 'the exclusive lock')

      expect(await withDeadline(server.exited, 30_000, 'the server to stop')).toEqual({ code: 1, signal: null })
      const errors = server.logs.map((line) => JSON.parse(line) as { msg: string })
      expect(errors.map((line) => line.msg)).toEqual([expect.stringMatching(/^an `assay import` took the PostgreSQL database while this server's serving lock was lost: stopping/)])
      server = undefined
    } finally {
      await importing.end({ timeout: 1 })
      await admin.end({ timeout: 1 })
    }
  })
})
