/** Signing in and out, setup and who am I: status codes and validation through the real app (no server, no socket). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SESSION_COOKIE } from '../auth/session-cookie.ts'
import { openTestApp, type TestApp } from '../../test/helpers/test-app.ts'

// No board and no account yet: the first-run setup is open.
let app: TestApp

beforeAll(async () => {
  app = await openTestApp()
})
afterAll(() => app.close())

const errorCode = (body: unknown) => (body as { error: { code: string } }).error.code

describe('the auth API', () => {
  it('says setup is needed before any account exists, and lets the first person become admin once', async () => {
    const before = await app.anonymous.get<{ setupNeeded: boolean; user: null }>('/api/auth/status')
    expect(before.body).toEqual({ setupNeeded: true, user: null })
    expect((await app.anonymous.post('/api/auth/setup', { email: 'admin@example.org', name: 'Admin', password: 'short' })).status).toBe(400)
    const setup = await app.anonymous.post('/api/auth/setup', { email: 'admin@example.org', name: 'Admin', password: 'a long enough password' })
    expect(setup.status).toBe(200)
    expect(setup.body).toMatchObject({ email: 'admin@example.org', isAdmin: true })
    const again = await app.anonymous.post('/api/auth/setup', { email: 'other@example.org', name: 'Other', password: 'a long enough password' })
    expect(again.status).toBe(409)
    expect(errorCode(again.body)).toBe('setup_done')
  })

  it('signs in with the right password only, one answer for a wrong password and an unknown email', async () => {
    const { account } = await app.account()
    const wrong = await app.anonymous.post('/api/auth/login', { email: account.email, password: 'wrong' })
    const unknown = await app.anonymous.post('/api/auth/login', { email: 'nobody@example.org', password: 'wrong' })
    expect(wrong.status).toBe(401)
    expect(unknown.body).toEqual(wrong.body)
    expect((await app.anonymous.post('/api/auth/login', { email: account.email })).status).toBe(400)
    const signedIn = await app.anonymous.post('/api/auth/login', { email: account.email, password: account.password })
    expect(signedIn.status).toBe(200)
    expect(signedIn.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=`))).toBe(true)
  })

  it('answers /me for a credential and 401 without; a password change needs a session and the current password', async () => {
    const { account, api } = await app.account()
    expect((await app.anonymous.get('/api/me')).status).toBe(401)
    expect((await api.get('/api/me')).body).toMatchObject({ id: account.id, email: account.email })
    expect((await api.post('/api/me/password', { currentPassword: account.password, newPassword: 'a new long password' })).status).toBe(403)
    const session = await app.signIn(account)
    expect((await session.post('/api/me/password', { currentPassword: account.password, newPassword: 'short' })).status).toBe(400)
    expect((await session.post('/api/me/password', { currentPassword: 'wrong', newPassword: 'a new long password' })).status).toBe(403)
    expect((await session.post('/api/me/password', { currentPassword: account.password, newPassword: 'a new long password' })).status).toBe(204)
  })
})
