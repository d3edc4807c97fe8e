/** Creating and listing boards, through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

describe('the boards API', () => {
  it('needs a credential', async () => {
    expect((await given.app.anonymous.get('/api/boards')).status).toBe(401)
    expect((await given.app.anonymous.post('/api/boards', { title: 'x' })).status).toBe(401)
  })

  it('creates a board with its title; the creator owns it and sees it listed, others do not', async () => {
    const { api } = await given.app.account()
    const other = await given.app.account()
    const created = await api.post<{ id: string; title: string }>('/api/boards', { title: '  Northern route  ' })
    expect(created.status).toBe(201)
    expect(created.body.title).toBe('Northern route')
    const listed = await api.get<{ id: string; title: string; role: string }[]>('/api/boards')
    expect(listed.status).toBe(200)
    expect(listed.body).toContainEqual(expect.objectContaining({ id: created.body.id, title: 'Northern route', role: 'owner' }))
    const othersList = await other.api.get<{ id: string }[]>('/api/boards')
    expect(othersList.body.map((b) => b.id)).not.toContain(created.body.id)
  })

  it('refuses a board without a title, or with fields it does not know', async () => {
    const { api } = await given.app.account()
    expect((await api.post('/api/boards', {})).status).toBe(400)
    expect((await api.post('/api/boards', { title: '' })).status).toBe(400)
    expect((await api.post('/api/boards', { title: 'ok', owner: 'someone' })).status).toBe(400)
  })
})
