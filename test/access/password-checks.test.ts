/**
 * The passwords an instance checks at once are bounded: past
 * PASSWORD_CHECKS_IN_FLIGHT a sign-in or a password change is refused at once
 * with 503 password_checks_busy and Retry-After, before anything is counted,
 * so refusals spend no one's sign-in count. A sign-in is held midway (its
 * account looked up) by a gate in front of the storage.
 */
import { afterEach, expect, it } from 'vitest'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, sessionHeaders, signIn } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { Gate } from '../helpers/gate.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

type ErrorBody = { error: { code: string } }

let server: TestServer | undefined
afterEach(async () => {
  await server?.destroy()
  server = undefined
})

it('refuses sign-ins and password changes past the bound with 503 password_checks_busy, counting none of them', async () => {
  const lookups = new Gate()
  const gated = (storage: Storage): Storage => ({
    ...storage,
    users: Object.assign(Object.create(storage.users) as Storage['users'], {
      getByEmail: async (email: string) => {
        await lookups.pass()
        return storage.users.getByEmail(email)
      },
    }),
  })
  server = await startTestServer({ accounts: true, wrapStorage: gated, env: { PASSWORD_CHECKS_IN_FLIGHT: '1' } })
  const running = server
  const owner = await addAccount(running)
  const changer = await addAccount(running)
  const asChanger = apiClient(running.url, sessionHeaders(running, await signIn(running, changer)))
  const anonymous = apiClient(running.url, { origin: running.url })
  const login = (email: string, password: string) => anonymous.post<ErrorBody>('/api/auth/login', { email, password })

  // One stranger's sign-in takes the instance's only place and is held there.
  lookups.hold(1)
  const held = login('nobody@example.org', 'a guess')
  await waitFor(() => lookups.waiting === 1, 'the first sign-in to be held midway')

  // More wrong guesses at the owner's password than the counts allow (5 from one address) are all refused for want of a place...
  for (let i = 0; i < 8; i++) {
    const refused = await login(owner.email, `guess ${i}`)
    expect({ status: refused.status, code: refused.body.error.code, retryAfter: refused.headers.get('retry-after') }).toEqual({ status: 503, code: 'password_checks_busy', retryAfter: '1' })
  }
  const change = await asChanger.post<ErrorBody>('/api/me/password', { currentPassword: changer.password, newPassword: 'a new password of theirs' })
  expect({ status: change.status, code: change.body.error.code }).toEqual({ status: 503, code: 'password_checks_busy' })

  lookups.release()
  expect((await held).status).toBe(401)
  // ...and spent nothing: the owner signs in from the same address, the password change goes through.
  expect((await login(owner.email, owner.password)).status).toBe(200)
  expect((await asChanger.post('/api/me/password', { currentPassword: changer.password, newPassword: 'a new password of theirs' })).status).toBe(204)
})
