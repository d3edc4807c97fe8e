/**
 * Writes refused by storage at their last step, on a real server and both
 * dialects: creating a board, making or deleting a named snapshot, making or
 * revoking an API token, signing in, adding, re-roling or removing a member,
 * making, accepting or revoking an invite link, and archiving, restoring or
 * deleting a board each store the change and its audit entry (a board: its row, its owner, its entry and its
 * document's first state; a member: the owner's decision about them too) in
 * one transaction. A database failing that step (here a trigger of the
 * test's own, refusing the audit entry or the board's first log row as a full
 * disk would) leaves nothing behind: no board without its owner or title, no
 * snapshot, token or session without its entry, no access changed without
 * its entry, no board or snapshot deleted without it, nothing for a retry to
 * duplicate (refused account changes: refused-audited-accounts.test.ts). And the refused request is not
 * counted against the person's hourly allowance: with one left, the same
 * request succeeds once storage has room again (and takes the last), whether
 * the instance counts in its memory or in Redis. An export,
 * audited once made, is not counted either when storage refuses its entry
 * (on PostgreSQL, whose trigger fails as a full disk does: SQLite's trigger
 * fails as a constraint, which is not storage trouble). Nor is a sign-in
 * answered as failed when what follows its commit (sweeping expired
 * sessions) is refused: its session is stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashSecret, newSecret } from '../../server/auth/secret-token.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount, addMember, addToken, sessionCookieFrom, signedInClient, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { refuseDeletes } from '../helpers/refused-deletes.ts'
import { refuseAuditEntries, refuseInserts } from '../helpers/refused-writes.ts'
import { rowCount } from '../helpers/server-database.ts'
import { describeEachDialect, describeUnless, missingServices } from '../helpers/services.ts'
import { REDIS_URL, startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')
const redisMissing = await missingServices('postgres', 'redis')

describeEachDialect(postgresMissing, 'writes refused by storage at their last step on %s', (dialect) => {
  let server: TestServer
  beforeEach(async () => {
    // One of each: a refused request that was counted leaves the person refused (429) once storage has room again.
    const once = { SIGN_INS_PER_HOUR_PER_ACCOUNT: '1', BOARDS_PER_HOUR_PER_PERSON: '1', SNAPSHOTS_PER_HOUR_PER_PERSON: '1', ACCESS_CHANGES_PER_HOUR_PER_PERSON: '1' }
    server = await startTestServer({ dialect, accounts: true, env: { ...once, SNAPSHOT_INTERVAL_MINUTES: '0' } })
  })
  afterEach(async () => {
    await server.destroy()
  })

  /** PostgreSQL's disk full is storage trouble (503); a SQLite trigger fails as a constraint (500). Either way nothing was done. */
  const refusedStatus = dialect === 'postgres' ? 503 : 500
  const refuse = (table: string, only?: { column: string; value: string }) => refuseInserts(server, table, only)
  const refuseAudit = (action: string) => refuseAuditEntries(server, action)
  const audits = (action: string) => rowCount(server, 'audit_log', { column: 'action', value: action })
  const byToken = async (account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })

  it.each([
    ['its audit entry', () => refuseAudit('board-created')],
    ['its document’s first state', () => refuse('board_updates')],
  ])('a board refused at %s leaves no row, owner or entry, and is not counted', async (_step, refuseStep) => {
    const account = await addAccount(server, { name: 'Carla Creator' })
    const api = await byToken(account)
    const allow = await refuseStep()
    expect((await api.post('/api/boards', { title: 'Wagner redeployment' })).status).toBe(refusedStatus)
    const left = { boards: await rowCount(server, 'boards'), members: await rowCount(server, 'board_members'), log: await rowCount(server, 'board_updates'), audits: await audits('board-created') }
    expect(left).toEqual({ boards: 0, members: 0, log: 0, audits: 0 })
    await allow()

    const created = await api.post<{ id: string }>('/api/boards', { title: 'Wagner redeployment' })
    expect(created.status).toBe(201)
    const boardId = created.body.id
    const stored = { boards: await rowCount(server, 'boards'), members: await rowCount(server, 'board_members', { column: 'user_id', value: account.id }), audits: await audits('board-created') }
    expect(stored).toEqual({ boards: 1, members: 1, audits: 1 })
    expect(await rowCount(server, 'board_updates', { column: 'origin', value: `server:${account.id}` })).toBe(1)
    const board = await api.get<BoardModel>(`/api/boards/${boardId}`)
    expect(board.status).toBe(200)
    expect(board.body.title).toBe('Wagner redeployment')
    expect((await api.get<{ id: string; role: string }[]>('/api/boards')).body.map(({ id, role }) => ({ id, role }))).toEqual([{ id: boardId, role: 'owner' }])
  })

  it('a snapshot refused at its audit entry is not stored, and is not counted', async () => {
    const account = await addAccount(server, { name: 'Sam Snapshot' })
    const api = await byToken(account)
    const boardId = await api.createBoard('Snapshotted')
    const allow = await refuseAudit('snapshot')
    expect((await api.post(`/api/boards/${boardId}/snapshots`, { label: 'before the mutiny' })).status).toBe(refusedStatus)
    expect(await rowCount(server, 'snapshots')).toBe(0)
    await allow()

    expect((await api.post(`/api/boards/${boardId}/snapshots`, { label: 'before the mutiny' })).status).toBe(201)
    expect({ snapshots: await rowCount(server, 'snapshots'), audits: await audits('snapshot') }).toEqual({ snapshots: 1, audits: 1 })
  })

  it('a snapshot deletion refused at its audit entry keeps the snapshot', async () => {
    const account = await addAccount(server, { name: 'Dora Delete' })
    const api = await byToken(account)
    const boardId = await api.createBoard('Pruned')
    const made = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'kept for now' })
    expect(made.status).toBe(201)
    const remove = () => api.delete(`/api/boards/${boardId}/snapshots/${made.body.id}`)
    const allow = await refuseAudit('snapshot-deleted')
    expect((await remove()).status).toBe(refusedStatus)
    expect((await api.get(`/api/boards/${boardId}/snapshots/${made.body.id}`)).status).toBe(200)
    await allow()

    expect((await remove()).status).toBe(204)
    expect({ snapshots: await rowCount(server, 'snapshots'), audits: await audits('snapshot-deleted') }).toEqual({ snapshots: 0, audits: 1 })
  })

  it('a board deletion refused at its audit entry keeps the board, readable and writable', async () => {
    const owner = await byToken(await addAccount(server, { name: 'Oona Owner' }))
    const admin = await byToken(await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
    const boardId = await owner.createBoard('Doomed')
    const allow = await refuseAudit('board-deleted')
    expect((await admin.delete(`/api/boards/${boardId}`)).status).toBe(refusedStatus)
    expect((await owner.get<BoardModel>(`/api/boards/${boardId}`)).body.title).toBe('Doomed')
    expect((await owner.post(`/api/boards/${boardId}/snapshots`, { label: 'still here' })).status).toBe(201)
    await allow()

    expect((await admin.delete(`/api/boards/${boardId}`)).status).toBe(204)
    expect({ board: (await owner.get(`/api/boards/${boardId}`)).status, boards: await rowCount(server, 'boards'), audits: await audits('board-deleted') }).toEqual({ board: 404, boards: 0, audits: 1 })
  })

  it('a token refused at its audit entry is not stored, and is not counted', async () => {
    const account = await addAccount(server, { name: 'Toni Token' })
    const api = await signedInClient(server, account)
    const tokens = () => rowCount(server, 'api_tokens', { column: 'user_id', value: account.id })
    const allow = await refuseAudit('token-created')
    expect((await api.post('/api/tokens', { name: 'script' })).status).toBe(refusedStatus)
    expect(await tokens()).toBe(0)
    await allow()

    const made = await api.post<{ token: string }>('/api/tokens', { name: 'script' })
    expect(made.status).toBe(201)
    expect({ tokens: await tokens(), audits: await audits('token-created') }).toEqual({ tokens: 1, audits: 1 })
    expect((await apiClient(server.url, { authorization: `Bearer ${made.body.token}` }).get('/api/me')).status).toBe(200)
  })

  describe('an access change refused at its audit entry', () => {
    let ownerAccount: TestAccount
    let owner: ApiClient
    let boardId: string
    let member: TestAccount
    const roleOf = () => server.services.storage.members.role(boardId, member.id)
    beforeEach(async () => {
      ownerAccount = await addAccount(server, { name: 'Olga Owner' })
      owner = await signedInClient(server, ownerAccount)
      boardId = await owner.createBoard('Membership')
      member = await addAccount(server, { name: 'Mika Member' })
    })
    /** The owner's hour had one change: the retry that succeeded took it, so the next is refused. */
    const expectAllowanceSpent = async () => {
      expect((await owner.post(`/api/boards/${boardId}/members`, { email: 'nobody@example.org', role: 'editor' })).status).toBe(429)
    }

    it('adds no member and records no decision about them, and is not counted', async () => {
      const add = () => owner.post(`/api/boards/${boardId}/members`, { email: member.email, role: 'editor' })
      const allow = await refuseAudit('member-added')
      expect((await add()).status).toBe(refusedStatus)
      expect({ role: await roleOf(), decisions: await rowCount(server, 'member_decisions', { column: 'user_id', value: member.id }) }).toEqual({ role: undefined, decisions: 0 })
      await allow()

      expect((await add()).status).toBe(201)
      expect({ role: await roleOf(), audits: await audits('member-added') }).toEqual({ role: 'editor', audits: 1 })
      await expectAllowanceSpent()
    })

    it.each([
      ['its role as it was', 'member-role-changed', 200, 'reviewer'],
      ['them on the board', 'member-removed', 204, undefined],
    ] as const)('of a member leaves %s, and is not counted', async (_kept, action, doneStatus, roleAfter) => {
      await addMember(server, boardId, member, 'editor')
      const path = `/api/boards/${boardId}/members/${member.id}`
      const change = () => (action === 'member-removed' ? owner.delete(path) : owner.patch(path, { role: 'reviewer' }))
      const allow = await refuseAudit(action)
      expect((await change()).status).toBe(refusedStatus)
      expect(await roleOf()).toBe('editor')
      await allow()

      expect((await change()).status).toBe(doneStatus)
      expect({ role: await roleOf(), audits: await audits(action) }).toEqual({ role: roleAfter, audits: 1 })
      await expectAllowanceSpent()
    })

    it('makes no invite link, and is not counted', async () => {
      const make = () => owner.post<{ token: string }>(`/api/boards/${boardId}/invites`, { role: 'editor' })
      const allow = await refuseAudit('invite-created')
      const refused = await make()
      expect(refused.status).toBe(refusedStatus)
      expect(refused.body.token).toBeUndefined()
      expect(await rowCount(server, 'board_invites')).toBe(0)
      await allow()

      const made = await make()
      expect(made.status).toBe(201)
      expect({ invites: await rowCount(server, 'board_invites'), audits: await audits('invite-created') }).toEqual({ invites: 1, audits: 1 })
      const invited = await signedInClient(server, member)
      expect((await invited.post(`/api/invites/${made.body.token}/accept`)).status).toBe(200)
      expect(await roleOf()).toBe('editor')
      await expectAllowanceSpent()
    })

    /** An editor's invite link to the board as the owner would make it, expiring in an hour, with its token. */
    const storedInvite = async () => {
      const token = newSecret()
      const createdAt = new Date().toISOString()
      const invite = { id: crypto.randomUUID(), tokenHash: hashSecret(token), boardId, role: 'editor' as const, createdBy: ownerAccount.id, createdAt, expiresAt: new Date(Date.now() + 3600_000).toISOString() }
      await server.services.storage.invites.create(invite)
      return { token, invite }
    }

    it('leaves the invite link usable, and is not counted', async () => {
      const { token, invite } = await storedInvite()
      const revoke = () => owner.delete(`/api/boards/${boardId}/invites/${invite.id}`)
      const allow = await refuseAudit('invite-revoked')
      expect((await revoke()).status).toBe(refusedStatus)
      expect(await rowCount(server, 'board_invites')).toBe(1)
      expect((await (await signedInClient(server, member)).post(`/api/invites/${token}/accept`)).status).toBe(200)
      await allow()

      expect((await revoke()).status).toBe(204)
      expect({ invites: await rowCount(server, 'board_invites'), audits: await audits('invite-revoked') }).toEqual({ invites: 0, audits: 1 })
      await expectAllowanceSpent()
    })

    it('admits no one by an invite link, and records no acceptance', async () => {
      const { token, invite } = await storedInvite()
      const invited = await signedInClient(server, member)
      const accept = () => invited.post(`/api/invites/${token}/accept`)
      const allow = await refuseAudit('invite-accepted')
      expect((await accept()).status).toBe(refusedStatus)
      expect(await roleOf()).toBeUndefined()
      await allow()

      expect((await accept()).status).toBe(200)
      const [entry] = await server.services.storage.audit.listForBoard(boardId, { limit: 1, action: 'invite-accepted' })
      expect({ role: await roleOf(), audits: await audits('invite-accepted'), detail: entry && JSON.parse(entry.detail) }).toEqual({
        role: 'editor',
        audits: 1,
        detail: { inviteId: invite.id, userId: member.id, role: 'editor', from: null },
      })
    })

    it.each([
      ['archiving', 'board-archived', null, 'post'],
      ['restoring', 'board-restored', { at: new Date().toISOString(), by: 'Olga Owner' }, 'delete'],
    ] as const)('leaves the board as it was when %s it, and is not counted', async (_change, action, archivedBefore, method) => {
      if (archivedBefore) await server.services.storage.boards.setArchived(boardId, archivedBefore)
      const archivedAt = async () => (await server.services.storage.boards.get(boardId))?.archivedAt ?? null
      const change = () => (method === 'post' ? owner.post(`/api/boards/${boardId}/archive`) : owner.delete(`/api/boards/${boardId}/archive`))
      const allow = await refuseAudit(action)
      expect((await change()).status).toBe(refusedStatus)
      expect(await archivedAt()).toBe(archivedBefore?.at ?? null)
      await allow()

      expect((await change()).status).toBe(200)
      expect({ archived: (await archivedAt()) !== null, audits: await audits(action) }).toEqual({ archived: !archivedBefore, audits: 1 })
      await expectAllowanceSpent()
    })
  })

  it('a token revocation refused at its audit entry leaves the token working, and is not counted', async () => {
    const account = await addAccount(server, { name: 'Rory Revoke' })
    const api = await signedInClient(server, account)
    const { id, token } = await addToken(server, account)
    const meByToken = async () => (await apiClient(server.url, { authorization: `Bearer ${token}` }).get('/api/me')).status
    const allow = await refuseAudit('token-revoked')
    expect((await api.delete(`/api/tokens/${id}`)).status).toBe(refusedStatus)
    expect(await meByToken()).toBe(200)
    await allow()

    expect((await api.delete(`/api/tokens/${id}`)).status).toBe(204)
    expect({ me: await meByToken(), audits: await audits('token-revoked') }).toEqual({ me: 401, audits: 1 })
    // The hour's one change was the retry's.
    expect((await api.delete(`/api/tokens/${crypto.randomUUID()}`)).status).toBe(429)
  })

  it('a sign-in refused at its audit entry starts no session, and is not counted', async () => {
    const account = await addAccount(server, { name: 'Sina Signin' })
    const signIn = (api: ApiClient) => api.post('/api/auth/login', { email: account.email, password: account.password })
    const api = apiClient(server.url, { origin: server.url })
    const sessions = () => rowCount(server, 'sessions', { column: 'user_id', value: account.id })
    const allow = await refuseAudit('sign-in')
    const refused = await signIn(api)
    expect(refused.status).toBe(refusedStatus)
    expect(sessionCookieFrom(refused.headers)).toBeNull()
    expect(await sessions()).toBe(0)
    await allow()

    const signedIn = await signIn(api)
    expect(signedIn.status).toBe(200)
    expect({ sessions: await sessions(), audits: await audits('sign-in') }).toEqual({ sessions: 1, audits: 1 })
  })
})

