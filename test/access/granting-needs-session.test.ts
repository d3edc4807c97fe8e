/**
 * What grants access to a board (an invite link, a new member, a higher role)
 * needs its owner signed in: with a leaked owner's API token an insider could
 * otherwise make an owner link, or add themselves as owner, and keep that
 * access after the token is revoked. Taking access away takes a token, so a
 * script can offboard someone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AfterRoleRead } from '../helpers/after-role-read.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { addAccount, addMember, addToken, signedInClient, signIn, type TestAccount } from '../helpers/accounts.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { useWatchedBoard } from '../helpers/watched-board.ts'

type ErrorBody = { error: { code: string; message: string } }
type Member = { userId: string; role: string }

describe("granting access to a board needs the owner's session", () => {
  const given = useWatchedBoard({ person: 'Olive Owner', board: 'Olive’s board' })
  let insider: TestAccount
  let ownerSession: ApiClient
  let ownerToken: ApiClient

  beforeEach(async () => {
    insider = await addAccount(given.server, { name: 'Ian Insider' })
    await given.watch.account(given.server, insider)
    ownerSession = given.asSession(await signIn(given.server, given.person, given.watch))
    ownerToken = apiClient(given.server.url, { authorization: `Bearer ${await given.token(given.person)}` }, given.watch.observe)
  })

  const base = () => `/api/boards/${given.boardId}`
  const roleOfInsider = async () => (await ownerSession.get<Member[]>(`${base()}/members`)).body.find((m) => m.userId === insider.id)?.role ?? null
  const expectSessionRequired = (response: { status: number; body: ErrorBody }, what: string) => {
    expect(response.status).toBe(403)
    expect(response.body.error).toEqual({ code: 'session_required', message: `An API token cannot ${what}: sign in as an owner to do it.` })
  }

  it('refuses an owner’s token each grant, creating nothing; the owner’s session makes them', async () => {
    expectSessionRequired(await ownerToken.post<ErrorBody>(`${base()}/invites`, { role: 'owner' }), 'make an invite link')
    expect((await ownerSession.get<unknown[]>(`${base()}/invites`)).body).toEqual([])

    expectSessionRequired(await ownerToken.post<ErrorBody>(`${base()}/members`, { email: insider.email, role: 'owner' }), 'add a member')
    expect(await roleOfInsider()).toBeNull()

    await addMember(given.server, given.boardId, insider, 'reviewer')
    expectSessionRequired(await ownerToken.patch<ErrorBody>(`${base()}/members/${insider.id}`, { role: 'owner' }), "raise a member's role")
    expect(await roleOfInsider()).toBe('reviewer')

    expect((await ownerSession.patch<Member>(`${base()}/members/${insider.id}`, { role: 'owner' })).body).toMatchObject({ role: 'owner' })
    expect((await ownerSession.post(`${base()}/invites`, { role: 'editor' })).status).toBe(201)
    const audit = (await ownerSession.get<{ action: string }[]>(`${base()}/audit`)).body.map((entry) => entry.action)
    expect(audit.filter((action) => action === 'invite-created' || action === 'member-added')).toEqual(['invite-created'])
  })

  it('lets an owner’s token take access away: lower a role, revoke a link, remove a member', async () => {
    await addMember(given.server, given.boardId, insider, 'owner')
    expect((await ownerToken.patch<Member>(`${base()}/members/${insider.id}`, { role: 'reviewer' })).body).toMatchObject({ role: 'reviewer' })
    expect((await ownerToken.patch<Member>(`${base()}/members/${insider.id}`, { role: 'reviewer' })).status).toBe(200)
    const link = await ownerSession.post<{ id: string }>(`${base()}/invites`, { role: 'editor' })
    expect((await ownerToken.delete(`${base()}/invites/${link.body.id}`)).status).toBe(204)
    expect((await ownerToken.delete(`${base()}/members/${insider.id}`)).status).toBe(204)
    expect(await roleOfInsider()).toBeNull()
    expect((await ownerToken.patch<ErrorBody>(`${base()}/members/${insider.id}`, { role: 'owner' })).status).toBe(404)
  })
})

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, "a token's change of role on %s", (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('is decided on the role as it is written: a role lowered meanwhile does not let the token raise it', async () => {
    const hook = new AfterRoleRead()
    server = await startTestServer({ dialect, accounts: true, wrapStorage: hook.wrap })
    const owner = await addAccount(server, { name: 'Olive Owner' })
    const insider = await addAccount(server, { name: 'Ian Insider' })
    const ownerSession = await signedInClient(server, owner)
    const ownerToken = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
    const boardId = (await ownerSession.post<{ id: string }>('/api/boards', { title: 'Raced roles' })).body.id
    await addMember(server, boardId, insider, 'owner')
    const members = `/api/boards/${boardId}/members`
    const roleOfInsider = async () => (await ownerSession.get<Member[]>(members)).body.find((m) => m.userId === insider.id)?.role

    // The token lowers the insider from owner to editor; right after it read "owner", the signed-in owner lowers them to reviewer.
    hook.arm(insider.id, async () => {
      expect((await ownerSession.patch(`${members}/${insider.id}`, { role: 'reviewer' })).status).toBe(200)
    })
    const raced = await ownerToken.patch<ErrorBody>(`${members}/${insider.id}`, { role: 'editor' })
    expect(hook.fired).toBe(true)
    expect({ status: raced.status, code: raced.body.error.code }).toEqual({ status: 403, code: 'session_required' })
    expect(await roleOfInsider()).toBe('reviewer')
  })
})
