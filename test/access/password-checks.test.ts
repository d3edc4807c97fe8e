/**
 * The passwords an instance checks at once are bounded: past
 * PASSWORD_CHECKS_IN_FLIGHT a sign-in or a password change waits its turn,
 * PASSWORD_CHECKS_WAITING of them at most, each for PASSWORD_CHECK_WAIT_MS;
 * past those it is refused with 503 password_checks_busy and Retry-After,
 * before anything is counted, so refusals spend no one's sign-in count. A
 * sign-in is held midway (its account looked up) by a gate in front of the
 * storage.
 */
import { afterEach, expect, it } from 'vitest'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, signedInClient } from '../helpers/accounts.ts'
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

/** A server checking one password at once, whose sign-ins can be held once their account is looked up. */
async function startGated(env: Record<string, string>) {
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
  server = await startTestServer({ accounts: true, wrapStorage: gated, env: { PASSWORD_CHECKS_IN_FLIGHT: '1', ...env } })
  return { running: server, lookups }
}

it('refuses sign-ins and password changes past the bound and its queue with 503 password_checks_busy, counting none of them', async () => {
  const { running, lookups } = await startGated({ PASSWORD_CHECKS_WAITING: '0' })
  const owner = await addAccount(running)
  const changer = await addAccount(running)
  const asChanger = await signedInClient(running, changer)
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

it('lets sign-ins past the bound wait their turn, as many as the queue holds, each for at most its wait', async () => {
  const { running, lookups } = await startGated({ PASSWORD_CHECKS_WAITING: '3', PASSWORD_CHECK_WAIT_MS: '60000' })
  const team = [await addAccount(running), await addAccount(running), await addAccount(running)]
  const anonymous = apiClient(running.url, { origin: running.url })
  const login = (email: string, password: string) => anonymous.post<ErrorBody>('/api/auth/login', { email, password })

  lookups.hold(1)
  const held = login('nobody@example.org', 'a guess')
  await waitFor(() => lookups.waiting === 1, 'the first sign-in to be held midway')
  // A team signing in at once waits behind it, rather than being refused...
  const waiting = team.map((person) => login(person.email, person.password))
  // ...until the queue is full: one more is refused at once.
  const refused = await login(team[0]!.email, team[0]!.password)
  expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 503, code: 'password_checks_busy' })

  lookups.release()
  expect((await held).status).toBe(401)
  expect((await Promise.all(waiting)).map((answer) => answer.status)).toEqual([200, 200, 200])
})

it('refuses a sign-in that waited its longest for a place', async () => {
  const { running, lookups } = await startGated({ PASSWORD_CHECKS_WAITING: '3', PASSWORD_CHECK_WAIT_MS: '300' })
  const person = await addAccount(running)
  const anonymous = apiClient(running.url, { origin: running.url })
  lookups.hold(1)
  const held = anonymous.post('/api/auth/login', { email: 'nobody@example.org', password: 'a guess' })
  await waitFor(() => lookups.waiting === 1, 'the first sign-in to be held midway')
  const waited = await anonymous.post<ErrorBody>('/api/auth/login', { email: person.email, password: person.password })
  expect({ status: waited.status, code: waited.body.error.code, retryAfter: waited.headers.get('retry-after') }).toEqual({ status: 503, code: 'password_checks_busy', retryAfter: '1' })
  lookups.release()
  expect((await held).status).toBe(401)
  // The place it waited for is free again: the next sign-in is checked at once.
  expect((await anonymous.post('/api/auth/login', { email: person.email, password: person.password })).status).toBe(200)
})
