/**
 * Invite links obey their maker: a demoted or removed owner's old link lets
 * nobody in, its maker included; accepting never lowers a role and never
 * raises one above the link's; owners list and revoke a board's links, and
 * the audit log says so.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { addAccount, SecretWatch, sessionHeaders, signIn, type TestAccount } from '../helpers/accounts.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type Invite = { id: string; url: string; token: string; expiresAt: string }
type Listed = { id: string; role: string; createdAt: string; expiresAt: string; maker: { userId: string; name: string } | null; usable: boolean }
type Accepted = { boardId: string; role: string; outcome: string; message: string }
type Member = { userId: string; role: string }
type AuditEntry = { action: string; actorId: string | null; detail: Record<string, unknown> }

describe('invite links', () => {
  let watch: SecretWatch
  let server: TestServer
  let founder: TestAccount
  let asFounder: ApiClient
  let boardId: string

  const session = async (account: TestAccount) => {
    await watch.account(server, account)
    return apiClient(server.url, sessionHeaders(server, await signIn(server, account, watch)), watch.observe)
  }
  const makeInvite = async (as: ApiClient, role: string) => {
    const made = await as.post<Invite>(`/api/boards/${boardId}/invites`, { role })
    expect(made.status).toBe(201)
    watch.secret(made.body.token)
    return made.body
  }
  const roles = async () => Object.fromEntries((await asFounder.get<Member[]>(`/api/boards/${boardId}/members`)).body.map((m) => [m.userId, m.role]))

  beforeEach(async () => {
    watch = new SecretWatch()
    server = await startTestServer({ accounts: true, logSink: watch.logSink })
    founder = await addAccount(server, { name: 'Fay Founder' })
    asFounder = await session(founder)
    boardId = await asFounder.createBoard('Invited')
  })

  afterEach(async () => {
    await server.destroy()
    watch.expectClean()
  })

  it("refuses a demoted or removed owner's old owner link, to its maker and to anyone else", async () => {
    const [former, stranger] = [await addAccount(server, { name: 'Max Former' }), await addAccount(server, { name: 'Sam Stranger' })]
    const asFormer = await session(former)
    const asStranger = await session(stranger)
    await asFounder.post(`/api/boards/${boardId}/members`, { email: former.email, role: 'owner' })
    const ownerLink = await makeInvite(asFormer, 'owner')
    const editorLink = await makeInvite(asFormer, 'editor')

    // The founder demotes the other owner: every link that owner made stops working at once.
    expect((await asFounder.patch(`/api/boards/${boardId}/members/${former.id}`, { role: 'editor' })).status).toBe(200)
    for (const link of [ownerLink, editorLink]) {
      expect((await apiClient(server.url).get(`/api/invites/${link.token}`)).status).toBe(404)
      expect((await asFormer.post(`/api/invites/${link.token}/accept`)).status).toBe(404)
      expect((await asStranger.post(`/api/invites/${link.token}/accept`)).status).toBe(404)
    }
    expect(await roles()).toEqual({ [founder.id]: 'owner', [former.id]: 'editor' })
    // So the demoted owner cannot take the board back by removing the real one.
    expect((await asFormer.delete(`/api/boards/${boardId}/members/${founder.id}`)).status).toBe(403)

    // Removed altogether: still nothing.
    expect((await asFounder.delete(`/api/boards/${boardId}/members/${former.id}`)).status).toBe(204)
    expect((await asFormer.post(`/api/invites/${ownerLink.token}/accept`)).status).toBe(404)
    expect(await roles()).toEqual({ [founder.id]: 'owner' })

    // A link stands on its maker's right as it is now: made an owner again, their links work again.
    await asFounder.post(`/api/boards/${boardId}/members`, { email: former.email, role: 'owner' })
    expect((await asStranger.post<Accepted>(`/api/invites/${editorLink.token}/accept`)).body).toMatchObject({ role: 'editor', outcome: 'joined' })
  })

  it("keeps the admin's links working on a board the admin is no member of", async () => {
    const admin = await addAccount(server, { name: 'Ada Admin', isAdmin: true })
    const guest = await addAccount(server)
    const link = await makeInvite(await session(admin), 'editor')
    expect((await (await session(guest)).post<Accepted>(`/api/invites/${link.token}/accept`)).body).toMatchObject({ boardId, role: 'editor', outcome: 'joined' })
  })

  it('never raises anyone above the link, and says so when someone keeps a higher role', async () => {
    const [editor, reviewer, newcomer] = [await addAccount(server), await addAccount(server), await addAccount(server)]
    await asFounder.post(`/api/boards/${boardId}/members`, { email: editor.email, role: 'editor' })
    await asFounder.post(`/api/boards/${boardId}/members`, { email: reviewer.email, role: 'reviewer' })
    const reviewerLink = await makeInvite(asFounder, 'reviewer')
    const editorLink = await makeInvite(asFounder, 'editor')

    const kept = await (await session(editor)).post<Accepted>(`/api/invites/${reviewerLink.token}/accept`)
    expect(kept.body).toEqual({ boardId, role: 'editor', outcome: 'kept', message: "You are an editor of this board already; the link's reviewer role does not lower that." })
    const joined = await (await session(newcomer)).post<Accepted>(`/api/invites/${reviewerLink.token}/accept`)
    expect(joined.body).toEqual({ boardId, role: 'reviewer', outcome: 'joined', message: 'You joined this board as a reviewer.' })
    const raised = await (await session(reviewer)).post<Accepted>(`/api/invites/${editorLink.token}/accept`)
    expect(raised.body).toEqual({ boardId, role: 'editor', outcome: 'raised', message: 'You are now an editor of this board (you were a reviewer).' })
    const founderKept = await asFounder.post<Accepted>(`/api/invites/${editorLink.token}/accept`)
    expect(founderKept.body).toMatchObject({ role: 'owner', outcome: 'kept' })
    expect(await roles()).toEqual({ [founder.id]: 'owner', [editor.id]: 'editor', [reviewer.id]: 'editor', [newcomer.id]: 'reviewer' })
  })

  it('lets owners list and revoke links, never showing a link again, and audits both', async () => {
    const [coOwner, editor, guest] = [await addAccount(server, { name: 'Cora Co-owner' }), await addAccount(server), await addAccount(server)]
    await asFounder.post(`/api/boards/${boardId}/members`, { email: coOwner.email, role: 'owner' })
    await asFounder.post(`/api/boards/${boardId}/members`, { email: editor.email, role: 'editor' })
    const asCoOwner = await session(coOwner)
    const first = await makeInvite(asFounder, 'reviewer')
    const second = await makeInvite(asCoOwner, 'owner')

    const listed = await asFounder.get<Listed[]>(`/api/boards/${boardId}/invites`)
    expect(listed.status).toBe(200)
    // Newest first (the stores' test checks the order); two made in one millisecond may come either way.
    expect(listed.body).toHaveLength(2)
    expect(listed.body).toEqual(expect.arrayContaining([
      { id: second.id, role: 'owner', createdAt: expect.any(String), expiresAt: second.expiresAt, maker: { userId: coOwner.id, name: 'Cora Co-owner' }, usable: true },
      { id: first.id, role: 'reviewer', createdAt: expect.any(String), expiresAt: first.expiresAt, maker: { userId: founder.id, name: 'Fay Founder' }, usable: true },
    ]))
    const asEditor = await session(editor)
    expect((await asEditor.get(`/api/boards/${boardId}/invites`)).status).toBe(403)
    expect((await asEditor.delete(`/api/boards/${boardId}/invites/${first.id}`)).status).toBe(403)

    // A link whose maker lost the right is listed as unusable, so owners can see why it does nothing.
    await asFounder.patch(`/api/boards/${boardId}/members/${coOwner.id}`, { role: 'editor' })
    const usable = Object.fromEntries((await asFounder.get<Listed[]>(`/api/boards/${boardId}/invites`)).body.map((i) => [i.id, i.usable]))
    expect(usable).toEqual({ [second.id]: false, [first.id]: true })

    expect((await asFounder.delete(`/api/boards/${boardId}/invites/${first.id}`)).status).toBe(204)
    expect((await asFounder.delete(`/api/boards/${boardId}/invites/${first.id}`)).status).toBe(404)
    expect((await (await session(guest)).post(`/api/invites/${first.token}/accept`)).status).toBe(404)
    expect((await asFounder.get<Listed[]>(`/api/boards/${boardId}/invites`)).body.map((i) => i.id)).toEqual([second.id])

    const audit = (await asFounder.get<AuditEntry[]>(`/api/boards/${boardId}/audit`)).body
    const inviteEntries = audit.filter((entry) => entry.action.startsWith('invite-'))
    expect(inviteEntries.map((entry) => [entry.action, entry.actorId, entry.detail.inviteId])).toEqual([
      ['invite-revoked', founder.id, first.id],
      ['invite-created', coOwner.id, second.id],
      ['invite-created', founder.id, first.id],
    ])
  })
})
