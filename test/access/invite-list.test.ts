/**
 * An owner's list of a board's invite links reads the links with their makers
 * in one query, however many links there are: a read per link held PostgreSQL's
 * pool for as long as the board's 100 links took, and slowed everyone else's
 * requests. The answer is what it was: each link's maker, and whether the
 * maker may still grant its role.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { ApiClient } from '../helpers/api.ts'
import { addAccount, addMember, signedInClient, type TestAccount } from '../helpers/accounts.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import type { Storage } from '../../server/storage/storage.ts'

type Listed = { id: string; role: string; createdAt: string; expiresAt: string; maker: { userId: string; name: string } | null; usable: boolean }

const postgresMissing = await missingServices('postgres')

/** Counts the reads of one account or one membership at a time while `counting` is on. */
class PerRowReads {
  counting = false
  count = 0

  wrap = (storage: Storage): Storage => {
    const get = storage.users.get.bind(storage.users)
    const role = storage.members.role.bind(storage.members)
    storage.users.get = async (id) => (this.tally(), get(id))
    storage.members.role = async (boardId, userId) => (this.tally(), role(boardId, userId))
    return storage
  }

  private tally(): void {
    if (this.counting) this.count++
  }
}

describeEachDialect(postgresMissing, 'the invite list on %s', (dialect) => {
  let server: TestServer
  let reads: PerRowReads
  let owner: TestAccount
  let asOwner: ApiClient
  let boardId: string

  // Signed in, as the browser is: making links and adding members need a session.
  const as = (account: TestAccount) => signedInClient(server, account)

  beforeEach(async () => {
    reads = new PerRowReads()
    server = await startTestServer({ dialect, accounts: true, wrapStorage: reads.wrap })
    owner = await addAccount(server, { name: 'Olga Owner' })
    asOwner = await as(owner)
    boardId = await asOwner.createBoard('Many links')
  })

  afterEach(async () => {
    await server.destroy()
  })

  it('answers 100 links, with makers in every state, in one read of them', async () => {
    const [admin, demoted, deactivated] = [
      await addAccount(server, { name: 'Ada Admin', isAdmin: true }),
      await addAccount(server, { name: 'Dan Demoted' }),
      await addAccount(server, { name: 'Dee Deactivated' }),
    ]
    await addMember(server, boardId, demoted, 'owner')
    await addMember(server, boardId, deactivated, 'owner')
    const makers: [TestAccount, ApiClient][] = [[owner, asOwner], [admin, await as(admin)], [demoted, await as(demoted)], [deactivated, await as(deactivated)]]
    const expected: Listed[] = []
    for (let i = 0; i < 96; i++) {
      const [maker, client] = makers[i % makers.length]!
      const role = (['reviewer', 'editor', 'owner'] as const)[i % 3]!
      const made = await client.post<{ id: string; expiresAt: string }>(`/api/boards/${boardId}/invites`, { role })
      expect(made.status).toBe(201)
      expected.push({ id: made.body.id, role, createdAt: expect.any(String) as unknown as string, expiresAt: made.body.expiresAt, maker: { userId: maker.id, name: maker.name }, usable: maker !== demoted && maker !== deactivated })
    }
    // Links whose maker's account is gone: none of them works, and none names a maker.
    for (let i = 0; i < 4; i++) {
      const id = `gone-${i}`
      const invite = { id, tokenHash: `hash-${id}`, boardId, role: 'editor' as const, createdBy: 'account-gone', createdAt: new Date().toISOString(), expiresAt: '2999-01-01T00:00:00.000Z' }
      await server.services.storage.invites.create(invite)
      expected.push({ id, role: 'editor', createdAt: invite.createdAt, expiresAt: invite.expiresAt, maker: null, usable: false })
    }
    expect((await asOwner.patch(`/api/boards/${boardId}/members/${demoted.id}`, { role: 'editor' })).status).toBe(200)
    await server.services.storage.users.setDeactivated(deactivated.id, new Date().toISOString())

    reads.counting = true
    const listed = await asOwner.get<Listed[]>(`/api/boards/${boardId}/invites`)
    reads.counting = false
    expect(listed.status).toBe(200)
    // Newest first; links made in one millisecond may come in either order, so compare by id.
    expect(listed.body).toHaveLength(100)
    const byId = (rows: Listed[]) => Object.fromEntries(rows.map((row) => [row.id, row]))
    expect(byId(listed.body)).toEqual(byId(expected))
    const times = listed.body.map((row) => row.createdAt)
    expect(times).toEqual([...times].sort().reverse())
    expect(Object.keys(listed.body[0]!)).toEqual(['id', 'role', 'createdAt', 'expiresAt', 'maker', 'usable'])
    // The requester's own account and role are read to let them in; nothing is read per link.
    expect(reads.count).toBeLessThanOrEqual(2)
  })
})
