/** Personal API tokens: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

describe('the tokens API', () => {
  it('creates a token shown once, lists it without the secret, and revokes it', async () => {
    const api = await given.app.signIn((await given.app.account()).account)
    const created = await api.post<{ id: string; token: string; name: string }>('/api/tokens', { name: 'ci' })
    expect(created.status).toBe(201)
    expect(created.body.name).toBe('ci')
    const listed = await api.get<{ id: string }[]>('/api/tokens')
    expect(listed.status).toBe(200)
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token)
    expect(listed.body.map((t) => t.id)).toContain(created.body.id)
    expect((await api.delete(`/api/tokens/${created.body.id}`)).status).toBe(204)
    expect((await api.delete(`/api/tokens/${created.body.id}`)).status).toBe(404)
  })

  it('refuses a token made with a token (403), and one without a name or with unknown fields (400)', async () => {
    const { account, api: withToken } = await given.app.account()
    expect((await withToken.post('/api/tokens', { name: 'minted' })).status).toBe(403)
    const api = await given.app.signIn(account)
    expect((await api.post('/api/tokens', {})).status).toBe(400)
    expect((await api.post('/api/tokens', { name: '' })).status).toBe(400)
    expect((await api.post('/api/tokens', { name: 'x', scope: 'all' })).status).toBe(400)
  })

  it('a malformed or unknown bearer token is 401', async () => {
    expect((await given.app.anonymous.get('/api/tokens')).status).toBe(401)
    expect((await given.app.client({ authorization: 'Bearer not-a-token' }).get('/api/tokens')).status).toBe(401)
    expect((await given.app.client({ authorization: 'Basic abc' }).get('/api/tokens')).status).toBe(401)
  })
})
