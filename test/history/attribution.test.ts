/**
 * Who changed which field, from the log's authors: three people with real
 * accounts edit one assessment through the stock provider on two instances
 * (PostgreSQL and Redis), at known times; the attribution a reviewer reads
 * names each of them for exactly their change, before and after compaction,
 * and the audit log records that the reviewer read the history.
 */
import { afterEach, expect, it } from 'vitest'
import { addAssessment, updateAssessment } from '../../shared/board-mutations.ts'
import { assessmentText } from '../../shared/board-doc.ts'
import type { AssessmentChange } from '../../shared/history-model.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { REDIS_URL, startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

describeUnless(missing)('attribution with three writers on two instances', () => {
  const servers: TestServer[] = []
  const clients: TestClient[] = []
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    for (const server of servers.splice(0).reverse()) await server.destroy()
  })

  // Two servers, five accounts and some forty requests: the time a loaded machine may need.
  it('names each writer for exactly the fields they changed, and audits the reader', async () => {
    const clock = testClock()
    const first = await startTestServer({ dialect: 'postgres', accounts: true, clock, env: { REDIS_URL }, compactAfterRows: 1_000_000 })
    servers.push(first)
    const second = await startTestServer({ dialect: 'postgres', accounts: true, clock, database: first.database, env: { REDIS_URL } })
    servers.push(second)

    const people = { ana: await addAccount(first, { name: 'Ana' }), ben: await addAccount(first, { name: 'Ben' }), cleo: await addAccount(first, { name: 'Cleo' }) }
    const reviewer = await addAccount(first, { name: 'Rui' })
    const outsider = await addAccount(first, { name: 'Otto' })
    const tokens = new Map<TestAccount, string>()
    for (const account of [...Object.values(people), reviewer, outsider]) tokens.set(account, (await addToken(first, account)).token)
    const as = (server: TestServer, account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${tokens.get(account)}` })

    const boardId = await as(first, people.ana).createBoard('Attribution')
    await addMember(first, boardId, people.ben, 'editor')
    await addMember(first, boardId, people.cleo, 'editor')
    await addMember(first, boardId, reviewer, 'reviewer')
    const join = async (server: TestServer, account: TestAccount) => {
      const client = connectClient(server.wsUrl, boardId, { token: tokens.get(account)! })
      clients.push(client)
      await client.synced()
      return client
    }
    const ana = await join(first, people.ana)
    const ben = await join(second, people.ben)
    const cleo = await join(second, people.cleo)
    const everyone = [ana, ben, cleo]
    // The others are sent a change only once it is stored, so once all three hold it, it is.
    const storedAndSeen = (what: string, check: (client: TestClient) => boolean) => waitFor(() => everyone.every(check), `${what} to reach every writer`)

    const t1 = clock.advance(MINUTE)
    const id = addAssessment(ana.doc, { title: 'Wagner moves north', judgment: 'Initial' })
    await storedAndSeen('the new card', (client) => client.doc.getMap('assessments').has(id))
    const likelihoodOf = (client: TestClient) => (client.doc.getMap('assessments').get(id) as { get(key: string): unknown }).get('likelihood')
    const t2 = clock.advance(MINUTE)
    updateAssessment(ben.doc, id, { likelihood: 3 })
    await storedAndSeen('Ben’s likelihood', (client) => likelihoodOf(client) === 3)
    const t3 = clock.advance(MINUTE)
    updateAssessment(cleo.doc, id, { likelihood: 5, confidence: 'moderate' })
    await storedAndSeen('Cleo’s likelihood', (client) => likelihoodOf(client) === 5)
    await first.services.compaction.compact(boardId)
    expect(await first.services.storage.log.count(boardId)).toBe(0)
    // After the compaction: these are worked out from the rows not yet folded.
    const t4 = clock.advance(MINUTE)
    assessmentText(ana.doc, id, 'judgment').insert(7, ' reading')
    updateAssessment(ben.doc, id, { status: 'in-review' })
    await storedAndSeen('the last edits', (client) => String(assessmentText(client.doc, id, 'judgment')) === 'Initial reading')
    await waitFor(async () => (await first.services.storage.log.count(boardId)) >= 2, 'both last edits to be stored')

    const expected = [
      { field: 'card', from: 'absent', to: 'present', by: people.ana, at: t1 },
      { field: 'likelihood', from: null, to: 3, by: people.ben, at: t2 },
      { field: 'confidence', from: null, to: 'moderate', by: people.cleo, at: t3 },
      { field: 'likelihood', from: 3, to: 5, by: people.cleo, at: t3 },
      { field: 'judgment', from: 'Initial', to: 'Initial reading', by: people.ana, at: t4 },
      { field: 'status', from: 'draft', to: 'in-review', by: people.ben, at: t4 },
    ]
    const simplify = (changes: AssessmentChange[]) =>
      changes.map((c) => ({ field: c.field, from: c.from, to: c.to, by: c.by.userId, name: c.by.name, at: c.at })).sort((a, b) => (a.at + a.field).localeCompare(b.at + b.field))
    const wanted = expected.map((e) => ({ field: e.field, from: e.from, to: e.to, by: e.by.id, name: e.by.name, at: e.at }))
    // The reviewer reads it on either instance.
    for (const server of [first, second]) {
      const read = await as(server, reviewer).get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes?assessmentId=${id}`)
      expect(read.status).toBe(200)
      expect(simplify(read.body)).toEqual(wanted)
    }
    // Once all of it is compacted, the recorded changes say the same.
    await second.services.compaction.compact(boardId)
    await waitFor(async () => (await first.services.storage.log.count(boardId)) === 0, 'the last edits to be compacted')
    expect(simplify((await as(first, reviewer).get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes?assessmentId=${id}`)).body)).toEqual(wanted)

    // History follows the board's roles: an outsider reads none of it, a reviewer reads and exports it but makes no snapshot of it.
    const asOf = (at: string) => encodeURIComponent(at)
    for (const path of [`/history/changes?assessmentId=${id}`, '/history', `/history/state?asOf=${asOf(t2)}`, `?asOf=${asOf(t2)}`, `/export?format=json&asOf=${asOf(t2)}`]) {
      expect((await as(first, outsider).get(`/api/boards/${boardId}${path}`)).status, path).toBe(404)
    }
    expect((await as(first, reviewer).post(`/api/boards/${boardId}/snapshots`, { label: 'As of t2', asOf: t2 })).status).toBe(403)
    expect((await as(second, people.ben).post(`/api/boards/${boardId}/snapshots`, { label: 'As of t2', asOf: t2 })).status).toBe(201)

    // Reading it is audited: who read which part, and of which moment.
    const sessions = await as(second, reviewer).get<{ sessions: { by: { name: string } }[] }>(`/api/boards/${boardId}/history`)
    expect(new Set(sessions.body.sessions.map((s) => s.by.name))).toEqual(new Set(['Ana', 'Ben', 'Cleo']))
    expect((await as(first, reviewer).get(`/api/boards/${boardId}?asOf=${asOf(t2)}`)).status).toBe(200)
    expect((await as(second, reviewer).get(`/api/boards/${boardId}/history/state?asOf=${asOf(t3)}`)).status).toBe(200)
    expect((await as(first, reviewer).get(`/api/boards/${boardId}/export?format=json&asOf=${asOf(t3)}`)).status).toBe(200)
    type AuditEntry = { action: string; actorId: string; detail: { read?: string; asOf?: string | null } }
    const audit = await as(first, people.ana).get<AuditEntry[]>(`/api/boards/${boardId}/audit`)
    const byReviewer = audit.body.filter((entry) => entry.actorId === reviewer.id)
    const reads = byReviewer.filter((entry) => entry.action === 'history-viewed').map((entry) => ({ read: entry.detail.read, asOf: entry.detail.asOf }))
    expect(reads).toContainEqual({ read: 'changes', asOf: undefined })
    expect(reads).toContainEqual({ read: 'sessions', asOf: undefined })
    expect(reads).toContainEqual({ read: 'as-of', asOf: t2 })
    expect(reads).toContainEqual({ read: 'as-of', asOf: t3 })
    expect(byReviewer.filter((entry) => entry.action === 'export').map((entry) => entry.detail.asOf)).toEqual([t3])
    // The outsider's refused reads are not the board's history being viewed.
    expect(audit.body.filter((entry) => entry.actorId === outsider.id)).toEqual([])
  }, 120_000)
})
