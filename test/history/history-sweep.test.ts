/**
 * The hourly history sweep, on a real server and both dialects: a board
 * edited one day and then left alone is thinned to the policy once its edits
 * are past the detail window, though nobody edits it again and its room is
 * not loaded; the board reads the same, and a second sweep drops nothing.
 */
import { afterEach, expect, it } from 'vitest'
import { addAssessment, updateAssessment } from '../../shared/board-mutations.ts'
import { assessmentText } from '../../shared/board-doc.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { apiClient } from '../helpers/api.ts'
import { openAccess } from '../helpers/open-access.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { DAY, MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()

describeEachDialect(postgresMissing, 'the history sweep on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('thins a board nobody edits once its edits are past the detail window', async () => {
    const clock = testClock()
    // ROOM_IDLE_MS=0: the sweep thins boards nobody has loaded, and this board unloads as soon as its writer leaves.
    server = await startTestServer({ dialect, access: () => openAccess(), clock, compactAfterRows: 1_000_000, env: { HISTORY_DETAIL_DAYS: '1', HISTORY_CHECKPOINT_MINUTES: '60', ROOM_IDLE_MS: '0' } })
    const api = apiClient(() => server.url)
    const boardId = await api.createBoard('Left alone')
    const writer = connect(server.wsUrl, boardId)
    await writer.synced()
    const read = async () => (await api.get<BoardModel>(`/api/boards/${boardId}`)).body

    let assessmentId = ''
    const edits = [
      () => (assessmentId = addAssessment(writer.doc, { title: 'Wagner moves north', judgment: 'Initial' })),
      () => updateAssessment(writer.doc, assessmentId, { likelihood: 3 }),
      () => assessmentText(writer.doc, assessmentId, 'judgment').insert(7, ' reading'),
      () => updateAssessment(writer.doc, assessmentId, { confidence: 'moderate' }),
    ]
    for (const edit of edits) {
      clock.advance(10 * MINUTE)
      edit()
      const expected = JSON.stringify(boardToModel(writer.doc, boardId))
      await waitFor(async () => JSON.stringify(await read()) === expected, 'the edit to be stored')
    }
    // Compacted (and thinned, with nothing old enough to drop) while it was edited; then everyone leaves.
    await server.services.compaction.compact(boardId)
    writer.destroy()
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the board to unload')
    const storage = server.services.storage
    const before = await storage.history.size(boardId)
    expect(before.rows).toBeGreaterThanOrEqual(edits.length)
    const board = await read()

    // Still within the window: the sweep keeps every row.
    expect((await server.services.historySweep.runOnce()).rowsDropped).toBe(0)
    clock.advance(3 * DAY)
    const swept = await server.services.historySweep.runOnce()
    expect(swept.boards).toBeGreaterThanOrEqual(1)
    expect(swept.rowsDropped).toBe(before.rows)
    expect((await storage.history.size(boardId)).rows).toBe(0)
    expect(await read()).toEqual(board)
    expect(await server.services.historySweep.runOnce()).toMatchObject({ rowsDropped: 0, checkpointsDropped: 0, changesDropped: 0 })
  })
})
