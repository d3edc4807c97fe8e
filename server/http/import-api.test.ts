/** Import over HTTP: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

describe('the import API', () => {
  it('previews a document without changing the board', async () => {
    const text = 'The convoy left at dawn. [citation: Field report]'
    const preview = await given.board.editor.post<{ outcome: string; claims: unknown[] }>(`/api/boards/${given.board.id}/import`, { text, preview: true })
    expect(preview.status).toBe(200)
    expect(preview.body.claims).toHaveLength(1)
    const model = await given.board.reviewer.get<{ claims: unknown[] }>(`/api/boards/${given.board.id}`)
    expect(model.body.claims).toEqual([])
  })

  it('refuses reviewers (403), other content types (415), and bodies that fail the schema (400)', async () => {
    const path = `/api/boards/${given.board.id}/import`
    expect((await given.board.reviewer.post(path, { text: 'A fell. [citation: A]' })).status).toBe(403)
    const editor = await given.app.account()
    await given.board.owner.post(`/api/boards/${given.board.id}/members`, { email: editor.account.email, role: 'editor' })
    const plain = await given.app.client({ authorization: `Bearer ${editor.token}`, 'content-type': 'text/plain' }).post(path, 'A fell. [citation: A]')
    expect(plain.status).toBe(415)
    expect((await given.board.editor.post(path, { text: 'A fell. [citation: A]', extra: 1 })).status).toBe(400)
    expect((await given.board.editor.post(path, { text: 7 })).status).toBe(400)
  })
})
