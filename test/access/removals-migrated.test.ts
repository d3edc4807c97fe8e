/**
 * A database of an earlier version, whose removals were rows of
 * board_removals, keeps them through migration 0008 (member_decisions): the
 * person an owner removed is still refused by every invite link until an owner
 * adds them back; and, since that version never recorded who an owner
 * demoted, no link the board had then raises anyone already a member (a
 * demoted editor's own link made them an editor again), while a link made
 * after the migration does. On SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { InviteRecord, Storage } from '../../server/storage/storage.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { olderDatabase } from '../helpers/older-database.ts'
import { openTestStorage } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')
/** The last migration of the version before member_decisions. */
const BEFORE = '0007_exclusive_writes'
const AT = '2026-01-01T00:00:00.000Z'

const OLD_LINK: InviteRecord = { id: 'old', tokenHash: 'old-hash', boardId: 'b', role: 'editor', createdBy: 'owner', createdAt: AT, expiresAt: '2999-01-01T00:00:00.000Z' }

/** What that version wrote: an owner, a person the owner removed, and one who joined by an editor link and was demoted since. */
const OLDER_ROWS = [
  `insert into users (id, email, name, password_hash, is_admin, created_at) values ('owner', 'owner@example.org', 'Owner', 'x', false, '${AT}'), ('gone', 'gone@example.org', 'Gone', 'x', false, '${AT}'), ('demoted', 'demoted@example.org', 'Demoted', 'x', false, '${AT}')`,
  `insert into boards (id, title, created_at) values ('b', 'B', '${AT}')`,
  `insert into board_members (board_id, user_id, role, added_at) values ('b', 'owner', 'owner', '${AT}'), ('b', 'demoted', 'reviewer', '${AT}')`,
  `insert into board_removals (board_id, user_id) values ('b', 'gone')`,
  `insert into board_invites (token_hash, id, board_id, role, created_by, created_at, expires_at) values ('${OLD_LINK.tokenHash}', '${OLD_LINK.id}', 'b', 'editor', 'owner', '${AT}', '${OLD_LINK.expiresAt}')`,
]

describeEachDialect(postgresMissing, 'removals recorded before member_decisions, on %s', (dialect) => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  /** A storage of this version opened on a database the earlier version wrote. */
  async function migratedFromOlder(): Promise<Storage> {
    const { dataDir, database, destroy } = await olderDatabase(dialect, BEFORE, OLDER_ROWS)
    cleanups.push(destroy)
    const storage = await openTestStorage(dialect, dataDir, database)
    cleanups.push(() => storage.close())
    return storage
  }

  it('still refuses the removed person every link after the migration, until an owner adds them back', async () => {
    const storage = await migratedFromOlder()
    const invite: InviteRecord = { id: 'i', tokenHash: 'h', boardId: 'b', role: 'editor', createdBy: 'owner', createdAt: new Date().toISOString(), expiresAt: '2999-01-01T00:00:00.000Z' }
    await storage.invites.create(invite)
    const accept = () => storage.members.acceptInvite(invite, 'gone', new Date().toISOString(), () => true)

    expect(await accept()).toEqual({ outcome: 'removed' })
    expect(await storage.members.role('b', 'gone')).toBeUndefined()
    expect(await storage.members.add({ boardId: 'b', userId: 'gone', role: 'reviewer', addedAt: new Date().toISOString() })).toBe(true)
    // Added back as a reviewer after the link was made: the owner's decision outranks it.
    expect(await accept()).toEqual({ outcome: 'set-by-owner', role: 'reviewer' })
  })

  it('lets no link the board had raise a member the earlier version may have demoted; a link made after the migration does', async () => {
    const storage = await migratedFromOlder()
    const accept = (invite: InviteRecord) => storage.members.acceptInvite(invite, 'demoted', new Date().toISOString(), () => true)
    expect(await accept(OLD_LINK)).toEqual({ outcome: 'set-by-owner', role: 'reviewer' })
    expect(await storage.members.role('b', 'demoted')).toBe('reviewer')
    const newLink: InviteRecord = { ...OLD_LINK, id: 'new', tokenHash: 'new-hash', createdAt: new Date().toISOString() }
    await storage.invites.create(newLink)
    expect(await accept(newLink)).toMatchObject({ outcome: 'raised' })
    expect(await storage.members.role('b', 'demoted')).toBe('editor')
  })
})
