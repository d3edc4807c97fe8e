/**
 * Account changes refused by storage at their audit entry, on a real server
 * and both dialects: signing out, changing one's password, an admin's reset,
 * adding an account (through the API, and `assay user add` on PostgreSQL), deactivating or
 * reactivating one, and making an admin or not each store the change and its
 * entry in one transaction (a password: the sessions and tokens it ends too;
 * one request deactivating an admin and taking their rights: both changes and
 * both entries).
 * A database refusing the entry (a trigger of the test's own, failing as a
 * full disk would) leaves the change undone: the session signed out still
 * works and keeps its cookie (the browser is told the sign-out was refused,
 * and ends it when it next reaches the server), the old password still signs
 * in with the sessions and tokens it had, no account is added, deactivated,
 * reactivated or made an admin or not. A refused password change is not
 * counted against the person's hourly sign-ins.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addAccount, addToken, signedInClient, signIn, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { refuseAuditEntries } from '../helpers/refused-writes.ts'
import { runCli } from '../helpers/run-cli.ts'
import { rowCount } from '../helpers/server-database.ts'
import { describeEachDialect, describeUnless, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

const auditsOf = (server: TestServer, action: string) => rowCount(server, 'audit_log', { column: 'action', value: action })

describeEachDialect(postgresMissing, 'account changes refused by storage at their audit entry on %s', (dialect) => {
  let server: TestServer
  beforeEach(async () => {
    // Two sign-ins and a password change: one more is refused (429), so a refused change that was counted shows.
    server = await startTestServer({ dialect, accounts: true, env: { SIGN_INS_PER_HOUR_PER_ACCOUNT: '3', SNAPSHOT_INTERVAL_MINUTES: '0' } })
  })
  afterEach(async () => {
    await server.destroy()
  })

  /** PostgreSQL's disk full is storage trouble (503); a SQLite trigger fails as a constraint (500). Either way nothing was done. */
  const refusedStatus = dialect === 'postgres' ? 503 : 500
  const refuseAudit = (action: string) => refuseAuditEntries(server, action)
  const audits = (action: string) => auditsOf(server, action)
  const meStatus = async (headers: Record<string, string>) => (await apiClient(server.url, headers).get('/api/me')).status
  const withCookie = (cookie: string) => ({ cookie, origin: server.url })
  const passwordHashOf = async (account: TestAccount) => (await server.services.storage.users.get(account.id))?.passwordHash

  it('a sign-out refused at its audit entry leaves the session working and its cookie set', async () => {
    const account = await addAccount(server, { name: 'Otto Out' })
    const cookie = await signIn(server, account)
    const signOut = () => apiClient(server.url, withCookie(cookie)).post('/api/auth/logout')
    const allow = await refuseAudit('sign-out')
    const refused = await signOut()
    expect(refused.status).toBe(refusedStatus)
    // Not told to forget its cookie or its cache: the session it names lives on.
    expect({ setCookie: refused.headers.getSetCookie(), clearSiteData: refused.headers.get('clear-site-data') }).toEqual({ setCookie: [], clearSiteData: null })
    expect(await meStatus(withCookie(cookie))).toBe(200)
    await allow()

    const signedOut = await signOut()
    expect(signedOut.status).toBe(204)
    expect(await meStatus(withCookie(cookie))).toBe(401)
    expect(await audits('sign-out')).toBe(1)
  })

  it('a password change refused at its audit entry keeps the password and the other sessions, and is not counted', async () => {
    const account = await addAccount(server, { name: 'Paula Password' })
    const [api, elsewhere] = [await signedInClient(server, account), await signIn(server, account)]
    const hashBefore = await passwordHashOf(account)
    const change = () => api.post('/api/me/password', { currentPassword: account.password, newPassword: 'a new password, long enough' })
    const allow = await refuseAudit('password-changed')
    expect((await change()).status).toBe(refusedStatus)
    expect({ hash: await passwordHashOf(account), elsewhere: await meStatus(withCookie(elsewhere)) }).toEqual({ hash: hashBefore, elsewhere: 200 })
    await allow()

    expect((await change()).status).toBe(204)
    expect({ changed: (await passwordHashOf(account)) !== hashBefore, elsewhere: await meStatus(withCookie(elsewhere)), here: (await api.get('/api/me')).status }).toEqual({ changed: true, elsewhere: 401, here: 200 })
    expect(await audits('password-changed')).toBe(1)
    // Two sign-ins and the change that succeeded took the hour's three.
    expect((await api.post('/api/me/password', { currentPassword: 'a new password, long enough', newPassword: 'yet another password' })).status).toBe(429)
  })

  describe('by the admin', () => {
    let admin: ApiClient
    let person: TestAccount
    const setUp = async (options: { personIsAdmin?: boolean } = {}) => {
      admin = await signedInClient(server, await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
      person = await addAccount(server, { name: 'Pat Person', isAdmin: options.personIsAdmin ?? false })
    }

    it('a password reset refused at its audit entry keeps the password, and the person’s sessions and tokens working', async () => {
      await setUp()
      const cookie = await signIn(server, person)
      const bearer = { authorization: `Bearer ${(await addToken(server, person)).token}` }
      const hashBefore = await passwordHashOf(person)
      const reset = () => admin.post(`/api/users/${person.id}/password`, { password: 'the admin’s new password' })
      const allow = await refuseAudit('password-reset')
      expect((await reset()).status).toBe(refusedStatus)
      expect({ hash: await passwordHashOf(person), session: await meStatus(withCookie(cookie)), token: await meStatus(bearer) }).toEqual({ hash: hashBefore, session: 200, token: 200 })
      await allow()

      expect((await reset()).status).toBe(204)
      expect({ session: await meStatus(withCookie(cookie)), token: await meStatus(bearer), audits: await audits('password-reset') }).toEqual({ session: 401, token: 401, audits: 1 })
    })

    it('an account added refused at its audit entry is not stored', async () => {
      await setUp()
      const email = 'newcomer@example.org'
      const add = () => admin.post('/api/users', { email, name: 'Nia Newcomer', password: 'a password long enough' })
      const accounts = () => rowCount(server, 'users', { column: 'email', value: email })
      const allow = await refuseAudit('user-added')
      expect((await add()).status).toBe(refusedStatus)
      expect(await accounts()).toBe(0)
      await allow()

      expect((await add()).status).toBe(201)
      expect({ accounts: await accounts(), audits: await audits('user-added') }).toEqual({ accounts: 1, audits: 1 })
    })

    it.each([
      ['deactivating an account', 'user-deactivated', { deactivated: true }],
      ['reactivating an account', 'user-reactivated', { deactivated: false }],
      ['making an account an admin', 'admin-granted', { isAdmin: true }],
      ['taking an account’s admin rights', 'admin-revoked', { isAdmin: false }],
    ] as const)('%s, refused at its audit entry, leaves it as it was', async (_change, action, patch) => {
      await setUp({ personIsAdmin: 'isAdmin' in patch && !patch.isAdmin })
      if ('deactivated' in patch && !patch.deactivated) await server.services.storage.users.setDeactivated(person.id, new Date().toISOString())
      const stateOf = async () => {
        const user = await server.services.storage.users.get(person.id)
        return { isAdmin: user?.isAdmin, deactivated: user?.deactivatedAt !== null }
      }
      const before = await stateOf()
      const change = () => admin.patch(`/api/users/${person.id}`, patch)
      const allow = await refuseAudit(action)
      expect((await change()).status).toBe(refusedStatus)
      expect(await stateOf()).toEqual(before)
      await allow()

      expect((await change()).status).toBe(200)
      const expected = 'isAdmin' in patch ? { ...before, isAdmin: patch.isAdmin } : { ...before, deactivated: patch.deactivated }
      expect({ state: await stateOf(), audits: await audits(action) }).toEqual({ state: expected, audits: 1 })
    })

    it('deactivating an admin and taking their rights in one request, refused at its second audit entry, changes neither', async () => {
      await setUp({ personIsAdmin: true })
      const cookie = await signIn(server, person)
      const stateOf = async () => {
        const user = await server.services.storage.users.get(person.id)
        return { isAdmin: user?.isAdmin, deactivated: user?.deactivatedAt !== null }
      }
      const change = () => admin.patch(`/api/users/${person.id}`, { deactivated: true, isAdmin: false })
      const allow = await refuseAudit('admin-revoked')
      expect((await change()).status).toBe(refusedStatus)
      expect({ state: await stateOf(), deactivations: await audits('user-deactivated'), session: await meStatus(withCookie(cookie)) }).toEqual({
        state: { isAdmin: true, deactivated: false },
        deactivations: 0,
        session: 200,
      })
      await allow()

      expect((await change()).status).toBe(200)
      expect({ state: await stateOf(), deactivations: await audits('user-deactivated'), revocations: await audits('admin-revoked'), session: await meStatus(withCookie(cookie)) }).toEqual({
        state: { isAdmin: false, deactivated: true },
        deactivations: 1,
        revocations: 1,
        session: 401,
      })
    })
  })
})

