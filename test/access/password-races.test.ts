/**
 * A sign-in or a password change is checked against the account's password
 * hash some tens of milliseconds (a place among the password checks, up to
 * PASSWORD_CHECK_WAIT_MS, then argon2id) before it acts on it. An admin's
 * reset or deactivation in that time used to be undone: the holder of a leaked
 * session and password changing the password as the admin reset it kept their
 * own (13 of 20 tries on SQLite, 18 of 20 across two instances), a sign-in
 * with the leaked password made a session that outlived the reset (3 of 20),
 * and one during a deactivation came back with the reactivation (20 of 20).
 * Now the account is read once the place is taken, a new password is written
 * only over the hash its current password was checked against, and a session
 * starts only while the account has the hash its sign-in checked and is
 * active; an API token asked for with a session, only while that session
 * exists. Gates in front of the storage hold each request once its password
 * (or session) is checked, just before it writes the password, the session or
 * the token, while the admin acts; on SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, sessionCookieFrom, signedInClient, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { Gate } from '../helpers/gate.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

/** An error's body; a 204's is null. */
type ErrorBody = { error?: { code: string } } | null

const ATTACKERS_PASSWORD = 'the attacker’s own password'
const ADMINS_PASSWORD = 'the password the admin set'

describeEachDialect(postgresMissing, 'a sign-in, password change or token under way as the admin resets or deactivates the account, on %s', (dialect) => {
  /** Held, the next password written (a change's or a reset's) waits here before it is written. */
  const hashWrites = new Gate()
  /** Held, the next session started waits here before it is stored. */
  const sessionStarts = new Gate()
  /** Held, the next API token made waits here before it is stored. */
  const tokensMade = new Gate()
  /** How many times each account was read by id. */
  const reads = new Map<string, number>()
  let server: TestServer

  afterEach(async () => {
    hashWrites.release()
    sessionStarts.release()
    tokensMade.release()
    reads.clear()
    await server.destroy()
  })

  const gated = (storage: Storage): Storage => ({
    ...storage,
    users: Object.assign(Object.create(storage.users) as Storage['users'], {
      get: async (id: string) => {
        reads.set(id, (reads.get(id) ?? 0) + 1)
        return storage.users.get(id)
      },
      setPasswordHash: async (...args: Parameters<Storage['users']['setPasswordHash']>) => {
        await hashWrites.pass()
        return storage.users.setPasswordHash(...args)
      },
    }),
    sessions: Object.assign(Object.create(storage.sessions) as Storage['sessions'], {
      create: async (...args: Parameters<Storage['sessions']['create']>) => {
        await sessionStarts.pass()
        return storage.sessions.create(...args)
      },
    }),
    tokens: Object.assign(Object.create(storage.tokens) as Storage['tokens'], {
      create: async (...args: Parameters<Storage['tokens']['create']>) => {
        await tokensMade.pass()
        return storage.tokens.create(...args)
      },
    }),
  })

  /** The admin signed in, and the person whose password has leaked. */
  async function given(env: Record<string, string> = {}): Promise<{ admin: ApiClient; victim: TestAccount }> {
    server = await startTestServer({ dialect, accounts: true, wrapStorage: gated, env })
    const admin = await signedInClient(server, await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
    return { admin, victim: await addAccount(server, { name: 'Vera Victim' }) }
  }

  async function signIn(email: string, password: string) {
    const answer = await apiClient(server.url, { origin: server.url }).post<ErrorBody>('/api/auth/login', { email, password })
    return { status: answer.status, code: answer.body?.error?.code, cookie: sessionCookieFrom(answer.headers) }
  }

  const reset = (admin: ApiClient, victim: TestAccount) => admin.post(`/api/users/${victim.id}/password`, { password: ADMINS_PASSWORD })
  const setDeactivated = (admin: ApiClient, victim: TestAccount, deactivated: boolean) => admin.patch(`/api/users/${victim.id}`, { deactivated })

  it('refuses a password change checked before the admin’s reset: the admin’s password stands', async () => {
    const { admin, victim } = await given()
    const attacker = await signedInClient(server, victim)
    hashWrites.hold(1)
    const changing = attacker.post<ErrorBody>('/api/me/password', { currentPassword: victim.password, newPassword: ATTACKERS_PASSWORD })
    await waitFor(() => hashWrites.waiting === 1, 'the change, its current password checked, to write the new one')
    // The gate stops only the change: the admin's reset passes it.
    expect((await reset(admin, victim)).status).toBe(204)
    hashWrites.release()

    const changed = await changing
    expect({ status: changed.status, code: changed.body?.error?.code }).toEqual({ status: 409, code: 'password_changed' })
    expect((await signIn(victim.email, ATTACKERS_PASSWORD)).status).toBe(401)
    expect((await signIn(victim.email, ADMINS_PASSWORD)).status).toBe(200)
  })

  it('checks a password change that waited for its place against the password as it is once it has the place', async () => {
    // One place among the checks, and the one email may hold two of them, in flight and waiting.
    const { victim } = await given({ PASSWORD_CHECKS_IN_FLIGHT: '1', PASSWORD_CHECKS_PER_EMAIL: '2' })
    const [owner, attacker] = [await signedInClient(server, victim), await signedInClient(server, victim)]
    // The owner, fearing a leak, changes the password; their change holds the only place as it writes...
    hashWrites.hold(1)
    const securing = owner.post('/api/me/password', { currentPassword: victim.password, newPassword: 'the owner’s new password' })
    await waitFor(() => hashWrites.waiting === 1, 'the owner’s change to write the new password')
    // ...while the attacker's change with the old one waits for it, having read the account (its session's look-up as its
    // headers arrive and again once its body is in, then its own).
    const readBefore = reads.get(victim.id) ?? 0
    const changing = attacker.post<ErrorBody>('/api/me/password', { currentPassword: victim.password, newPassword: ATTACKERS_PASSWORD })
    await waitFor(() => reads.get(victim.id) === readBefore + 3, 'the attacker’s change to read the account and wait for a place')
    hashWrites.release()
    expect((await securing).status).toBe(204)

    const changed = await changing
    expect({ status: changed.status, code: changed.body?.error?.code }).toEqual({ status: 403, code: 'wrong_password' })
    expect((await signIn(victim.email, ATTACKERS_PASSWORD)).status).toBe(401)
    expect((await signIn(victim.email, 'the owner’s new password')).status).toBe(200)
  })

  it('starts no session for a sign-in with the leaked password checked before the admin’s reset', async () => {
    const { admin, victim } = await given()
    sessionStarts.hold(1)
    const signingIn = signIn(victim.email, victim.password)
    await waitFor(() => sessionStarts.waiting === 1, 'the sign-in, its password checked, to start its session')
    expect((await reset(admin, victim)).status).toBe(204)
    sessionStarts.release()

    expect(await signingIn).toEqual({ status: 401, code: 'password_changed', cookie: null })
    // Nothing was stored: the reset leaves the account without a session.
    expect(await server.services.storage.sessions.deleteForUser(victim.id)).toEqual([])
    expect((await signIn(victim.email, ADMINS_PASSWORD)).status).toBe(200)
  })

  it('starts no session for a sign-in checked before a deactivation, so none comes back with the reactivation', async () => {
    const { admin, victim } = await given()
    sessionStarts.hold(1)
    const signingIn = signIn(victim.email, victim.password)
    await waitFor(() => sessionStarts.waiting === 1, 'the sign-in, its password checked, to start its session')
    expect((await setDeactivated(admin, victim, true)).status).toBe(200)
    sessionStarts.release()

    expect(await signingIn).toEqual({ status: 403, code: 'account_deactivated', cookie: null })
    expect((await setDeactivated(admin, victim, false)).status).toBe(200)
    expect(await server.services.storage.sessions.deleteForUser(victim.id)).toEqual([])
    // Reactivated, the account signs in again as it did.
    expect((await signIn(victim.email, victim.password)).status).toBe(200)
  })

  it('makes no API token for a leaked session that the admin’s reset ended while the token was being made', async () => {
    const { admin, victim } = await given()
    const attacker = await signedInClient(server, victim)
    tokensMade.hold(1)
    const making = attacker.post<{ token?: string } & ErrorBody>('/api/tokens', { name: 'a way back in' })
    await waitFor(() => tokensMade.waiting === 1, 'the token to be stored')
    expect((await reset(admin, victim)).status).toBe(204)
    tokensMade.release()

    const made = await making
    expect({ status: made.status, code: made.body?.error?.code }).toEqual({ status: 401, code: 'unauthorized' })
    // Nothing the reset did not revoke is left: the account has no token that works.
    expect(await server.services.storage.tokens.listActive(victim.id)).toEqual([])
  })
})
