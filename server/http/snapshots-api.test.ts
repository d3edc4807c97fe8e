/** Snapshots: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'
import { waitFor } from '../../test/helpers/wait-for.ts'

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
  it('the board list follows the title in the document, also when a restore rewrites it', async () => {
    const { board } = given
    const listedTitle = async () => (await board.owner.get<{ id: string; title: string }[]>('/api/boards')).body.find((b) => b.id === board.id)?.title
    const made = await board.owner.post<{ id: string }>(`/api/boards/${board.id}/snapshots`, { label: 'Under its first title' })
    expect((await board.owner.patch(`/api/boards/${board.id}`, { title: 'Renamed' })).status).toBe(200)
    await waitFor(async () => (await listedTitle()) === 'Renamed' || undefined, 'the list to show the new title')
    expect((await board.owner.post(`/api/boards/${board.id}/snapshots/${made.body.id}/restore`)).status).toBe(200)
    expect((await board.reviewer.get<{ title: string }>(`/api/boards/${board.id}`)).body.title).toBe('Board under test')
    await waitFor(async () => (await listedTitle()) === 'Board under test' || undefined, 'the list to show the restored title', 30_000)
  })
})
