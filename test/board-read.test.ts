/**
 * Reading a live board over HTTP (`GET /api/boards/:id`), as a reviewer's
 * script or a team's dashboards do, again and again: the model is worked out
 * in a worker thread from the board as stored (counted by the server's own
 * job metric), once for everyone asking until the board changes; every change
 * committed before a read is in it, whether made over HTTP or a websocket.
 * On SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../shared/board-model.ts'
import { addAssessment, updateAssessment } from '../shared/board-mutations.ts'
import { apiClient } from './helpers/api.ts'
import { openAccess } from './helpers/open-access.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()

const READERS = 8

describeEachDialect(postgresMissing, 'a live board read over HTTP again and again on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('is worked out in a worker once for every reader until the board changes, and holds every change committed before it', async () => {
    server = await startTestServer({ dialect, access: () => openAccess(), env: { METRICS_TOKEN } })
    const api = apiClient(() => server.url)
    const boardId = await api.createBoard('Read again and again')
    const readsWorkedOut = async () => sample(await metricsText(server), 'assay_worker_job_duration_seconds_count', { job: 'read-board', outcome: 'done' }) ?? 0
    const everyoneReads = async () => {
      const reads = await Promise.all(Array.from({ length: READERS }, () => api.get<BoardModel>(`/api/boards/${boardId}`)))
      expect(reads.map((read) => read.status)).toEqual(Array(READERS).fill(200))
      expect(new Set(reads.map((read) => JSON.stringify(read.body))).size).toBe(1)
      return reads[0]!.body
    }

    const writer = connect(server.wsUrl, boardId)
    await writer.synced()
    const id = addAssessment(writer.doc, { title: 'Wagner moves north' })
    const room = server.services.rooms.loadedRooms.get(boardId)!
    await room.whenSaved()
    const workedOutBefore = await readsWorkedOut()
    expect((await everyoneReads()).assessments.map((assessment) => assessment.title)).toEqual(['Wagner moves north'])
    expect(await readsWorkedOut()).toBe(workedOutBefore + 1)
    // Nothing changed since: the same answer, from the same working-out.
    await everyoneReads()
    expect(await readsWorkedOut()).toBe(workedOutBefore + 1)

    // A keystroke committed before the read is in it.
    updateAssessment(writer.doc, id, { likelihood: 3 })
    await room.whenSaved()
    expect((await everyoneReads()).assessments[0]!.likelihood).toBe(3)
    expect(await readsWorkedOut()).toBe(workedOutBefore + 2)

    // A change over HTTP answers once committed; the next read holds it.
    expect((await api.patch(`/api/boards/${boardId}`, { title: 'Read, changed' })).status).toBe(200)
    expect((await everyoneReads()).title).toBe('Read, changed')
    expect(await readsWorkedOut()).toBe(workedOutBefore + 3)
  })
})
