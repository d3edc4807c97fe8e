/**
 * A briefing's "Changes since" names the tags a card gained and lost: it gave
 * the card's whole list before and after, up to 32 tags of 64 characters
 * twice, for one tag toggled, and a reader had to find the difference.
 */
import { afterEach, expect, it } from 'vitest'
import { withoutIsolates } from '../../shared/bidi.ts'
import { apiClient } from '../helpers/api.ts'
import { readerText } from '../helpers/briefing-text.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.destroy()
  server = undefined
})

it('says which tags a card gained and lost since the snapshot, not its whole list twice', async () => {
  server = await startTestServer()
  const api = apiClient(server.url)
  const boardId = await api.createBoard('Wagner in Belarus')
  const tags = Array.from({ length: 32 }, (_, i) => `region-${i}`)
  const assessment = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner settles in Belarus', kind: 'key-judgment', tags })
  expect(assessment.status).toBe(201)
  expect((await api.post(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })).status).toBe(201)
  const patched = { tags: [...tags.filter((tag) => tag !== 'region-3'), 'logistics'] }
  expect((await api.patch(`/api/boards/${boardId}/assessments/${assessment.body.id}`, patched)).status).toBe(200)

  const answer = await fetch(`${server.url}/api/boards/${boardId}/export?format=md`)
  expect(answer.status).toBe(200)
  const text = withoutIsolates(readerText('md', new Uint8Array(await answer.arrayBuffer())))
  expect(text).toContain('Key judgment “Wagner settles in Belarus”: tag logistics added; tag region-3 removed.')
  expect(text).not.toContain('region-31 to')
})
