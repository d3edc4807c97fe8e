import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { apiClient } from './helpers/api.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/**
 * While one analyst types without pause, the board must stay usable for
 * everyone else: HTTP reads and edits answer, and a newcomer syncs. (A room
 * that waited for a quiet moment to answer would hang here on PostgreSQL, whose
 * commits are asynchronous.)
 */
describeEachDialect(postgresMissing, 'steady editing on %s', (dialect) => {
  let server: TestServer
  const clients: TestClient[] = []
  let typing = false
  afterEach(async () => {
    typing = false
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
  })

  it('answers HTTP and syncs a joiner while a client types without pause', async () => {
    server = await startTestServer({ dialect })
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Busy')
    const typist = connectClient(server.wsUrl, boardId)
    clients.push(typist)
    await typist.synced()
    const id = addAssessment(typist.doc, { title: 'Busy', judgment: '' })
    const text = assessmentText(typist.doc, id, 'judgment')
    typing = true
    let typed = 0
    const type = () => {
      if (!typing) return
      text.insert(text.length, 'x')
      typed++
      setImmediate(type)
    }
    type()
    await waitFor(() => typed > 200, 'typing to be under way')

    const read = await api.get<BoardModel>(`/api/boards/${boardId}`)
    expect(read.status).toBe(200)
    const created = await api.post(`/api/boards/${boardId}/assessments`, { title: 'Added over HTTP meanwhile' })
    expect(created.status).toBe(201)
    const joiner = connectClient(server.wsUrl, boardId)
    clients.push(joiner)
    await joiner.synced()
    expect(boardToModel(joiner.doc, boardId).assessments.map((a) => a.title)).toContain('Added over HTTP meanwhile')

    typing = false
    const final = text.toString()
    await waitFor(() => assessmentText(joiner.doc, id, 'judgment').toString() === final, 'the joiner to catch every keystroke')
  })
})
