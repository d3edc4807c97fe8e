/** The access stores behave alike on SQLite and PostgreSQL. */
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { Storage, UserRecord } from '../../server/storage/storage.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { openFreshStorage, type FreshStorage } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

const user = (id: string, email = `${id}@example.org`): UserRecord => ({
  id,
  email,
  name: id,
  passwordHash: `hash-of-${id}`,
  isAdmin: false,
  createdAt: `2026-01-01T00:00:0${id.length % 10}.000Z`,
  deactivatedAt: null,
})

describeEachDialect(postgresMissing, 'access stores on %s', (dialect) => {
  let storage: Storage
  let fresh: FreshStorage

  beforeEach(async () => {
    fresh = await openFreshStorage(dialect)
    storage = fresh.storage
    await storage.boards.create({ id: 'b', title: 'B', createdAt: '2026-01-01T00:00:00.000Z', createdBy: null })
  })
  afterEach(async () => {
    await fresh.destroy()
  })

  it('creates the first account only once, even when two try at the same time', async () => {
    const results = await Promise.all([storage.users.createFirst(user('a')), storage.users.createFirst(user('bb'))])
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await storage.users.count()).toBe(1)
    expect(await storage.users.createFirst(user('ccc'))).toBe(false)
  })

  it('keeps emails unique and finds accounts by email', async () => {
    expect(await storage.users.create(user('a', 'same@example.org'))).toBe(true)
    expect(await storage.users.create(user('bb', 'same@example.org'))).toBe(false)
    expect((await storage.users.getByEmail('same@example.org'))?.id).toBe('a')
    const nothingEnded = { sessions: [], tokens: [] }
    expect(await storage.users.setPasswordHash('a', 'new-hash')).toEqual(nothingEnded)
    expect(await storage.users.setPasswordHash('nobody', 'new-hash')).toBeNull()
    expect((await storage.users.get('a'))?.passwordHash).toBe('new-hash')
    // A change checked against a hash replaced since, or of an account deactivated since, writes nothing.
    expect(await storage.users.setPasswordHash('a', 'changed', 'hash-of-a')).toBeNull()
    expect(await storage.users.setPasswordHash('a', 'changed', 'new-hash')).toEqual(nothingEnded)
    await storage.users.setDeactivated('a', '2026-02-01T00:00:00.000Z')
    expect(await storage.users.setPasswordHash('a', 'changed again', 'changed')).toBeNull()
    expect((await storage.users.get('a'))?.passwordHash).toBe('changed')
  })

  it('never leaves the server without an active admin, even when two admins step down at once', async () => {
    for (const id of ['a1', 'a2']) await storage.users.create({ ...user(id), isAdmin: true })
    await storage.users.create(user('p'))
    const results = await Promise.all([storage.users.setAdmin('a1', false), storage.users.setAdmin('a2', false)])
    expect(results.sort()).toEqual(['done', 'last-admin'])
    const admin = (await storage.users.list()).find((u) => u.isAdmin)!
    expect(await storage.users.setDeactivated(admin.id, '2026-02-01T00:00:00.000Z')).toBe('last-admin')
    expect(await storage.users.setAdmin('p', true)).toBe('done')
    // Both at once again, this time one deactivating and the other stepping down.
    const both = await Promise.all([storage.users.setDeactivated(admin.id, '2026-02-01T00:00:00.000Z'), storage.users.setAdmin('p', false)])
    expect(both.sort()).toEqual(['done', 'last-admin'])
    const active = (await storage.users.list()).filter((u) => u.isAdmin && u.deactivatedAt === null)
    expect(active).toHaveLength(1)
    // Anyone else may be deactivated and reactivated.
    await storage.users.create(user('someone'))
    expect(await storage.users.setDeactivated('someone', '2026-02-02T00:00:00.000Z')).toBe('done')
    expect((await storage.users.get('someone'))?.deactivatedAt).toBe('2026-02-02T00:00:00.000Z')
    expect(await storage.users.setDeactivated('someone', null)).toBe('done')
    expect((await storage.users.get('someone'))?.deactivatedAt).toBeNull()
    expect(await storage.users.setAdmin('nobody', true)).toBe('not-found')
    expect(await storage.users.setDeactivated('nobody', null)).toBe('not-found')
  })

  it('keeps a board’s summary, archives and restores it, and tells when its content was last written', async () => {
    const before = await storage.boards.get('b')
    expect(before).toMatchObject({ marking: null, assessmentCount: null, claimCount: null, lastChangeAt: null, archivedAt: null, archivedBy: null })
    expect(await storage.boards.unsummarized()).toEqual(['b'])
    expect(await storage.boards.lastWrittenAt('b')).toBeNull()
    await storage.log.append('b', [{ update: new Uint8Array([0, 0]), origin: 'test' }])
    const written = await storage.boards.lastWrittenAt('b')
    expect(written).not.toBeNull()
    await storage.boards.summarize('b', { title: 'B renamed', marking: 'TLP:AMBER', assessmentCount: 3, claimCount: 7, lastChangeAt: written! })
    expect(await storage.boards.get('b')).toMatchObject({ title: 'B renamed', marking: 'TLP:AMBER', assessmentCount: 3, claimCount: 7, lastChangeAt: written })
    expect(await storage.boards.unsummarized()).toEqual([])
    expect(await storage.boards.setArchived('b', { at: '2026-03-01T00:00:00.000Z', by: 'Ana' })).toBe(true)
    expect(await storage.boards.get('b')).toMatchObject({ archivedAt: '2026-03-01T00:00:00.000Z', archivedBy: 'Ana' })
    expect(await storage.boards.setArchived('b', null)).toBe(true)
    expect(await storage.boards.get('b')).toMatchObject({ archivedAt: null, archivedBy: null })
    expect(await storage.boards.setArchived('nothing', null)).toBe(false)
  })

  it('never leaves a board without an owner, even when two owners step down at once', async () => {
    for (const id of ['o1', 'o2', 'ed']) await storage.users.create(user(id))
    await storage.members.add({ boardId: 'b', userId: 'o1', role: 'owner', addedAt: 'x' })
    await storage.members.add({ boardId: 'b', userId: 'o2', role: 'owner', addedAt: 'x' })
    await storage.members.add({ boardId: 'b', userId: 'ed', role: 'editor', addedAt: 'x' })
    expect(await storage.members.add({ boardId: 'b', userId: 'ed', role: 'owner', addedAt: 'x' })).toBe(false)
    const results = await Promise.all([storage.members.setRole('b', 'o1', 'editor'), storage.members.setRole('b', 'o2', 'editor')])
    expect(results.sort()).toEqual(['done', 'last-owner'])
    const owner = (await storage.members.list('b')).find((m) => m.role === 'owner')!
    expect(await storage.members.remove('b', owner.userId)).toBe('last-owner')
    expect(await storage.members.remove('b', 'ed')).toBe('done')
    expect(await storage.members.remove('b', 'ed')).toBe('not-member')
    expect(await storage.members.setRole('b', 'ed', 'owner')).toBe('not-member')
    expect(await storage.members.role('b', owner.userId)).toBe('owner')
  })

  it('reads a person’s roles on all their boards in one go, and those boards and their sign-offs however many boards are asked about', async () => {
    // More boards than one query asks about (IDS_PER_QUERY, 500), so that boards on either side of a group's edge are read.
    const boardIds = Array.from({ length: 1_001 }, (_, i) => `board-${String(i).padStart(4, '0')}`)
    for (const id of boardIds) await storage.boards.create({ id, title: id, createdAt: '2026-01-01T00:00:00.000Z', createdBy: null })
    for (const id of ['rita', 'other']) await storage.users.create(user(id))
    await storage.members.add({ boardId: 'board-0499', userId: 'rita', role: 'reviewer', addedAt: 'x' })
    await storage.members.add({ boardId: 'board-0500', userId: 'rita', role: 'owner', addedAt: 'x' })
    await storage.members.add({ boardId: 'board-0500', userId: 'other', role: 'editor', addedAt: 'x' })
    expect(await storage.members.rolesOf('rita')).toEqual(new Map([['board-0499', 'reviewer'], ['board-0500', 'owner']]))
    expect(await storage.members.rolesOf('nobody')).toEqual(new Map())
    expect((await storage.boards.list([...boardIds].reverse().concat('no-such-board'))).map((board) => board.id)).toEqual(boardIds)
    expect((await storage.boards.list(['board-0500', 'board-0499'])).map((board) => board.id)).toEqual(['board-0499', 'board-0500'])
    expect(await storage.boards.list([])).toEqual([])

    const signed = ['board-0000', 'board-0499', 'board-0500', 'board-1000']
    for (const [i, boardId] of signed.entries()) {
      const snapshot = { id: `snap-${i}`, boardId, label: `Draft of ${boardId}`, kind: 'named', contentHash: `hash-${i}`, authorId: null, authorName: 'x', state: new Uint8Array([0, 0]) } as const
      await storage.snapshots.create(snapshot)
      for (const [reviewerId, decision, second] of [['rita', 'approved', 2], ['other', 'changes-requested', 1]] as const) {
        await storage.reviews.setSignoff({ snapshotId: snapshot.id, reviewerId, reviewerName: reviewerId, decision, note: '', createdAt: `2026-01-0${i + 1}T00:00:0${second}.000Z` })
      }
    }
    const byBoard = await storage.reviews.boardSignoffs([...boardIds, 'board-0500', 'no-such-board'])
    expect(byBoard.size).toBe(boardIds.length + 1)
    for (const [i, boardId] of signed.entries()) {
      expect(byBoard.get(boardId)?.map((s) => [s.snapshotLabel, s.reviewerId])).toEqual([
        [`Draft of ${boardId}`, 'other'],
        [`Draft of ${boardId}`, 'rita'],
      ])
      expect(byBoard.get(boardId)?.[0]).toMatchObject({ snapshotId: `snap-${i}`, snapshotContentHash: `hash-${i}` })
    }
    expect([...byBoard].filter(([, signoffs]) => signoffs.length > 0).map(([id]) => id)).toEqual(signed)
    expect(byBoard.get('no-such-board')).toEqual([])
    expect(await storage.reviews.boardSignoffs([])).toEqual(new Map())
  }, 60_000)

  it('drops memberships, removals and invites with their board', async () => {
    await storage.users.create(user('a'))
    await storage.users.create(user('gone'))
    await storage.members.add({ boardId: 'b', userId: 'a', role: 'owner', addedAt: 'x' })
    await storage.members.add({ boardId: 'b', userId: 'gone', role: 'editor', addedAt: 'x' })
    expect(await storage.members.remove('b', 'gone')).toBe('done')
    await storage.invites.create({ id: 'i', tokenHash: 'h', boardId: 'b', role: 'editor', createdBy: 'a', createdAt: 'x', expiresAt: '2999-01-01T00:00:00.000Z' })
    await storage.boards.delete('b')
    expect(await storage.members.role('b', 'a')).toBeUndefined()
    expect(await storage.invites.get('h')).toBeUndefined()
  })

  it('lists a board’s live invites newest first and deletes one by its id, only on its own board', async () => {
    await storage.boards.create({ id: 'other', title: 'Other', createdAt: '2026-01-01T00:00:00.000Z', createdBy: null })
    const invite = (id: string, boardId: string, createdAt: string, expiresAt: string) =>
      storage.invites.create({ id, tokenHash: `hash-${id}`, boardId, role: 'editor', createdBy: 'a', createdAt, expiresAt })
    await invite('old', 'b', '2026-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z')
    await invite('new', 'b', '2026-01-02T00:00:00.000Z', '2026-03-01T00:00:00.000Z')
    await invite('gone', 'b', '2026-01-03T00:00:00.000Z', '2026-01-10T00:00:00.000Z')
    await invite('theirs', 'other', '2026-01-02T00:00:00.000Z', '2026-03-01T00:00:00.000Z')
    const listed = await storage.invites.listForBoard('b', '2026-02-01T00:00:00.000Z')
    expect(listed.map((i) => i.id)).toEqual(['new', 'old'])
    expect(listed[0]).toEqual({ id: 'new', tokenHash: 'hash-new', boardId: 'b', role: 'editor', createdBy: 'a', createdAt: '2026-01-02T00:00:00.000Z', expiresAt: '2026-03-01T00:00:00.000Z' })
    expect(await storage.invites.delete('b', 'theirs')).toBe(false)
    expect(await storage.invites.delete('b', 'new')).toBe(true)
    expect(await storage.invites.delete('b', 'new')).toBe(false)
    expect(await storage.invites.get('hash-new')).toBeUndefined()
    expect(await storage.invites.get('hash-theirs')).toBeDefined()
    expect(await storage.invites.deleteExpired('2026-02-01T00:00:00.000Z')).toBe(1)
  })

  it('revokes only the owner’s own active tokens (one or all of them), and ends expired sessions or a person’s other ones, saying which', async () => {
    for (const id of ['a', 'bb']) await storage.users.create(user(id))
    await storage.tokens.create({ id: 't1', userId: 'a', name: 'one', tokenHash: 'h1', createdAt: '2026-01-01T00:00:00.000Z' })
    expect(await storage.tokens.revoke('t1', 'bb', 'now')).toBe(false)
    expect(await storage.tokens.revoke('t1', 'a', 'now')).toBe(true)
    expect(await storage.tokens.revoke('t1', 'a', 'now')).toBe(false)
    expect(await storage.tokens.listActive('a')).toEqual([])
    expect((await storage.tokens.getByHash('h1'))?.revokedAt).toBe('now')
    for (const [id, userId] of [['t2', 'a'], ['t3', 'a'], ['t4', 'bb']]) await storage.tokens.create({ id: id!, userId: userId!, name: id!, tokenHash: `h-${id}`, createdAt: '2026-01-01T00:00:00.000Z' })
    // A reset revokes them all, with its password.
    const reset = async () => (await storage.users.setPasswordHash('a', 'hash-of-a', undefined, { tokensRevokedAt: 'later' }))?.tokens.sort()
    expect(await reset()).toEqual(['t2', 't3'])
    expect(await reset()).toEqual([])
    expect((await storage.tokens.getByHash('h1'))?.revokedAt).toBe('now')
    expect((await storage.tokens.listActive('bb')).map((token) => token.id)).toEqual(['t4'])

    const session = (tokenHash: string, userId: string, expiresAt: string, passwordHash = `hash-of-${userId}`) =>
      storage.sessions.create({ tokenHash, userId, createdAt: '2026-01-01T00:00:00.000Z', expiresAt }, passwordHash)
    // A sign-in checked against a hash replaced since, or of an account deactivated since, starts no session.
    expect(await session('s-stale', 'a', '2026-03-01T00:00:00.000Z', 'an older hash')).toBe(false)
    await storage.users.setDeactivated('bb', '2026-02-01T00:00:00.000Z')
    expect(await session('s-deactivated', 'bb', '2026-03-01T00:00:00.000Z')).toBe(false)
    await storage.users.setDeactivated('bb', null)
    expect([await storage.sessions.get('s-stale'), await storage.sessions.get('s-deactivated')]).toEqual([undefined, undefined])
    await session('s-old', 'a', '2026-01-02T00:00:00.000Z')
    await session('s-new', 'a', '2026-03-01T00:00:00.000Z')
    await session('s-other', 'a', '2026-03-01T00:00:00.000Z')
    await session('s-theirs', 'bb', '2026-03-01T00:00:00.000Z')
    expect(await storage.sessions.deleteExpired('2026-02-01T00:00:00.000Z')).toEqual(['s-old'])
    expect(await storage.sessions.get('s-new')).toBeDefined()
    // A password change ends the person's other sessions with it.
    expect((await storage.users.setPasswordHash('a', 'hash-of-a', 'hash-of-a', { sessions: { except: 's-new' } }))?.sessions).toEqual(['s-other'])
    expect(await storage.sessions.get('s-new')).toBeDefined()
    expect(await storage.sessions.deleteForUser('a')).toEqual(['s-new'])
    expect(await storage.sessions.get('s-new')).toBeUndefined()
    expect(await storage.sessions.get('s-theirs')).toBeDefined()
    // A token asked for in a session is made only while that session has not ended.
    const token = (id: string) => ({ id, userId: 'bb', name: id, tokenHash: `h-${id}`, createdAt: '2026-01-01T00:00:00.000Z' })
    expect(await storage.tokens.create(token('t-late'), 's-new')).toBe(false)
    expect(await storage.tokens.create(token('t-in-time'), 's-theirs')).toBe(true)
    expect((await storage.tokens.listActive('bb')).map((t) => t.id)).toEqual(['t-in-time', 't4'])
  })

  it('reads many accounts, sessions and tokens at once, revoked, expired and deactivated ones included, however many are asked about', async () => {
    // More than one query asks about (IDS_PER_QUERY, 500), so that ids on either side of a group's edge are read.
    const ids = Array.from({ length: 501 }, (_, i) => `u-${String(i).padStart(3, '0')}`)
    for (const id of ids) await storage.users.create(user(id))
    await storage.users.setDeactivated('u-500', '2026-02-01T00:00:00.000Z')
    await storage.tokens.create({ id: 't-kept', userId: 'u-000', name: 'kept', tokenHash: 'h-kept', createdAt: '2026-01-01T00:00:00.000Z' })
    await storage.tokens.create({ id: 't-revoked', userId: 'u-500', name: 'revoked', tokenHash: 'h-revoked', createdAt: '2026-01-01T00:00:00.000Z' })
    await storage.tokens.revoke('t-revoked', 'u-500', '2026-02-01T00:00:00.000Z')
    await storage.sessions.create({ tokenHash: 's-live', userId: 'u-000', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2999-01-01T00:00:00.000Z' }, 'hash-of-u-000')
    await storage.sessions.create({ tokenHash: 's-expired', userId: 'u-499', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' }, 'hash-of-u-499')

    const accounts = await storage.users.getMany([...ids, 'u-000', 'nobody'])
    expect(accounts.map((account) => account.id).sort()).toEqual(ids)
    expect(accounts.find((account) => account.id === 'u-500')?.deactivatedAt).toBe('2026-02-01T00:00:00.000Z')
    expect((await storage.tokens.getMany(['t-revoked', 't-kept', 'no-token'])).map((token) => [token.id, token.revokedAt]).sort()).toEqual([
      ['t-kept', null],
      ['t-revoked', '2026-02-01T00:00:00.000Z'],
    ])
    expect((await storage.sessions.getMany(['s-expired', 's-live', 'no-session'])).map((session) => [session.tokenHash, session.userId]).sort()).toEqual([
      ['s-expired', 'u-499'],
      ['s-live', 'u-000'],
    ])
    expect(await storage.users.getMany([])).toEqual([])
  }, 60_000)

  it('lists a board’s audit entries newest first', async () => {
    for (const action of ['one', 'two', 'three']) {
      await storage.audit.append({ at: 'x', actorId: null, actorLabel: 'someone', action, boardId: 'b', detail: '{}' })
    }
    await storage.audit.append({ at: 'x', actorId: null, actorLabel: 'someone', action: 'elsewhere', boardId: null, detail: '{}' })
    expect((await storage.audit.listForBoard('b', { limit: 2 })).map((e) => e.action)).toEqual(['three', 'two'])
    expect((await storage.audit.listAll({ limit: 10 })).map((e) => e.action)).toEqual(['elsewhere', 'three', 'two', 'one'])
  })
})
