/**
 * A card's history, read by a team at once: everyone with the card open asks
 * again a moment after it changes, and the rows since the latest checkpoint
 * are worked out in a worker thread once for all of them (counted by the
 * server's own job metric); the next edit is in the next answer. On SQLite
 * and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAssessment, updateAssessment } from '../../shared/board-mutations.ts'
import type { AssessmentChange } from '../../shared/history-model.ts'
import { apiClient } from '../helpers/api.ts'
import { openAccess } from '../helpers/open-access.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()

/** How many in the team have the card's history open. */
const READERS = 8

describeEachDialect(postgresMissing, "a card's history read by a team at once on %s", (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('works out the rows since the checkpoint once for everyone asking, and again after the next edit', async () => {
    server = await startTestServer({ dialect, access: () => openAccess(), compactAfterRows: 1_000_000, env: { METRICS_TOKEN } })
    const api = apiClient(() => server.url)
    const boardId = await api.createBoard('Read together')
    const writer = connect(server.wsUrl, boardId)
    await writer.synced()
    const id = addAssessment(writer.doc, { title: 'Wagner moves north' })
    const stored = (check: (model: BoardModel) => boolean) =>
      waitFor(async () => check((await api.get<BoardModel>(`/api/boards/${boardId}`)).body), 'the edit to be stored')
    await stored((model) => model.assessments.some((assessment) => assessment.id === id))

    const workedOut = async () => sample(await metricsText(server), 'assay_worker_job_duration_seconds_count', { job: 'attribute-rows', outcome: 'done' }) ?? 0
    const everyoneReads = () =>
      Promise.all(Array.from({ length: READERS }, () => api.get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes?assessmentId=${id}`)))
    const fields = (changes: AssessmentChange[]) => changes.map((change) => change.field)

    const first = await everyoneReads()
    expect(first.map((response) => response.status)).toEqual(Array(READERS).fill(200))
    expect(new Set(first.map((response) => JSON.stringify(response.body))).size).toBe(1)
    expect(fields(first[0]!.body)).toEqual(['card'])
    expect(await workedOut()).toBe(1)
    // Nothing written since: asked again, answered from the same working-out.
    expect(fields((await everyoneReads())[0]!.body)).toEqual(['card'])
    expect(await workedOut()).toBe(1)

    updateAssessment(writer.doc, id, { likelihood: 3 })
    await stored((model) => model.assessments[0]?.likelihood === 3)
    const next = await everyoneReads()
    expect(next.every((response) => fields(response.body).join() === 'card,likelihood')).toBe(true)
    expect(await workedOut()).toBe(2)
  })
})
