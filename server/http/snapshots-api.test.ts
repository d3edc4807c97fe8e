/** Snapshots: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

describe('the snapshots API', () => {
  it('an editor makes a named snapshot; members list and read it; a reviewer cannot make one', async () => {
    const made = await given.board.editor.post<{ id: string; label: string; contentHash: string }>(`/api/boards/${given.board.id}/snapshots`, { label: 'Before review' })
    expect(made.status).toBe(201)
    expect(made.body.label).toBe('Before review')
    expect((await given.board.reviewer.post(`/api/boards/${given.board.id}/snapshots`, { label: 'x' })).status).toBe(403)
    const listed = await given.board.reviewer.get<{ id: string }[]>(`/api/boards/${given.board.id}/snapshots?kind=named`)
    expect(listed.body.map((s) => s.id)).toContain(made.body.id)
    const read = await given.board.reviewer.get(`/api/boards/${given.board.id}/snapshots/${made.body.id}`)
    expect(read.status).toBe(200)
    expect(read.headers.get('etag')).toBe(`"${made.body.contentHash}"`)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/snapshots/${made.body.id}/summary`)).status).toBe(200)
  })

  it('refuses an empty label, a future asOf and an unknown kind with 400; an unknown snapshot is 404', async () => {
    expect((await given.board.editor.post(`/api/boards/${given.board.id}/snapshots`, { label: '  ' })).status).toBe(400)
    expect((await given.board.editor.post(`/api/boards/${given.board.id}/snapshots`, { label: 'x', asOf: '2999-01-01T00:00:00Z' })).status).toBe(400)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/snapshots?kind=secret`)).status).toBe(400)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/snapshots/nothing`)).status).toBe(404)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/snapshots/nothing/state`)).status).toBe(404)
  })

  it('restores for owners only; diff needs from and names an unknown version', async () => {
    const made = await given.board.editor.post<{ id: string }>(`/api/boards/${given.board.id}/snapshots`, { label: 'Point' })
    expect((await given.board.editor.post(`/api/boards/${given.board.id}/snapshots/${made.body.id}/restore`)).status).toBe(403)
    expect((await given.board.owner.post(`/api/boards/${given.board.id}/snapshots/${made.body.id}/restore`)).status).toBe(200)
    expect((await given.board.owner.post(`/api/boards/${given.board.id}/snapshots/nothing/restore`)).status).toBe(404)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/diff`)).status).toBe(400)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/diff?from=nothing`)).status).toBe(404)
    const diff = await given.board.reviewer.get<{ empty: boolean }>(`/api/boards/${given.board.id}/diff?from=${made.body.id}`)
    expect(diff.status).toBe(200)
    expect(diff.body.empty).toBe(true)
  })
})
