/**
 * A briefing of a board that has no source yet says so under its Sources
 * heading, in every briefing format, rather than printing a table of column
 * names over no row.
 */
import { afterEach, expect, it } from 'vitest'
import { apiClient } from '../helpers/api.ts'
import { BRIEFING_FORMATS, readerText } from '../helpers/briefing-text.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

/** The sources table's column names, as each format's reader sees them (Markdown's between pipes). */
const SOURCE_COLUMNS = /Source\W+Kind\W+Reliability\W+Claims/

let server: TestServer | undefined
afterEach(async () => {
  await server?.destroy()
  server = undefined
})

it('says a board has no sources in every briefing format, and lists them once it has one', async () => {
  server = await startTestServer()
  const api = apiClient(server.url)
  const boardId = await api.createBoard('Early watch')
  expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'Mobilisation continues', kind: 'key-judgment' })).status).toBe(201)
  const briefing = async (format: (typeof BRIEFING_FORMATS)[number]) => {
    const answer = await fetch(`${server!.url}/api/boards/${boardId}/export?format=${format}`)
    expect(answer.status).toBe(200)
    return readerText(format, new Uint8Array(await answer.arrayBuffer()))
  }
  for (const format of BRIEFING_FORMATS) {
    const text = await briefing(format)
    expect(text, format).toContain('Sources No sources.')
    expect(text, format).not.toMatch(SOURCE_COLUMNS)
  }
  expect((await api.post(`/api/boards/${boardId}/sources`, { name: 'NATO', reliability: 'B' })).status).toBe(201)
  for (const format of BRIEFING_FORMATS) {
    const text = await briefing(format)
    expect(text, format).toMatch(SOURCE_COLUMNS)
    expect(text, format).not.toContain('No sources.')
  }
})
