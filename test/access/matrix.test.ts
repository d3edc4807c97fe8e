/**
 * Who may do what: every kind of caller against every board action, over HTTP
 * (with a session cookie and with an API token) and over the websocket. An
 * allowed action must succeed; a forbidden one must be refused with the right
 * status: 401 without a valid credential, 404 for a board the caller cannot
 * see (its existence is not disclosed), 403 for a member without the role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient } from '../helpers/api.ts'
import { addAccount, addMember, addToken, SecretWatch, sessionHeaders, signIn, upgradeStatus, type TestAccount } from '../helpers/accounts.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

const WHO = ['admin', 'owner', 'editor', 'reviewer', 'outsider', 'anonymous', 'revoked'] as const
type Who = (typeof WHO)[number]
type Client = ReturnType<typeof apiClient>
/** A status code, or for the board list whether the board is in it. */
type Outcome = number | 'listed' | 'hidden'

/**
 * One row of the matrix, written out rather than derived from a rule, so the test does not
 * re-implement what it checks. Columns in the order of WHO:
 * admin, owner, editor, reviewer, outsider, anonymous, revoked.
 */
function row(...outcomes: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]): Record<Who, Outcome> {
  return Object.fromEntries(WHO.map((who, column) => [who, outcomes[column]])) as Record<Who, Outcome>
}