// On PostgreSQL only: the command line refuses a SQLite database holding a trigger that is not Assay's before it writes
// anything (the SQLite store it would use is the one the admin's account added above refuses).
describeUnless(postgresMissing)('the command line refused by storage at its audit entry on postgres', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer({ dialect: 'postgres', accounts: true, env: { SNAPSHOT_INTERVAL_MINUTES: '0' } })
  })
  afterEach(async () => {
    await server.destroy()
  })

  it('assay user add refused at its audit entry adds no account', async () => {
    const env = { LOG_LEVEL: 'warn', DATA_DIR: server.dataDir, DATABASE_URL: server.config.DATABASE_URL ?? '' }
    const email = 'cli-added@example.org'
    const add = () => runCli(['user', 'add', '--email', email, '--name', 'Cleo Cli'], env, 'typed into a pipe, long enough\n')
    const accounts = () => rowCount(server, 'users', { column: 'email', value: email })
    const allow = await refuseAuditEntries(server, 'user-added')
    expect((await add()).code).not.toBe(0)
    expect(await accounts()).toBe(0)
    await allow()

    const added = await add()
    expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: '' })
    expect({ accounts: await accounts(), audits: await auditsOf(server, 'user-added') }).toEqual({ accounts: 1, audits: 1 })
    // Two processes, each starting Node and loading the server's code: slow on a loaded machine.
  }, 60_000)
})
