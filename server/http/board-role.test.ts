/** The one role check in front of every board route, through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

describe('boardRole', () => {
  it('answers 401 without a credential, before anything about the board', async () => {
    expect((await given.app.anonymous.get(`/api/boards/${given.board.id}`)).status).toBe(401)
    expect((await given.app.anonymous.get('/api/boards/no-such-board/members')).status).toBe(401)
  })

  it('answers 404 for a board that does not exist and for one the caller is not a member of, alike', async () => {
    const missing = await given.board.owner.get('/api/boards/no-such-board/members')
    const hidden = await given.board.stranger.get(`/api/boards/${given.board.id}/members`)
    expect(missing.status).toBe(404)
    expect(hidden.status).toBe(404)
    expect(hidden.body).toEqual(missing.body)
  })

  it('answers 400 for an id over 64 characters', async () => {
    const response = await given.board.owner.get(`/api/boards/${'x'.repeat(65)}/members`)
    expect(response.status).toBe(400)
    expect(response.body).toEqual({ error: { code: 'invalid', message: 'Invalid param: id must be 1 to 64 characters.' } })
  })

  it('lets each role do what it needs and refuses the rest with 403 naming both roles', async () => {
    // GET members needs reviewer, POST sources editor, GET audit owner.
    const reviewerRoute = `/api/boards/${given.board.id}/members`
    const editorRoute = `/api/boards/${given.board.id}/sources`
    const ownerRoute = `/api/boards/${given.board.id}/audit`
    expect((await given.board.reviewer.get(reviewerRoute)).status).toBe(200)
    expect((await given.board.editor.get(reviewerRoute)).status).toBe(200)
    expect((await given.board.owner.get(reviewerRoute)).status).toBe(200)

    const refused = await given.board.reviewer.post(editorRoute, { name: 'A source' })
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({ error: { code: 'forbidden', message: 'This needs the editor role on this board; you are reviewer.' } })
    expect((await given.board.editor.post(editorRoute, { name: 'A source' })).status).toBe(201)
    expect((await given.board.owner.post(editorRoute, { name: 'Another source' })).status).toBe(201)

    expect((await given.board.reviewer.get(ownerRoute)).status).toBe(403)
    expect((await given.board.editor.get(ownerRoute)).status).toBe(403)
    expect((await given.board.owner.get(ownerRoute)).status).toBe(200)
  })

  it('checks the role before the body: a reviewer learns nothing from validation', async () => {
    const response = await given.board.reviewer.post(`/api/boards/${given.board.id}/sources`, { nonsense: true })
    expect(response.status).toBe(403)
  })

  it('declares every board route under /boards/{id} with its id parameter in the OpenAPI document', async () => {
    const doc = (await given.app.anonymous.get<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }>('/api/openapi.json')).body
    const boardPaths = Object.keys(doc.paths).filter((path) => path.startsWith('/api/boards/{id}'))
    expect(boardPaths).toContain('/api/boards/{id}')
    expect(boardPaths).toContain('/api/boards/{id}/members/{userId}')
    expect(boardPaths).toContain('/api/boards/{id}/snapshots/{snapshotId}/review')
    for (const path of boardPaths) {
      for (const operation of Object.values(doc.paths[path]!)) {
        expect(operation.parameters?.some((p) => p.name === 'id' && p.in === 'path'), path).toBe(true)
      }
    }
  })
})
