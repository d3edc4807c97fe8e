/**
 * The passwords an instance checks at once are bounded: past
 * PASSWORD_CHECKS_IN_FLIGHT a sign-in or a password change waits its turn,
 * PASSWORD_CHECKS_WAITING of them at most, each for PASSWORD_CHECK_WAIT_MS;
 * past those it is refused with 503 password_checks_busy and Retry-After,
 * before anything is counted, so refusals spend no one's sign-in count. A
 * sign-in with an email that has no account takes no place but gets the same
 * answers. The instance's place is held by a password change stopped at a
 * gate in front of the storage once its password is checked, as it writes the
 * new hash.
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

/** A server checking one password at once, whose password changes can be held once the password is checked, and which counts the sign-ins that looked up their account. */
async function startGated(env: Record<string, string>) {
  const hashWrites = new Gate()
  const lookups = { done: 0 }
  const gated = (storage: Storage): Storage => ({
    ...storage,
    users: Object.assign(Object.create(storage.users) as Storage['users'], {
      getByEmail: async (email: string) => {
        const user = await storage.users.getByEmail(email)
        lookups.done++
        return user
      },
      setPasswordHash: async (...args: Parameters<Storage['users']['setPasswordHash']>) => {
        await hashWrites.pass()
        return storage.users.setPasswordHash(...args)
      },
    }),
  })
  server = await startTestServer({ accounts: true, wrapStorage: gated, env: { PASSWORD_CHECKS_IN_FLIGHT: '1', ...env } })
  const running = server
  /** A password change that takes the instance's only place and keeps it until the gate is released. */
  const holdThePlace = async () => {
    const holder = await addAccount(running)
    const asHolder = await signedInClient(running, holder)
    hashWrites.hold(1)
    const held = asHolder.post('/api/me/password', { currentPassword: holder.password, newPassword: 'the holder’s new password' })
    await waitFor(() => hashWrites.waiting === 1, 'a password change to hold the place')
    // Wrapped: an async function's returned promise would be awaited with it.
    return { held }
  }
  return { running, hashWrites, lookups, holdThePlace }
}

function signIn(running: TestServer) {
  const anonymous = apiClient(running.url, { origin: running.url })
  return async (email: string, password: string) => {
    const answer = await anonymous.post<ErrorBody>('/api/auth/login', { email, password })
    return { status: answer.status, code: answer.body.error?.code, retryAfter: answer.headers.get('retry-after') }
  }
}

const BUSY = { status: 503, code: 'password_checks_busy', retryAfter: '1' }

it('refuses sign-ins and password changes past the bound and its queue with 503 password_checks_busy, counting none of them', async () => {
  const { running, hashWrites, holdThePlace } = await startGated({ PASSWORD_CHECKS_WAITING: '0' })
  const owner = await addAccount(running)
  const changer = await addAccount(running)
  const asChanger = await signedInClient(running, changer)
  const login = signIn(running)
  const { held } = await holdThePlace()

  // More wrong guesses at the owner's password than the counts allow (5 from one address) are all refused for want of a place...
  for (let i = 0; i < 8; i++) expect(await login(owner.email, `guess ${i}`)).toEqual(BUSY)
  // ...as is an email with no account, which takes no place: its answer does not tell that it has none.
  expect(await login('nobody@example.org', 'a guess')).toEqual(BUSY)
  const change = await asChanger.post<ErrorBody>('/api/me/password', { currentPassword: changer.password, newPassword: 'a new password of theirs' })
  expect({ status: change.status, code: change.body.error.code }).toEqual({ status: 503, code: 'password_checks_busy' })

  hashWrites.release()
  expect((await held).status).toBe(204)
  // ...and spent nothing: the owner signs in from the same address, the password change goes through.
  expect((await login(owner.email, owner.password)).status).toBe(200)
  expect((await asChanger.post('/api/me/password', { currentPassword: changer.password, newPassword: 'a new password of theirs' })).status).toBe(204)
})

it('lets sign-ins past the bound wait their turn, as many as the queue holds, each for at most its wait', async () => {
  const { running, hashWrites, lookups, holdThePlace } = await startGated({ PASSWORD_CHECKS_WAITING: '3', PASSWORD_CHECK_WAIT_MS: '60000' })
  const team = [await addAccount(running), await addAccount(running), await addAccount(running)]
  const login = signIn(running)
  const { held } = await holdThePlace()

  // A team signing in at once waits behind it, rather than being refused...
  const looked = lookups.done
  const waiting = team.map((person) => login(person.email, person.password))
  await waitFor(() => lookups.done === looked + team.length, 'the team to join the queue')
  // ...until the queue is full: one more is refused at once, whether its email has an account or not.
  expect(await login(team[0]!.email, team[0]!.password)).toEqual(BUSY)
  expect(await login('nobody@example.org', 'a guess')).toEqual(BUSY)

  hashWrites.release()
  expect((await held).status).toBe(204)
  expect((await Promise.all(waiting)).map((answer) => answer.status)).toEqual([200, 200, 200])
  expect(await login('nobody@example.org', 'a guess')).toEqual({ status: 401, code: 'invalid_credentials', retryAfter: null })
})

it('refuses a sign-in that waited its longest for a place', async () => {
  const { running, hashWrites, holdThePlace } = await startGated({ PASSWORD_CHECKS_WAITING: '3', PASSWORD_CHECK_WAIT_MS: '300' })
  const person = await addAccount(running)
  const login = signIn(running)
  const { held } = await holdThePlace()
  expect(await login(person.email, person.password)).toEqual(BUSY)
  hashWrites.release()
  expect((await held).status).toBe(204)
  // The place it waited for is free again: the next sign-in is checked at once.
  expect((await login(person.email, person.password)).status).toBe(200)
})

it('answers an email with no account without a place, while the queue has room', async () => {
  const { running, hashWrites, holdThePlace } = await startGated({ PASSWORD_CHECKS_WAITING: '3', PASSWORD_CHECK_WAIT_MS: '60000' })
  const login = signIn(running)
  const { held } = await holdThePlace()
  // The only place is held, and would be for as long as the test likes: the unknown email is answered all the same.
  expect(await login('nobody@example.org', 'a guess')).toEqual({ status: 401, code: 'invalid_credentials', retryAfter: null })
  hashWrites.release()
  expect((await held).status).toBe(204)
})
