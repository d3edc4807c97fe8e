/**
 * Thinning cut off between its steps, on a real server and both dialects:
 * thinning drops a board's old rows and old checkpoints in statements of
 * their own, and one of them may fail (a statement timeout, a connection
 * cut, a full disk; a process killed stops at the same place). Whichever
 * fails, the board as of a past time is read as the history left holds it,
 * never rebuilt from nothing as a board that never was, and the history
 * says where its detail starts; the next thinning completes the work.
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import type { AsOf, BoardHistory } from '../../shared/history-model.ts'
import { apiClient } from '../helpers/api.ts'
import { refuseDeletes } from '../helpers/refused-deletes.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { DAY, MINUTE, testClock } from '../helpers/test-clock.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { startThinningServer } from '../helpers/thinning-server.ts'

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'thinning cut off between its steps on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  // board_updates: the rows through the new boundary; board_checkpoints: the old checkpoint past the retention period.
  it.each(['board_updates', 'board_checkpoints'])('never shows a board that was not when deleting from %s fails', async (table) => {
    const clock = testClock()
    const t0 = Date.parse(clock.iso())
    server = await startThinningServer(dialect, clock)
    const api = apiClient(() => server.url)
    const boardId = await api.createBoard('Cut')
    /** An assessment added over HTTP a minute later, then the log compacted (a checkpoint) and thinned by the compaction. */
    const addAndCompact = async (title: string) => {
      clock.advance(MINUTE)
      expect((await api.post(`/api/boards/${boardId}/assessments`, { title })).status).toBe(201)
      clock.advance(MINUTE)
      await server.services.compaction.compact(boardId)
    }
    const titles = (board: BoardModel) => board.assessments.map((assessment) => assessment.title)
    // A day after the first checkpoint: the board as the first edit left it, until thinning drops that checkpoint.
    const past = new Date(t0 + DAY).toISOString()
    const asOfPast = () => api.get<BoardModel>(`/api/boards/${boardId}?asOf=${encodeURIComponent(past)}`)
    const detailFrom = async () => (await api.get<BoardHistory>(`/api/boards/${boardId}/history`)).body.detailFrom

    await addAndCompact('Alpha')
    clock.advance(2 * DAY)
    // Past the detail window: the rows the first checkpoint covers go, and it stays, the oldest moment kept.
    await addAndCompact('Bravo')
    const [first, second] = await server.services.storage.history.checkpoints(boardId)
    const intact = await asOfPast()
    expect(intact.status).toBe(200)
    expect(titles(intact.body)).toEqual(['Alpha'])
    expect(await detailFrom()).toBe(first!.at)

    clock.advance(2 * DAY)
    // The first checkpoint is past the retention period and the second is the new boundary: thinning drops the
    // first and the rows through the second, and one of the two fails.
    const allowDeletes = await refuseDeletes(server, table)
    await addAndCompact('Charlie')
    const swept = await server.services.historySweep.runOnce()
    await allowDeletes()
    expect(swept.boards).toBe(0)

    const cut = await asOfPast()
    expect(cut.status).toBe(200)
    expect(titles(cut.body)).toEqual(['Alpha'])
    // Deleting the rows failed: nothing changed. Deleting the checkpoint failed: the rows after it are gone, and the
    // board is as of the checkpoint, the latest moment kept before that time.
    const rowsGone = table === 'board_checkpoints'
    expect(JSON.parse(cut.headers.get('assay-as-of')!) as AsOf).toMatchObject({ asOf: past, at: rowsGone ? first!.at : past, exact: !rowsGone })
    expect(await detailFrom()).toBe(rowsGone ? second!.at : first!.at)

    // Thinned again, whole: the board before the second checkpoint is no longer kept.
    await server.services.historySweep.runOnce()
    const thinned = await asOfPast()
    expect(thinned.status).toBe(404)
    expect(thinned.body).toMatchObject({ error: { code: 'history_not_kept' } })
    expect(await detailFrom()).toBe(second!.at)
  })
})