describeUnless(postgresMissing)('storage refusing a write that follows on postgres', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer({ dialect: 'postgres', accounts: true, env: { EXPORTS_PER_HOUR_PER_PERSON: '1', SNAPSHOT_INTERVAL_MINUTES: '0' } })
  })
  afterEach(async () => {
    await server.destroy()
  })

  it('an export refused at its audit entry is answered 503 and not counted', async () => {
    const account = await addAccount(server, { name: 'Ezra Export' })
    const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
    const boardId = await api.createBoard('Exported')
    const allow = await refuseAuditEntries(server, 'export')
    expect((await api.get(`/api/boards/${boardId}/export?format=md`)).status).toBe(503)
    await allow()

    expect((await api.get(`/api/boards/${boardId}/export?format=md`)).status).toBe(200)
    expect(await rowCount(server, 'audit_log', { column: 'action', value: 'export' })).toBe(1)
  })

  // PostgreSQL's statement trigger fires on the sweep's delete whether or not a session has expired.
  it('a sign-in whose sweep of expired sessions is refused is still signed in', async () => {
    const account = await addAccount(server, { name: 'Sven Sweep' })
    const allowDeletes = await refuseDeletes(server, 'sessions')
    const signedIn = await apiClient(server.url, { origin: server.url }).post('/api/auth/login', { email: account.email, password: account.password })
    await allowDeletes()
    expect(signedIn.status).toBe(200)
    const cookie = sessionCookieFrom(signedIn.headers)
    expect(cookie).not.toBeNull()
    expect((await apiClient(server.url, { cookie: cookie! }).get('/api/me')).status).toBe(200)
  })
})

describeUnless(redisMissing)('a write refused by storage, counted in Redis', () => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('gives back what it took from the person’s count there', async () => {
    // Its own key prefix: other test runs on this Redis count apart.
    const countsKeyPrefix = `test-refused-${crypto.randomUUID()}`
    server = await startTestServer({ dialect: 'postgres', accounts: true, countsKeyPrefix, env: { BOARDS_PER_HOUR_PER_PERSON: '1', SNAPSHOT_INTERVAL_MINUTES: '0', REDIS_URL } })
    const account = await addAccount(server, { name: 'Rhea Redis' })
    const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
    const allow = await refuseAuditEntries(server, 'board-created')
    expect((await api.post('/api/boards', { title: 'Refused' })).status).toBe(503)
    await allow()

    expect((await api.post('/api/boards', { title: 'Made' })).status).toBe(201)
    expect((await api.post('/api/boards', { title: 'One too many' })).status).toBe(429)
  })
})
