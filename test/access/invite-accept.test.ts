/**
 * Accepting an invite decides in one transaction, with the membership it
 * writes: a maker demoted after the link's first check grants nothing. A
 * member an owner removed gets back in only when an owner adds them: no link
 * they hold, old or new, lets them in meanwhile.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { AfterRoleRead } from '../helpers/after-role-read.ts'
import type { ApiClient } from '../helpers/api.ts'
import { addAccount, signedInClient, type TestAccount } from '../helpers/accounts.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import type { Role } from '../../shared/roles.ts'

type Member = { userId: string; role: string }
type ErrorBody = { error: { code: string; message: string } }

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'accepting an invite on %s', (dialect) => {
  let server: TestServer
  let hook: AfterRoleRead
  let founder: TestAccount
  let asFounder: ApiClient
  let boardId: string

  // Signed in, as the browser is: making links and adding members need a session.
  const as = (account: TestAccount) => signedInClient(server, account)
  const roles = async () => Object.fromEntries((await asFounder.get<Member[]>(`/api/boards/${boardId}/members`)).body.map((m) => [m.userId, m.role]))

  beforeEach(async () => {
    hook = new AfterRoleRead()
    server = await startTestServer({ dialect, accounts: true, wrapStorage: hook.wrap })
    founder = await addAccount(server)
    asFounder = await as(founder)
    boardId = await asFounder.createBoard('Invited')
  })

  afterEach(async () => {
    await server.destroy()
  })

  it("grants nothing when the link's maker is demoted after the link was first checked", async () => {
    const [maker, newcomer] = [await addAccount(server), await addAccount(server)]
    expect((await asFounder.post(`/api/boards/${boardId}/members`, { email: maker.email, role: 'owner' })).status).toBe(201)
    const link = await (await as(maker)).post<{ token: string }>(`/api/boards/${boardId}/invites`, { role: 'owner' })
    expect(link.status).toBe(201)
    const asNewcomer = await as(newcomer)

    // The acceptance has read that the maker is an owner; the founder demotes the maker before it writes.
    hook.arm(maker.id, async () => {
      expect((await asFounder.patch(`/api/boards/${boardId}/members/${maker.id}`, { role: 'reviewer' })).status).toBe(200)
    })
    const accepted = await asNewcomer.post<ErrorBody>(`/api/invites/${link.body.token}/accept`)
    expect(hook.fired).toBe(true)
    expect(accepted.status).toBe(404)
    expect(accepted.body.error.code).toBe('invite_not_found')
    expect(await roles()).toEqual({ [founder.id]: 'owner', [maker.id]: 'reviewer' })
  })

  it('lets a removed member in by no link until an owner adds them back', async () => {
    const removed = await addAccount(server)
    const asRemoved = await as(removed)
    const made = async (role: Role) => (await asFounder.post<{ token: string }>(`/api/boards/${boardId}/invites`, { role })).body.token
    const joinedBy = await made('reviewer')
    expect((await asRemoved.post(`/api/invites/${joinedBy}/accept`)).body).toMatchObject({ role: 'reviewer', outcome: 'joined' })
    expect((await asFounder.delete(`/api/boards/${boardId}/members/${removed.id}`)).status).toBe(204)

    for (const token of [joinedBy, await made('editor')]) {
      const refused = await asRemoved.post<ErrorBody>(`/api/invites/${token}/accept`)
      expect(refused.status).toBe(403)
      expect(refused.body.error).toEqual({
        code: 'removed_from_board',
        message: 'An owner removed you from this board, so invite links no longer let you in: ask an owner to add you back.',
      })
    }
    expect(await roles()).toEqual({ [founder.id]: 'owner' })
    expect((await asRemoved.get(`/api/boards/${boardId}/members`)).status).toBe(404)

    // Added back by an owner, they are a member like any other, and a link raises them as it would anyone.
    expect((await asFounder.post(`/api/boards/${boardId}/members`, { email: removed.email, role: 'reviewer' })).status).toBe(201)
    expect((await asRemoved.post(`/api/invites/${await made('editor')}/accept`)).body).toMatchObject({ role: 'editor', outcome: 'raised' })
    expect(await roles()).toEqual({ [founder.id]: 'owner', [removed.id]: 'editor' })
  })
})
