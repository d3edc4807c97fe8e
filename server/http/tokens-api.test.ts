/** Personal API tokens: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'
import { issueApiToken } from '../auth/accounts.ts'

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

  it('refuses a 101st token that is not revoked (409), and makes it once one is revoked', async () => {
    const { account } = await given.app.account()
    const api = await given.app.signIn(account)
    const active = await given.app.services.storage.tokens.listActive(account.id)
    for (let i = active.length; i < 99; i++) await issueApiToken(given.app.services, account.id, `script ${i}`)
    const hundredth = await api.post<{ id: string }>('/api/tokens', { name: 'the hundredth' })
    expect(hundredth.status).toBe(201)
    const refused = await api.post<{ error: { code: string; message: string } }>('/api/tokens', { name: 'one too many' })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toEqual({
      code: 'too_many_tokens',
      message: 'You have 100 API tokens that are not revoked: revoke one you no longer use, then create this one.',
    })
    expect((await api.delete(`/api/tokens/${hundredth.body.id}`)).status).toBe(204)
    expect((await api.post('/api/tokens', { name: 'in its place' })).status).toBe(201)
  })

  it('a malformed or unknown bearer token is 401', async () => {
    expect((await given.app.anonymous.get('/api/tokens')).status).toBe(401)
    expect((await given.app.client({ authorization: 'Bearer not-a-token' }).get('/api/tokens')).status).toBe(401)
    expect((await given.app.client({ authorization: 'Basic abc' }).get('/api/tokens')).status).toBe(401)
  })
})
