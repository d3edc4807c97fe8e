/**
 * A briefing's "Changes since" names a renamed assessment by the title it had
 * and the one it has, in every briefing format: "title edited" left a reader
 * unable to tell which judgment of the earlier briefing it was.
 */
import { afterEach, expect, it } from 'vitest'
import { withoutIsolates } from '../../shared/bidi.ts'
import { apiClient } from '../helpers/api.ts'
import { BRIEFING_FORMATS, readerText } from '../helpers/briefing-text.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.destroy()
  server = undefined
})

it('says what a retitled assessment was called and what it is called now, in DOCX, PDF, Markdown and HTML', async () => {
  server = await startTestServer()
  const api = apiClient(server.url)
  const boardId = await api.createBoard('Wagner in Belarus')
  const assessment = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner settles in Belarus', kind: 'key-judgment' })
  expect(assessment.status).toBe(201)
  expect((await api.post(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })).status).toBe(201)
  expect((await api.patch(`/api/boards/${boardId}/assessments/${assessment.body.id}`, { title: 'Wagner leaves Belarus' })).status).toBe(200)

  for (const format of BRIEFING_FORMATS) {
    const answer = await fetch(`${server.url}/api/boards/${boardId}/export?format=${format}`)
    expect(answer.status, format).toBe(200)
    const text = withoutIsolates(readerText(format, new Uint8Array(await answer.arrayBuffer())))
    expect(text, format).toMatch(/Changes since snapshot “Morning brief”/)
    expect(text, format).toContain('Key judgment “Wagner leaves Belarus”: title from “Wagner settles in Belarus” to “Wagner leaves Belarus”.')
  }
})
