/**
 * Imports (and restores) take their board's turn across instances: the same
 * import sent to two instances on one PostgreSQL and Redis at once, as a load
 * balancer spreads it or retries it on the other, is planned on the board the
 * other's left, so it lands once and the rest are recognized as already
 * imported. And an instance whose room has not yet heard, over Redis, what
 * another stored catches up from the log before it applies a change planned on
 * that log.
 */
import postgres from 'postgres'
import { expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { withDeadline } from '../server/health/deadline.ts'
import { addAccount, addToken } from './helpers/accounts.ts'
import { apiClient, type ApiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { LoadGate } from './helpers/load-gate.ts'
import { SAMPLE_ARTICLE } from './helpers/sample-article.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, POSTGRES_URL, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

/** Two instances, a child process started among them, on a loaded machine. */
const STORY_MS = 90_000
/** How long an import may take to answer when its turn's connection was dropped unsaid: the hold limit of that test, 3 s, with room for a loaded machine. */
const ANSWER_MS = 20_000
/** How long the server may take to serve the board's imports again once new connections get through: a bound, not a measurement. */
const RECOVERY_MS = 45_000
/** The same import sent this many times to each instance at once. */
const SENDS_PER_INSTANCE = 3

type ImportBody = { outcome: string; sources: { name: string }[]; claims: unknown[] }

describeUnless(missing)('imports take their board’s turn across instances on PostgreSQL and Redis', () => {
  const { servers, start, startChild, connect, throughProxy, redisThroughProxy } = instancesAfterEach()

  const importEverywhere = async (instances: { url: string }[], boardId: string) => {
    const sends = instances.flatMap((instance) => Array.from({ length: SENDS_PER_INSTANCE }, () => apiClient(instance.url).post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })))
    const answers = await Promise.all(sends)
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200))
    const imported = answers.filter((answer) => answer.body.outcome === 'import')
    expect(imported).toHaveLength(1)
    expect(answers.filter((answer) => answer.body.outcome === 'already-imported')).toHaveLength(answers.length - 1)
    return imported[0]!.body
  }

  /**
   * The sessions holding a board's turn, its change being worked out (a transaction open, its last statement the end
   * of its wait for a commit in flight, pg-board-turns.ts), on `database`.
   */
  const turnSessions = async (admin: postgres.Sql, database: string) =>
    (
      await admin<{ pid: number }[]>`select pid from pg_stat_activity
        where datname = ${database} and application_name = 'assay-board-turns' and state = 'idle in transaction' and query ilike 'rollback to savepoint%'`
    ).map((row) => row.pid)

  /** The sessions waiting for a lock on the database `admin` is connected to. */
  const lockWaits = async (admin: postgres.Sql) => (await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`).length

  const turnLostCode = (body: unknown) => (body as { error?: { code?: string } }).error?.code

  const expectImportedOnce = (board: BoardModel, imported: ImportBody) => {
    expect(board.documents).toHaveLength(1)
    expect(board.claims).toHaveLength(imported.claims.length)
    expect(board.sources.map((source) => source.name).sort()).toEqual(imported.sources.map((source) => source.name).sort())
  }

  it('the same import sent to two instances in two processes at once lands once', async () => {
    const one = await start()
    const two = await startChild(one.database)
    const boardId = await apiClient(one.url).createBoard('Imported once')
    const imported = await importEverywhere([one, two], boardId)
    expectImportedOnce(await storedBoard(one, boardId), imported)
  }, STORY_MS)

  it('two instances in one process keep their turns apart and still land it once', async () => {
    const one = await start()
    const two = await start({ database: one.database })
    expect(two.services.preparedChanges).not.toBe(one.services.preparedChanges)
    const boardId = await apiClient(one.url).createBoard('Imported once')
    const imported = await importEverywhere([one, two], boardId)
    expectImportedOnce(await storedBoard(one, boardId), imported)
  }, STORY_MS)

  it('an instance that has not heard another’s import catches up from the log before applying one planned on it', async () => {
    const one = await start()
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, redisUrl })
    const boardId = await apiClient(one.url).createBoard('Behind on Redis')
    const watcher = connect(two, boardId)
    await watcher.synced()
    // Two hears nothing more from Redis: one's import reaches its room only through the log.
    proxy.blackhole()
    const first = await apiClient(one.url).post<ImportBody>(`/api/boards/${boardId}/import`, { text: 'The convoy left at dawn. [citation: NATO]' })
    expect(first.body.outcome).toBe('import')
    expect(boardToModel(two.services.rooms.loadedRooms.get(boardId)!.doc, boardId).claims).toHaveLength(0)
    // Planned on the log, this import cites the source the first one added, which two's room did not hold.
    const second = await apiClient(two.url).post<ImportBody>(`/api/boards/${boardId}/import`, { text: 'The bridge was down by noon. [citation: NATO]' })
    expect(second.status).toBe(200)
    expect(second.body.outcome).toBe('import')
    const board = await storedBoard(one, boardId)
    expect(board.sources.map((source) => source.name)).toEqual(['NATO'])
    expect(board.claims.map((claim) => claim.text).sort()).toEqual(['The bridge was down by noon.', 'The convoy left at dawn.'])
    await waitFor(() => boardToModel(watcher.doc, boardId).claims.length === 2, 'both imports at the client of the instance behind')
  }, STORY_MS)

  /** A board of two cards on `one`, its room on `two` (with a client) holding both, then `two` hearing nothing more from Redis. */
  const boardBehindOnDeletions = async (title: string) => {
    const one = await start({ accounts: true })
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, redisUrl, accounts: true })
    // The board's owner, who may restore it.
    const { token } = await addToken(one, await addAccount(one, { name: 'Olga Owner' }))
    const api = apiClient(one.url, { authorization: `Bearer ${token}` })
    const apiTwo = apiClient(two.url, { authorization: `Bearer ${token}` })
    const boardId = await api.createBoard(title)
    const card = async (cardTitle: string) => (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: cardTitle })).body.id
    const kept = await card('Kept')
    const deleted = await card('Deleted elsewhere')
    const watcher = connect(two, boardId, { token })
    await watcher.synced()
    await waitFor(() => boardToModel(watcher.doc, boardId).assessments.length === 2, 'both cards at the client of two')
    proxy.blackhole()
    return { two, api, apiTwo, boardId, kept, deleted, watcher }
  }

  /** Deletes the card on one: a change of deletions only, which leaves the board's state vector as it was. */
  const deleteOnOne = async (api: ApiClient, two: TestServer, boardId: string, cardId: string) => {
    expect((await api.delete(`/api/boards/${boardId}/assessments/${cardId}`)).status).toBe(204)
    expect((await storedBoard(two, boardId)).assessments.map((assessment) => assessment.id)).not.toContain(cardId)
    expect(boardToModel(two.services.rooms.loadedRooms.get(boardId)!.doc, boardId).assessments.map((assessment) => assessment.id)).toContain(cardId)
  }

  it('an instance that has not heard another’s deletion catches up from the log before applying an import planned on it', async () => {
    const { two, api, apiTwo, boardId, kept, deleted, watcher } = await boardBehindOnDeletions('Behind on a deletion')
    await deleteOnOne(api, two, boardId, deleted)
    const imported = await apiTwo.post<ImportBody>(`/api/boards/${boardId}/import`, { text: 'The convoy left at dawn. [citation: NATO]' })
    expect(imported.body.outcome).toBe('import')
    expect(boardToModel(two.services.rooms.loadedRooms.get(boardId)!.doc, boardId).assessments.map((assessment) => assessment.id)).toEqual([kept])
    await waitFor(() => boardToModel(watcher.doc, boardId).claims.length === 1, 'the import at the client of the instance behind')
    expect(boardToModel(watcher.doc, boardId).assessments.map((assessment) => assessment.id)).toEqual([kept])
  }, STORY_MS)

  it('an instance that has not heard another’s deletion restores a snapshot as it is, the deleted card back', async () => {
    const { two, api, apiTwo, boardId, kept, deleted } = await boardBehindOnDeletions('Restored behind on a deletion')
    const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Both cards' })
    expect(snapshot.status).toBe(201)
    await deleteOnOne(api, two, boardId, deleted)
    const restored = await apiTwo.post<{ changed: boolean }>(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/restore`)
    expect(restored.status).toBe(200)
    expect(restored.body.changed).toBe(true)
    expect((await storedBoard(two, boardId)).assessments.map((assessment) => assessment.id).sort()).toEqual([kept, deleted].sort())
  }, STORY_MS)

  it('a turn whose database session ends under its import keeps the board until the import is refused, and the import sent meanwhile lands once', async () => {
    const loads = new LoadGate('before-read')
    const one = await start({ wrapStorage: loads.wrap })
    const api = apiClient(one.url)
    const boardId = await api.createBoard('Turn lost midway')
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    try {
      loads.hold()
      const first = api.post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })
      await waitFor(async () => loads.waiting > 0 && (await turnSessions(admin, one.database)).length === 1, 'the first import to hold the turn, at its read of the board')
      const [ended] = await turnSessions(admin, one.database)
      await admin`select pg_terminate_backend(${ended!})`
      await waitFor(async () => (await admin`select 1 from pg_stat_activity where pid = ${ended!}`).length === 0, 'the turn’s session to end')
      // Sent while the first import still works: it must wait for it, not plan on the same board beside it.
      const second = api.post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })
      loads.release()
      const [lost, landed] = await Promise.all([first, second])
      expect([lost.status, turnLostCode(lost.body)]).toEqual([503, 'turn_lost'])
      expect([landed.status, landed.body.outcome]).toEqual([200, 'import'])
      expectImportedOnce(await storedBoard(one, boardId), landed.body)
    } finally {
      loads.release()
      await admin.end({ timeout: 1 })
    }
  }, STORY_MS)

  it('an import whose turn was lost midway is refused rather than landing beside the import another instance made in the turn', async () => {
    const loads = new LoadGate('after-read')
    const one = await start({ wrapStorage: loads.wrap })
    const two = await start({ database: one.database })
    const boardId = await apiClient(one.url).createBoard('Turn lost, taken by another')
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    try {
      loads.hold()
      const first = apiClient(one.url).post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })
      await waitFor(async () => loads.waiting > 0 && (await turnSessions(admin, one.database)).length === 1, 'the first import to hold the turn, the board read')
      const [ended] = await turnSessions(admin, one.database)
      await admin`select pg_terminate_backend(${ended!})`
      // The other instance takes the turn the first lost, and imports on the board the first read.
      const second = await apiClient(two.url).post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })
      expect([second.status, second.body.outcome]).toEqual([200, 'import'])
      loads.release()
      const lost = await first
      expect([lost.status, turnLostCode(lost.body)]).toEqual([503, 'turn_lost'])
      expectImportedOnce(await storedBoard(two, boardId), second.body)
    } finally {
      loads.release()
      await admin.end({ timeout: 1 })
    }
  }, STORY_MS)

  it('a turn taken while the change of the turn lost before is being committed waits for that commit before it reads the board', async () => {
    const loads = new LoadGate('after-read')
    const one = await start({ wrapStorage: loads.wrap })
    const two = await start({ database: one.database })
    const boardId = await apiClient(one.url).createBoard('Commit in flight')
    const admin = postgres(databaseUrl(one.database), { max: 2, onnotice: () => {} })
    const inserts = admin.reserve()
    // The board is loaded before anything is held: its room stores nothing more on the way.
    await connect(one, boardId).synced()
    try {
      loads.hold()
      const first = apiClient(one.url).post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })
      // Its session shows as holding the turn a moment after the statements that took it have answered.
      await waitFor(async () => loads.waiting > 0 && (await turnSessions(admin, one.database)).length === 1, 'the first import to hold the turn, the board read')
      const [ended] = await turnSessions(admin, one.database)
      // The log takes no rows for now: the first import's commit finds its turn held, then waits to write.
      const held = await inserts
      await held`begin`
      await held`lock table board_updates in share mode`
      loads.release()
      await waitFor(async () => (await lockWaits(admin)) === 1, 'the first import’s commit, past its check, to wait to write')
      await admin`select pg_terminate_backend(${ended!})`
      const second = apiClient(two.url).post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })
      // It waits for that commit, at the latest to commit its own import (before the fence's row lock: planned on the board without the first).
      await waitFor(async () => (await lockWaits(admin)) === 2, 'the other instance’s import to wait for the commit in flight')
      await held`commit`
      const answers = await Promise.all([first, second])
      expect(answers.map((answer) => [answer.status, answer.body.outcome])).toEqual([
        [200, 'import'],
        [200, 'already-imported'],
      ])
      expectImportedOnce(await storedBoard(two, boardId), answers[0].body)
    } finally {
      loads.release()
      ;(await inserts).release()
      await admin.end({ timeout: 1 })
    }
  }, STORY_MS)

  it('a turn whose connection the network drops unsaid gives its board up within the hold limit', async () => {
    const database = freshDatabaseName()
    await createDatabase(database)
    const { proxy, url } = await throughProxy(databaseUrl(database))
    const loads = new LoadGate('after-read')
    const env = { DATABASE_URL: url, DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000', BOARD_TURN_HOLD_LIMIT_MS: '3000' }
    const one = await start({ database, wrapStorage: loads.wrap, env })
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    try {
      const api = apiClient(one.url)
      const boardId = await api.createBoard('Turn stranded')
      loads.hold()
      const first = api.post<ImportBody>(`/api/boards/${boardId}/import`, { text: 'The convoy left at dawn. [citation: NATO]' })
      await waitFor(async () => loads.waiting > 0 && (await turnSessions(admin, database)).length === 1, 'the import to hold the turn, at a read of the board')
      // Its connections go silent for good, never closed; new ones get through.
      proxy.strand()
      loads.release()
      // Answered, as the outage lets it be (its commits met the stranded storage's connections too), not left waiting for good.
      expect([200, 503]).toContain((await withDeadline(first, ANSWER_MS, 'the import whose turn was stranded')).status)
      // And the board is free: a later import lands once the database answers again.
      const later = () => api.post<ImportBody>(`/api/boards/${boardId}/import`, { text: 'The bridge was down by noon. [citation: NATO]' })
      await waitFor(async () => (await withDeadline(later(), ANSWER_MS, 'a later import on the board')).status === 200, 'a later import on the board to land', RECOVERY_MS)
      expect((await storedBoard(one, boardId)).claims.map((claim) => claim.text)).toContain('The bridge was down by noon.')
    } finally {
      loads.release()
      await admin.end({ timeout: 1 })
      await one.destroy()
      servers.splice(servers.indexOf(one), 1)
      await dropDatabase(database)
    }
  }, STORY_MS)
})
