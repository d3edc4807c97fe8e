/** Export over HTTP: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

describe('the export API', () => {
  it('a reviewer downloads the briefing as a file named after the board', async () => {
    const file = await given.board.reviewer.get<string>(`/api/boards/${given.board.id}/export?format=md`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="board-under-test-.*\.md"$/)
    expect(file.body).toContain('Board under test')
  })

  it('refuses no format, an unknown one, and snapshot with asOf (400); an unknown snapshot is 404', async () => {
    const base = `/api/boards/${given.board.id}/export`
    expect((await given.board.reviewer.get(base)).status).toBe(400)
    expect((await given.board.reviewer.get(`${base}?format=exe`)).status).toBe(400)
    expect((await given.board.reviewer.get(`${base}?format=md&snapshot=s&asOf=${new Date().toISOString()}`)).status).toBe(400)
    expect((await given.board.reviewer.get(`${base}?format=md&snapshot=nothing`)).status).toBe(404)
  })
})
