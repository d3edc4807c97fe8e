/**
 * The checkpoint the oldest kept rows build on, on a real server and both
 * dialects (red team 32c): the byte cap drops the rows through a board's
 * first checkpoint, within the detail window, and a later checkpoint of the
 * same interval comes; the compaction's thinning keeps one checkpoint an
 * interval, and dropped the first, so the rows after it were read as the
 * board's whole history and the board as of any moment before the next
 * checkpoint rebuilt from nothing, marked exact. Each moment read is compared
 * with the board as it was read live at that moment.
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import type { AsOf, BoardHistory } from '../../shared/history-model.ts'
import { historyBytes } from '../../server/history/thin-history.ts'
import { apiClient } from '../helpers/api.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { DAY, HOUR, MINUTE, testClock } from '../helpers/test-clock.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { startThinningServer } from '../helpers/thinning-server.ts'

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'the base of the kept rows on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('is kept when a later checkpoint of its interval comes, and the board as of any moment is what it was or refused', async () => {
    const clock = testClock()
    server = await startThinningServer(dialect, clock)
    const api = apiClient(() => server.url)
    const boardId = await api.createBoard('Base')
    const { history } = server.services.storage
    /** The board as read live now, kept under the time for the as-of reads at the end. */
    const held = new Map<string, BoardModel>()
    const add = async (title: string) => {
      clock.advance(MINUTE)
      expect((await api.post(`/api/boards/${boardId}/assessments`, { title })).status).toBe(201)
      clock.advance(MINUTE)
      const live = await api.get<BoardModel>(`/api/boards/${boardId}`)
      expect(live.status).toBe(200)
      held.set(clock.iso(), live.body)
      return clock.iso()
    }
    const compact = async () => {
      clock.advance(MINUTE)
      await server.services.compaction.compact(boardId)
    }

    const beforeFirst = await add('Alpha')
    await add('Bravo')
    await compact()
    const [first] = await history.checkpoints(boardId)
    await add('Charlie')
    // A cap of one byte under the history: one step, the rows through the first checkpoint, which the rows after it
    // now build on.
    const size = historyBytes(await history.size(boardId))
    const policy = { detailMs: DAY, checkpointEveryMs: HOUR, retentionMs: 3 * DAY, maxBytes: size - 1 }
    expect((await history.thin(boardId, policy, clock.iso())).rowsDropped).toBeGreaterThan(0)
    await add('Delta')
    // Within the same hour as the first, past the minutes a compaction's thinning waits after the last: it keeps one
    // checkpoint an hour, but for the base.
    clock.advance(11 * MINUTE)
    await compact()
    await add('Echo')

    for (const [asOf, live] of held) {
      const read = await api.get<BoardModel>(`/api/boards/${boardId}?asOf=${encodeURIComponent(asOf)}`)
      if (asOf === beforeFirst) {
        // Before the first checkpoint, whose rows are gone: no longer kept, not an empty board.
        expect(read.status).toBe(404)
        expect(read.body).toMatchObject({ error: { code: 'history_not_kept' } })
        continue
      }
      expect(read.status).toBe(200)
      expect(JSON.parse(read.headers.get('assay-as-of')!) as AsOf).toMatchObject({ asOf, exact: true })
      expect(read.body.assessments.map((a) => a.title)).toEqual(live.assessments.map((a) => a.title))
      expect(read.body).toEqual(live)
    }
    expect((await history.checkpoints(boardId)).map((c) => c.throughSeq)).toContain(first!.throughSeq)
    expect((await api.get<BoardHistory>(`/api/boards/${boardId}/history`)).body.detailFrom).toBe(first!.at)
  })
})
