/** Status codes and validation of one board's content routes, through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

const errorCode = (body: unknown) => (body as { error: { code: string } }).error.code

describe('the board content API', () => {
  it('reads the board model, and changes its settings', async () => {
    const read = await given.board.reviewer.get<{ id: string; title: string }>(`/api/boards/${given.board.id}`)
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({ id: given.board.id, title: 'Board under test' })
    const changed = await given.board.editor.patch<{ marking: string }>(`/api/boards/${given.board.id}`, { marking: 'OFFICIAL' })
    expect(changed.status).toBe(200)
    expect(changed.body.marking).toBe('OFFICIAL')
  })

  it('refuses unknown fields, wrong types and an empty title with 400 naming the field', async () => {
    const unknown = await given.board.editor.patch(`/api/boards/${given.board.id}`, { colour: 'red' })
    expect(unknown.status).toBe(400)
    expect(JSON.stringify(unknown.body)).toContain('colour')
    const wrongType = await given.board.editor.post(`/api/boards/${given.board.id}/claims`, { text: 7 })
    expect(wrongType.status).toBe(400)
    expect(JSON.stringify(wrongType.body)).toContain('text')
    expect((await given.board.editor.patch(`/api/boards/${given.board.id}`, { title: '' })).status).toBe(400)
    expect((await given.board.editor.post(`/api/boards/${given.board.id}/sources`, 'not json')).status).toBe(400)
  })

  it('a future asOf is 400; a time before the board existed is 404', async () => {
    const future = await given.board.reviewer.get(`/api/boards/${given.board.id}?asOf=2999-01-01T00:00:00Z`)
    expect(future.status).toBe(400)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}?asOf=not-a-time`)).status).toBe(400)
    const before = await given.board.reviewer.get(`/api/boards/${given.board.id}?asOf=2000-01-01T00:00:00Z`)
    expect(before.status).toBe(404)
  })

  it('adds, changes and deletes an item; a missing item is 404', async () => {
    const added = await given.board.editor.post<{ id: string; name: string }>(`/api/boards/${given.board.id}/sources`, { name: 'Field report' })
    expect(added.status).toBe(201)
    expect(added.body.name).toBe('Field report')
    const changed = await given.board.editor.patch<{ name: string }>(`/api/boards/${given.board.id}/sources/${added.body.id}`, { name: 'Field report 2' })
    expect(changed.status).toBe(200)
    expect(changed.body.name).toBe('Field report 2')
    expect((await given.board.editor.delete(`/api/boards/${given.board.id}/sources/${added.body.id}`)).status).toBe(204)
    const gone = await given.board.editor.patch(`/api/boards/${given.board.id}/sources/${added.body.id}`, { name: 'again' })
    expect(gone.status).toBe(404)
    expect(errorCode(gone.body)).toBe('not-found')
  })

  it('moves an assessment; moving one that does not exist is 404', async () => {
    const first = await given.board.editor.post<{ id: string }>(`/api/boards/${given.board.id}/assessments`, { title: 'First' })
    const second = await given.board.editor.post<{ id: string }>(`/api/boards/${given.board.id}/assessments`, { title: 'Second' })
    const moved = await given.board.editor.post<{ id: string }>(`/api/boards/${given.board.id}/assessments/${second.body.id}/move`, { after: null })
    expect(moved.status).toBe(200)
    const model = await given.board.reviewer.get<{ assessments: { id: string }[] }>(`/api/boards/${given.board.id}`)
    expect(model.body.assessments.map((a) => a.id)).toEqual([second.body.id, first.body.id])
    expect((await given.board.editor.post(`/api/boards/${given.board.id}/assessments/nothing/move`, { after: null })).status).toBe(404)
    expect((await given.board.editor.post(`/api/boards/${given.board.id}/assessments/${first.body.id}/move`, {})).status).toBe(400)
  })
})
