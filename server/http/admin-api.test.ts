/** The admin's API: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

const errorCode = (body: unknown) => (body as { error: { code: string } }).error.code

describe('the admin API', () => {
  it('is for the admin only (403 otherwise, 401 without a credential)', async () => {
    const { api } = await given.app.account()
    expect((await given.app.anonymous.get('/api/users')).status).toBe(401)
    expect((await api.get('/api/users')).status).toBe(403)
    expect((await api.get('/api/audit')).status).toBe(403)
  })

  it('adds an account; the same email again is 409; a short password, a bad email or unknown fields 400', async () => {
    const api = await given.app.signIn((await given.app.account({ isAdmin: true })).account)
    const email = `new-${crypto.randomUUID().slice(0, 8)}@example.org`
    const added = await api.post('/api/users', { email, name: 'New Person', password: 'a long enough password' })
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({ email, name: 'New Person', isAdmin: false, deactivatedAt: null })
    expect((await api.post('/api/users', { email, name: 'Again', password: 'a long enough password' })).status).toBe(409)
    expect((await api.post('/api/users', { email: 'x@example.org', name: 'Short', password: 'short' })).status).toBe(400)
    expect((await api.post('/api/users', { email: 'not an email', name: 'X', password: 'a long enough password' })).status).toBe(400)
    expect((await api.post('/api/users', { email: 'y@example.org', name: 'X', password: 'a long enough password', role: 'owner' })).status).toBe(400)
  })

  it('changes an account; an empty patch is 400, an unknown account 404, deactivating oneself 409', async () => {
    const admin = await given.app.account({ isAdmin: true })
    const adminApi = await given.app.signIn(admin.account)
    const { account } = await given.app.account()
    const changed = await adminApi.patch(`/api/users/${account.id}`, { isAdmin: true })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ id: account.id, isAdmin: true })
    expect((await adminApi.patch(`/api/users/${account.id}`, {})).status).toBe(400)
    expect((await adminApi.patch('/api/users/nobody', { isAdmin: true })).status).toBe(404)
    const self = await adminApi.patch(`/api/users/${admin.account.id}`, { deactivated: true })
    expect(self.status).toBe(409)
    expect(errorCode(self.body)).toBe('own_account')
    expect((await adminApi.post('/api/users/nobody/password', { password: 'a long enough password' })).status).toBe(404)
  })
})
