/**
 * The board as of a past time exports exactly as a snapshot taken at that
 * moment: the same content, hash and date-time group, the briefing differing
 * only in the line that names the version and in saying that nothing changed
 * since that snapshot; and it becomes a named snapshot holding that content.
 */
import { afterEach, expect, it } from 'vitest'
import { addAssessment, addSource, updateAssessment } from '../../shared/board-mutations.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { dateTimeGroup, readableTime } from '../../shared/date-time-group.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import type { JsonExport } from '../../server/export/render-json.ts'
import { apiClient } from '../helpers/api.ts'
import { openAccess } from '../helpers/open-access.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const connect = clientsDestroyedAfterEach()
let server: TestServer
afterEach(async () => {
  await server.destroy()
})

// Six exports and three snapshots, each rebuilt in a worker thread: the time a loaded machine may need.
it('exports the board as of a moment as a snapshot of that moment exports, and snapshots it', async () => {
  const clock = testClock()
  server = await startTestServer({ access: () => openAccess(), clock })
  const api = apiClient(server.url)
  const boardId = await api.createBoard('Export as of')
  const writer = connect(server.wsUrl, boardId)
  await writer.synced()
  const stored = async (check: (model: BoardModel) => boolean) =>
    waitFor(async () => check((await api.get<BoardModel>(`/api/boards/${boardId}`)).body), 'the edit to be stored')

  clock.advance(MINUTE)
  addSource(writer.doc, { name: 'NATO', reliability: 'B' })
  const id = addAssessment(writer.doc, { title: 'Wagner moves north', judgment: 'Likely within weeks', likelihood: 5, confidence: 'moderate', kind: 'key-judgment' })
  await stored((model) => model.assessments.length === 1)
  const moment = clock.advance(MINUTE)
  const snapshot = await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'Briefing 14:00' })
  expect(snapshot.status).toBe(201)
  expect(snapshot.body.createdAt).toBe(moment)
  clock.advance(MINUTE)
  updateAssessment(writer.doc, id, { likelihood: 3, status: 'final' })
  await stored((model) => model.assessments[0]?.likelihood === 3)
  clock.advance(MINUTE)

  const exported = async (format: string, version: string) => {
    const response = await fetch(`${server.url}/api/boards/${boardId}/export?format=${format}&${version}`)
    expect(response.status, `${format} ${version}`).toBe(200)
    return { text: await response.text(), name: response.headers.get('content-disposition') }
  }
  const ofSnapshot = `snapshot=${snapshot.body.id}`
  const ofMoment = `asOf=${encodeURIComponent(moment)}`
  // The same content and file name; the review, which names the version as the briefing's Review line does, differs.
  const jsonOf = async (version: string) => {
    const { text, name } = await exported('json', version)
    const { review, ...content } = JSON.parse(text) as JsonExport
    return { content, name, review }
  }
  const json = [await jsonOf(ofSnapshot), await jsonOf(ofMoment)]
  expect(json[1]!.content).toEqual(json[0]!.content)
  expect(json[1]!.name).toBe(json[0]!.name)
  expect(json.map((j) => j.review.status)).toEqual(['not-reviewed', 'not-reviewed'])
  expect(json[1]!.review.statement).toContain('the board as it was at a past time')
  expect(json[1]!.content.assessments[0]!.likelihood).toBe(5)
  const versionLine = /^\*\*Version:\*\*.*$/m
  // What names the version, and so whether reviewers signed it, differs; nothing else.
  const versionLines = /^\*\*(Version|Review):\*\*.*$/gm
  const markdown = [await exported('md', ofSnapshot), await exported('md', ofMoment)]
  expect(markdown[1]!.name).toBe(markdown[0]!.name)
  expect(markdown[0]!.text.match(versionLine)![0]).toContain('Snapshot “\u2068Briefing 14:00\u2069”')
  expect(markdown[1]!.text.match(versionLine)![0]).toContain(`Board as it was at ${readableTime(moment)}, from its history`)
  // The moment is compared with the newest snapshot made by then: the one made at that very moment, of the same content.
  const sinceSnapshot = `## Changes since snapshot “\u2068Briefing 14:00\u2069” of ${dateTimeGroup(moment)}\n\nNothing changed.\n\n`
  expect(markdown[0]!.text).not.toContain('## Changes since')
  expect(markdown[1]!.text).toContain(sinceSnapshot)
  expect(markdown[1]!.text.replace(versionLines, '').replace(sinceSnapshot, '')).toEqual(markdown[0]!.text.replace(versionLines, ''))

  const fromHistory = await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'As briefed', asOf: moment })
  expect(fromHistory.status).toBe(201)
  expect(fromHistory.body.contentHash).toBe(snapshot.body.contentHash)
  expect((await api.post(`/api/boards/${boardId}/snapshots`, { label: 'Later', asOf: '2099-01-01T00:00:00Z' })).status).toBe(400)
}, 120_000)
