/**
 * The board as it was at any past moment, rebuilt exactly from its history:
 * edits made at known times (the server's clock is the test's), checked at
 * each moment and between them, across compactions and a restart, and after
 * the history is thinned to its schedule; on SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAssessment, updateAssessment } from '../../shared/board-mutations.ts'
import { assessmentText } from '../../shared/board-doc.ts'
import type { AsOf } from '../../shared/history-model.ts'
import { apiClient } from '../helpers/api.ts'
import { openAccess } from '../helpers/open-access.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { DAY, MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()

describeEachDialect(postgresMissing, 'the board as of a past time on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  // Two servers in turn, a dozen edits each stored and read back, two compactions and a thinning: the time a loaded machine may need.
  it('rebuilds every moment exactly, across compactions and a restart, and says what thinning left', async () => {
    const clock = testClock()
    server = await startTestServer({ dialect, access: () => openAccess(), clock, compactAfterRows: 1_000_000, env: { HISTORY_DETAIL_DAYS: '1', HISTORY_CHECKPOINT_MINUTES: '1' } })
    const api = apiClient(() => server.url)
    const boardId = await api.createBoard('Vilnius')
    const moments: { at: string; model: BoardModel }[] = []
    let writer: TestClient = connect(server.wsUrl, boardId)
    await writer.synced()

    /** Makes an edit at the clock's next moment and waits until the server has stored it. */
    const editAt = async (minutes: number, edit: (doc: Y.Doc) => void) => {
      const at = clock.advance(minutes * MINUTE)
      edit(writer.doc)
      const expected = boardToModel(writer.doc, boardId)
      await waitFor(async () => JSON.stringify((await api.get<BoardModel>(`/api/boards/${boardId}`)).body) === JSON.stringify(expected), `the edit at ${at} to be stored`)
      moments.push({ at, model: expected })
    }
    const asOf = (at: string) => api.get<BoardModel>(`/api/boards/${boardId}?asOf=${encodeURIComponent(at)}`)

    moments.push({ at: clock.iso(), model: boardToModel(writer.doc, boardId) })
    let assessmentId = ''
    await editAt(10, (doc) => (assessmentId = addAssessment(doc, { title: 'Wagner moves north', judgment: 'Initial' })))
    await editAt(10, (doc) => updateAssessment(doc, assessmentId, { likelihood: 3 }))
    await server.services.compaction.compact(boardId)
    // Past midnight (UTC): the two checkpoints are of two days.
    await editAt(11 * 60, (doc) => {
      assessmentText(doc, assessmentId, 'judgment').insert(7, ' reading')
      updateAssessment(doc, assessmentId, { likelihood: 5 })
    })
    writer.destroy()
    server = await server.restart()
    writer = connect(server.wsUrl, boardId)
    await writer.synced()
    await editAt(10, (doc) => addAssessment(doc, { title: 'Belarus hosts the group', kind: 'hypothesis' }))
    await server.services.compaction.compact(boardId)
    await editAt(10, (doc) => updateAssessment(doc, assessmentId, { confidence: 'high', tags: ['wagner'] }))
    clock.advance(60 * MINUTE)

    for (const [index, moment] of moments.entries()) {
      const exact = await asOf(moment.at)
      expect(exact.status, moment.at).toBe(200)
      expect(exact.body).toEqual(moment.model)
      const header = JSON.parse(exact.headers.get('assay-as-of')!) as AsOf
      expect(header).toMatchObject({ asOf: moment.at, at: moment.at, exact: true })
      // Between two edits the board is as the earlier one left it.
      const between = new Date(Date.parse(moment.at) + 5 * MINUTE).toISOString()
      expect((await asOf(between)).body, `between moment ${index} and the next`).toEqual(moment.model)
    }
    // The read-only view's state holds the same board.
    const third = moments[3]!
    const state = await fetch(`${server.url}/api/boards/${boardId}/history/state?asOf=${encodeURIComponent(third.at)}`)
    const doc = new Y.Doc()
    Y.applyUpdate(doc, new Uint8Array(await state.arrayBuffer()))
    expect(boardToModel(doc, boardId)).toEqual(third.model)
    doc.destroy()

    expect((await asOf(new Date(Date.parse(moments[0]!.at) - MINUTE).toISOString())).status).toBe(404)
    expect((await asOf(clock.advance(0).replace(/^2026/, '2099'))).status).toBe(400)
    expect((await asOf('14:00')).status).toBe(400)

    // Three days on, the history before the last day is thinned: the rows the second
    // checkpoint covers are gone, the first checkpoint stays as its day's.
    clock.advance(3 * DAY)
    const thinned = await server.services.storage.history.thin(boardId, { detailMs: DAY, checkpointEveryMs: 60 * MINUTE, retentionMs: 365 * DAY, maxBytes: 2 ** 30 }, clock.iso())
    expect(thinned.rowsDropped).toBeGreaterThan(0)
    const [, first, second, , fourth, fifth] = moments
    // Before the oldest kept checkpoint nothing is left.
    const gone = await asOf(first!.at)
    expect(gone.status).toBe(404)
    expect(gone.body).toMatchObject({ error: { code: 'history_not_kept' } })
    // Between the kept checkpoints: the nearest kept moment, and it says so.
    const coarse = await asOf(moments[3]!.at)
    expect(coarse.body).toEqual(second!.model)
    expect(JSON.parse(coarse.headers.get('assay-as-of')!)).toMatchObject({ at: second!.at, exact: false })
    // From the newest checkpoint older than the window on, every moment is still exact.
    for (const moment of [fourth!, fifth!]) {
      const response = await asOf(moment.at)
      expect(response.body).toEqual(moment.model)
      expect(JSON.parse(response.headers.get('assay-as-of')!)).toMatchObject({ exact: true })
    }
  }, 120_000)
})