describeEachDialect(postgresMissing, 'access matrix on %s', (dialect) => {
  const watch = new SecretWatch()
  let server: TestServer
  let boardId: string
  const people = {} as Record<'admin' | 'owner' | 'editor' | 'reviewer' | 'outsider' | 'extra', TestAccount>
  const tokens = {} as Record<Who, string>
  const cookies = {} as Record<Who, string>
  const clients: TestClient[] = []

  beforeAll(async () => {
    server = await startTestServer({ dialect, accounts: true, logSink: watch.logSink })
    people.admin = await addAccount(server, { name: 'Admin', isAdmin: true })
    for (const who of ['owner', 'editor', 'reviewer', 'outsider', 'extra'] as const) people[who] = await addAccount(server, { name: who })
    for (const account of Object.values(people)) await watch.account(server, account)
    for (const who of ['admin', 'owner', 'editor', 'reviewer', 'outsider'] as const) {
      tokens[who] = (await addToken(server, people[who])).token
      watch.secret(tokens[who])
      cookies[who] = await signIn(server, people[who], watch)
    }
    const revoked = await addToken(server, people.owner, 'revoked')
    watch.secret(revoked.token)
    const ownerSession = apiClient(server.url, sessionHeaders(server, cookies.owner), watch.observe)
    expect((await ownerSession.delete(`/api/tokens/${revoked.id}`)).status).toBe(204)
    tokens.revoked = revoked.token

    boardId = await ownerSession.createBoard('Sensitive')
    await addMember(server, boardId, people.editor, 'editor')
    await addMember(server, boardId, people.reviewer, 'reviewer')
  })

  afterAll(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await server?.destroy()
    watch.expectClean()
  })

  /** Each caller with one kind of credential; the anonymous caller and the revoked token are the same either way. */
  function callers(kind: 'session' | 'token'): Record<Who, Client> {
    const make = (headers: Record<string, string>) => apiClient(server.url, headers, watch.observe)
    const result = {} as Record<Who, Client>
    for (const who of WHO) {
      if (who === 'anonymous') result[who] = make({ origin: server.url })
      else if (who === 'revoked') result[who] = make({ authorization: `Bearer ${tokens.revoked}` })
      else result[who] = make(kind === 'session' ? sessionHeaders(server, cookies[who]) : { authorization: `Bearer ${tokens[who]}` })
    }
    return result
  }

  const storage = () => server.services.storage
  const resetExtra = async (member: boolean) => {
    await storage().members.remove(boardId, people.extra.id)
    if (member) await addMember(server, boardId, people.extra, 'reviewer')
  }

  /** `expectWithToken`, where given, is what API tokens get instead. */
  type Action = { name: string; before?: () => Promise<void>; run: (client: Client) => Promise<Outcome>; expect: Record<Who, Outcome>; expectWithToken?: Record<Who, Outcome> }
  const actions: Action[] = [
    {
      name: 'list boards',
      run: async (client) => {
        const response = await client.get<{ id: string }[]>('/api/boards')
        if (response.status !== 200) return response.status
        return response.body.some((board) => board.id === boardId) ? 'listed' : 'hidden'
      },
      expect: row('listed', 'listed', 'listed', 'listed', 'hidden', 401, 401),
    },
    { name: 'read the board', run: async (c) => (await c.get(`/api/boards/${boardId}`)).status, expect: row(200, 200, 200, 200, 404, 401, 401) },
    { name: 'add an assessment', run: async (c) => (await c.post(`/api/boards/${boardId}/assessments`, { title: 'Added' })).status, expect: row(201, 201, 201, 403, 404, 401, 401) },
    { name: 'rename the board', run: async (c) => (await c.patch(`/api/boards/${boardId}`, { title: 'Sensitive' })).status, expect: row(200, 200, 200, 403, 404, 401, 401) },
    { name: 'list members', run: async (c) => (await c.get(`/api/boards/${boardId}/members`)).status, expect: row(200, 200, 200, 200, 404, 401, 401) },
    {
      name: 'add a member',
      before: () => resetExtra(false),
      run: async (c) => (await c.post(`/api/boards/${boardId}/members`, { email: people.extra.email, role: 'reviewer' })).status,
      expect: row(201, 201, 403, 403, 404, 401, 401),
      // A leaked owner's token must not grant access that outlives its revocation.
      expectWithToken: row(403, 403, 403, 403, 404, 401, 401),
    },
    {
      name: "raise a member's role",
      before: () => resetExtra(true),
      run: async (c) => (await c.patch(`/api/boards/${boardId}/members/${people.extra.id}`, { role: 'editor' })).status,
      expect: row(200, 200, 403, 403, 404, 401, 401),
      expectWithToken: row(403, 403, 403, 403, 404, 401, 401),
    },
    {
      name: "lower a member's role",
      before: async () => {
        await resetExtra(false)
        await addMember(server, boardId, people.extra, 'editor')
      },
      run: async (c) => (await c.patch(`/api/boards/${boardId}/members/${people.extra.id}`, { role: 'reviewer' })).status,
      expect: row(200, 200, 403, 403, 404, 401, 401),
    },
    {
      name: 'remove a member',
      before: () => resetExtra(true),
      run: async (c) => (await c.delete(`/api/boards/${boardId}/members/${people.extra.id}`)).status,
      expect: row(204, 204, 403, 403, 404, 401, 401),
    },
    {
      name: 'make an invite link',
      run: async (c) => (await c.post(`/api/boards/${boardId}/invites`, { role: 'reviewer' })).status,
      expect: row(201, 201, 403, 403, 404, 401, 401),
      expectWithToken: row(403, 403, 403, 403, 404, 401, 401),
    },
    { name: 'read the audit log', run: async (c) => (await c.get(`/api/boards/${boardId}/audit`)).status, expect: row(200, 200, 403, 403, 404, 401, 401) },
    { name: 'list accounts', run: async (c) => (await c.get('/api/users')).status, expect: row(200, 403, 403, 403, 403, 401, 401) },
    {
      name: 'add an account',
      run: async (c) => (await c.post('/api/users', { email: `new-${crypto.randomUUID()}@example.org`, name: 'New', password: 'a long enough password' })).status,
      expect: row(201, 403, 403, 403, 403, 401, 401),
      // A leaked admin token must not make accounts (or passwords) that outlive its revocation.
      expectWithToken: row(403, 403, 403, 403, 403, 401, 401),
    },
    {
      name: "reset someone's password",
      run: async (c) => (await c.post(`/api/users/${people.extra.id}/password`, { password: people.extra.password })).status,
      expect: row(204, 403, 403, 403, 403, 401, 401),
      expectWithToken: row(403, 403, 403, 403, 403, 401, 401),
    },
    { name: 'read who I am', run: async (c) => (await c.get('/api/me')).status, expect: row(200, 200, 200, 200, 200, 401, 401) },
  ]

  describe.each(['session', 'token'] as const)('over HTTP with a %s', (kind) => {
    for (const action of actions) {
      it(`${action.name}`, async () => {
        const byWho = callers(kind)
        const got = {} as Record<Who, Outcome>
        for (const who of WHO) {
          await action.before?.()
          got[who] = await action.run(byWho[who])
        }
        expect(got).toEqual(kind === 'token' ? (action.expectWithToken ?? action.expect) : action.expect)
      })
    }
  })

  describe('over the websocket', () => {
    const url = () => `${server.wsUrl}/${boardId}`

    it('admits members and refuses the others at the upgrade, with a token and with a session', async () => {
      const got = { token: {} as Record<Who, number>, session: {} as Record<Who, number> }
      for (const who of WHO) {
        if (who === 'anonymous') got.token[who] = got.session[who] = await upgradeStatus(url(), { origin: server.url })
        else if (who === 'revoked') got.token[who] = got.session[who] = await upgradeStatus(`${url()}?token=${tokens.revoked}`)
        else {
          got.token[who] = await upgradeStatus(`${url()}?token=${tokens[who]}`)
          got.session[who] = await upgradeStatus(url(), sessionHeaders(server, cookies[who]))
        }
      }
      const wanted = { admin: 101, owner: 101, editor: 101, reviewer: 101, outsider: 404, anonymous: 401, revoked: 401 }
      expect(got).toEqual({ token: wanted, session: wanted })
    })

    it("stores the writers' edits and drops the reviewer's", async () => {
      const titles = async () => {
        const board = await apiClient(server.url, { authorization: `Bearer ${tokens.owner}` }, watch.observe).get<BoardModel>(`/api/boards/${boardId}`)
        return board.body.assessments.map((a) => a.title)
      }
      const writers = ['admin', 'owner', 'editor'] as const
      const connected = {} as Record<(typeof writers)[number] | 'reviewer', TestClient>
      for (const who of [...writers, 'reviewer'] as const) {
        connected[who] = connectClient(server.wsUrl, boardId, {}, sessionHeaders(server, cookies[who]))
        clients.push(connected[who])
      }
      await Promise.all(Object.values(connected).map((client) => client.synced()))
      for (const who of writers) addAssessment(connected[who].doc, { title: `Written by ${who}` })
      await waitFor(async () => {
        const stored = await titles()
        return writers.every((who) => stored.includes(`Written by ${who}`))
      }, "the writers' edits to be stored")

      addAssessment(connected.reviewer.doc, { title: 'Written by reviewer' })
      // The reviewer's presence travels after its dropped update on the same socket: once the owner sees it, the update was handled.
      connected.reviewer.provider.awareness.setLocalStateField('user', { name: 'reviewer' })
      await waitFor(() => connected.owner.provider.awareness.getStates().get(connected.reviewer.doc.clientID)?.user?.name === 'reviewer', 'reviewer presence at the owner')
      await server.services.rooms.loadedRooms.get(boardId)?.whenSaved()
      expect(await titles()).not.toContain('Written by reviewer')
      expect(boardToModel(connected.owner.doc, boardId).assessments.map((a) => a.title)).not.toContain('Written by reviewer')
    })
  })
})
