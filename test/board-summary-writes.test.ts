/**
 * The board list's summary of a board is written after its changes, one write
 * at a time and in order: a write held up (a slow connection of PostgreSQL's
 * pool) does not land after the newer one and leave the list stale, and a write
 * that fails is tried again without waiting for the board's next change. Run
 * on SQLite and PostgreSQL, through the real storage with its summary writes
 * held or failed at the test's word.
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardListing } from '../shared/board-listing.ts'
import type { BoardSummary, Storage } from '../server/storage/storage.ts'
import { addAccount, signedInClient } from './helpers/accounts.ts'
import { Gate } from './helpers/gate.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { startTestServer, type Dialect, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

/** Summary writes pass through `gate`, and the next `failures` of them fail after it. */
class SummaryWrites {
  readonly gate = new Gate()
  failures = 0
  /** Writes asked of the storage, and the summaries it has written, in the order written. */
  attempts = 0
  readonly landed: BoardSummary[] = []

  wrap = (storage: Storage): Storage => {
    const boards = storage.boards
    const summarize: Storage['boards']['summarize'] = async (id, summary) => {
      this.attempts++
      await this.gate.pass()
      if (this.failures > 0) {
        this.failures--
        throw new Error('the database is away a moment')
      }
      await boards.summarize(id, summary)
      this.landed.push(summary)
    }
    return { ...storage, boards: Object.assign(Object.create(boards) as Storage['boards'], { summarize }) }
  }
}

describeEachDialect(postgresMissing, 'the board summary written on %s', (dialect: Dialect) => {
  let server: TestServer | undefined

  afterEach(async () => {
    await server?.destroy()
    server = undefined
  })

  const start = async () => {
    const writes = new SummaryWrites()
    server = await startTestServer({ accounts: true, dialect, wrapStorage: writes.wrap })
    const api = await signedInClient(server, await addAccount(server, { name: 'Olga Owner' }))
    const boardId = await api.createBoard('Wagner mutiny — Vilnius')
    const listed = async () => (await api.get<BoardListing[]>('/api/boards')).body.find((board) => board.id === boardId)
    const addAssessment = async (title: string) => {
      expect((await api.post(`/api/boards/${boardId}/assessments`, { title })).status).toBe(201)
    }
    return { writes, listed, addAssessment }
  }

  it('lands the newer summary last when an older write is held up', async () => {
    const { writes, listed, addAssessment } = await start()
    writes.gate.hold(1)
    // Nobody holds the room: each change's summary is written as soon as it is committed.
    await addAssessment('Wagner is absorbed')
    await waitFor(() => writes.gate.waiting === 1, 'a write to be held')
    await addAssessment('Prigozhin goes to Minsk')
    writes.gate.release()
    // Every write asked for has landed, the newest summary among them.
    await waitFor(() => writes.landed.length === writes.attempts && writes.landed.some((summary) => summary.assessmentCount === 2), 'every write to land')
    expect(writes.landed.at(-1)?.assessmentCount).toBe(2)
    expect((await listed())?.assessmentCount).toBe(2)
  })

  it('writes a summary again after its write failed, with no further change to the board', async () => {
    const { writes, listed, addAssessment } = await start()
    writes.failures = 1
    await addAssessment('Wagner is absorbed')
    await waitFor(async () => (await listed())?.assessmentCount === 1, 'the summary written again', 20_000)
    expect(writes.attempts).toBeGreaterThanOrEqual(2)
  })
})
