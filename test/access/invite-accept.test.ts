/**
 * Accepting an invite decides in one transaction, with the membership it
 * writes: a maker demoted after the link's first check grants nothing. A
 * member an owner removed gets back in only when an owner adds them: no link
 * they hold, old or new, lets them in meanwhile. A member an owner demoted
 * stays demoted: the link they joined by, or any other made before, raises
 * them no more, on this instance or another; a link made after it does.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { AfterRoleRead } from '../helpers/after-role-read.ts'
import type { ApiClient } from '../helpers/api.ts'
import { addAccount, signedInClient, type TestAccount } from '../helpers/accounts.ts'
import { instancesAfterEach } from '../helpers/instances.ts'
import { describeEachDialect, describeUnless, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import type { Role } from '../../shared/roles.ts'

type Member = { userId: string; role: string }
type ErrorBody = { error: { code: string; message: string } }
type Accepted = { boardId: string; role: string; outcome: string; message: string }

const setByOwner = (role: Role) =>
  `An owner set your role on this board to ${role} after this link was made, so the link does not raise it: ask an owner if you need another role.`

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

  it('keeps a demotion: the link a member joined by, or any made before, raises them no more; a link made after it does', async () => {
    const [demoted, added] = [await addAccount(server), await addAccount(server)]
    const [asDemoted, asAdded] = [await as(demoted), await as(added)]
    const made = async (role: Role) => (await asFounder.post<{ token: string }>(`/api/boards/${boardId}/invites`, { role })).body.token
    const edits = async (client: ApiClient) => (await client.patch(`/api/boards/${boardId}`, { title: 'Edited' })).status
    const joinedBy = await made('editor')
    const madeBefore = await made('owner')
    expect((await asDemoted.post<Accepted>(`/api/invites/${joinedBy}/accept`)).body).toMatchObject({ role: 'editor', outcome: 'joined' })
    expect(await edits(asDemoted)).toBe(200)

    expect((await asFounder.patch(`/api/boards/${boardId}/members/${demoted.id}`, { role: 'reviewer' })).status).toBe(200)
    expect(await edits(asDemoted)).toBe(403)
    for (const token of [joinedBy, madeBefore]) {
      const kept = await asDemoted.post<Accepted>(`/api/invites/${token}/accept`)
      expect(kept.status).toBe(200)
      expect(kept.body).toEqual({ boardId, role: 'reviewer', outcome: 'kept', message: setByOwner('reviewer') })
    }
    expect(await edits(asDemoted)).toBe(403)
    // An owner adding someone with a role decides it too: the links the board had then do not raise them.
    expect((await asFounder.post(`/api/boards/${boardId}/members`, { email: added.email, role: 'reviewer' })).status).toBe(201)
    expect((await asAdded.post<Accepted>(`/api/invites/${joinedBy}/accept`)).body).toEqual({ boardId, role: 'reviewer', outcome: 'kept', message: setByOwner('reviewer') })
    expect(await roles()).toEqual({ [founder.id]: 'owner', [demoted.id]: 'reviewer', [added.id]: 'reviewer' })

    // A link made after the demotion is the owners' later intent: it raises them.
    const raised = await asDemoted.post<Accepted>(`/api/invites/${await made('editor')}/accept`)
    expect(raised.body).toEqual({ boardId, role: 'editor', outcome: 'raised', message: 'You are now an editor of this board (you were a reviewer).' })
    expect(await edits(asDemoted)).toBe(200)
    expect(await roles()).toEqual({ [founder.id]: 'owner', [demoted.id]: 'editor', [added.id]: 'reviewer' })
  })

  it('lets a removed member in by no link until an owner adds them back', async () => {
    const removed = await addAccount(server)
    const asRemoved = await as(removed)
    const made = async (role: Role) => (await asFounder.post<{ token: string }>(`/api/boards/${boardId}/invites`, { role })).body.token
    const joinedBy = await made('reviewer')
    expect((await asRemoved.post(`/api/invites/${joinedBy}/accept`)).body).toMatchObject({ role: 'reviewer', outcome: 'joined' })
    expect((await asFounder.delete(`/api/boards/${boardId}/members/${removed.id}`)).status).toBe(204)

    const madeWhileRemoved = await made('editor')
    for (const token of [joinedBy, madeWhileRemoved]) {
      const refused = await asRemoved.post<ErrorBody>(`/api/invites/${token}/accept`)
      expect(refused.status).toBe(403)
      expect(refused.body.error).toEqual({
        code: 'removed_from_board',
        message: 'An owner removed you from this board, so invite links no longer let you in: ask an owner to add you back.',
      })
    }
    expect(await roles()).toEqual({ [founder.id]: 'owner' })
    expect((await asRemoved.get(`/api/boards/${boardId}/members`)).status).toBe(404)

    // Added back by an owner, they are a member like any other: the role the owner gave them outranks the links made before, a new link raises them.
    expect((await asFounder.post(`/api/boards/${boardId}/members`, { email: removed.email, role: 'reviewer' })).status).toBe(201)
    expect((await asRemoved.post(`/api/invites/${madeWhileRemoved}/accept`)).body).toMatchObject({ role: 'reviewer', outcome: 'kept', message: setByOwner('reviewer') })
    expect((await asRemoved.post(`/api/invites/${await made('editor')}/accept`)).body).toMatchObject({ role: 'editor', outcome: 'raised' })
    expect(await roles()).toEqual({ [founder.id]: 'owner', [removed.id]: 'editor' })
  })
})

describeUnless(await missingServices('postgres', 'redis'))('a demotion on one instance, an old link accepted on another', () => {
  const instances = instancesAfterEach()

  it('keeps the demotion made on A when the member accepts their old link on B, and a link made on A after it raises them on B', async () => {
    const a = await instances.start({ accounts: true })
    const b = await instances.start({ accounts: true, database: a.database })
    const [founder, member] = [await addAccount(a), await addAccount(a)]
    const [founderOnA, memberOnB] = [await signedInClient(a, founder), await signedInClient(b, member)]
    const boardId = await founderOnA.createBoard('Across instances')
    const made = async () => (await founderOnA.post<{ token: string }>(`/api/boards/${boardId}/invites`, { role: 'editor' })).body.token
    const joinedBy = await made()
    expect((await memberOnB.post<Accepted>(`/api/invites/${joinedBy}/accept`)).body).toMatchObject({ role: 'editor', outcome: 'joined' })

    expect((await founderOnA.patch(`/api/boards/${boardId}/members/${member.id}`, { role: 'reviewer' })).status).toBe(200)
    expect((await memberOnB.post<Accepted>(`/api/invites/${joinedBy}/accept`)).body).toEqual({ boardId, role: 'reviewer', outcome: 'kept', message: setByOwner('reviewer') })
    expect((await memberOnB.patch(`/api/boards/${boardId}`, { title: 'Edited on B' })).status).toBe(403)

    expect((await memberOnB.post<Accepted>(`/api/invites/${await made()}/accept`)).body).toMatchObject({ role: 'editor', outcome: 'raised' })
    expect((await memberOnB.patch(`/api/boards/${boardId}`, { title: 'Edited on B' })).status).toBe(200)
  })
})
