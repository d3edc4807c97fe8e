import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment, addSource } from '../shared/board-mutations.ts'
import { apiClient } from './helpers/api.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

describe('relay', () => {
  let server: TestServer
  const clients: TestClient[] = []
  const connect = (boardId: string) => {
    const client = connectClient(server.wsUrl, boardId)
    clients.push(client)
    return client
  }

  beforeEach(async () => {
    server = await startTestServer()
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
  })

  it('three clients edit one board and converge; a late joiner gets the whole state', async () => {
    const boardId = await apiClient(server.url).createBoard('Convergence')
    const [a, b, c] = [connect(boardId), connect(boardId), connect(boardId)]
    await Promise.all([a.synced(), b.synced(), c.synced()])
    addAssessment(a.doc, { title: 'From A' })
    addAssessment(b.doc, { title: 'From B' })
    addSource(c.doc, { name: 'NATO', reliability: 'B' })
    const titles = (client: TestClient) => boardToModel(client.doc, boardId).assessments.map((x) => x.title).sort()
    for (const client of [a, b, c]) {
      await waitFor(() => titles(client).length === 2 && boardToModel(client.doc, boardId).sources.length === 1, 'convergence')
    }
    expect(boardToModel(a.doc, boardId)).toEqual(boardToModel(b.doc, boardId))
    expect(boardToModel(b.doc, boardId)).toEqual(boardToModel(c.doc, boardId))
    const late = connect(boardId)
    await late.synced()
    expect(boardToModel(late.doc, boardId)).toEqual(boardToModel(a.doc, boardId))
    expect(titles(late)).toEqual(['From A', 'From B'])
  })
})
