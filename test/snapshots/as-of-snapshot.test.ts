/**
 * A named snapshot of a past moment is dated by that moment wherever its
 * content's time is read: its summary and the listing say it, a comparison
 * with it names it, the live briefing counts what changed since it from it,
 * and the changes listed up to it are those its content holds. Dated only by
 * when it was made, a colleague's work between the two read as done after it
 * (red team 31e).
 */
import { afterEach, expect, it } from 'vitest'
import type { AssessmentModel, BoardModel } from '../../shared/board-model.ts'
import { dateTimeGroup } from '../../shared/date-time-group.ts'
import type { AssessmentChange } from '../../shared/history-model.ts'
import { contentTime, type SnapshotSummary, type VersionRef } from '../../shared/snapshot-model.ts'
import type { Role } from '../../shared/roles.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

type Comparison = { from: VersionRef; diff: { assessments: { added: AssessmentModel[]; changed: { id: string }[] } } }

describeEachDialect(postgresMissing, 'a snapshot of a past moment on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  const person = async (name: string, join: (account: TestAccount) => Promise<void> = async () => {}): Promise<ApiClient> => {
    const account = await addAccount(server, { name })
    await join(account)
    const { token } = await addToken(server, account)
    return apiClient(server.url, { authorization: `Bearer ${token}` })
  }

  it("is dated by that moment, and a colleague's earlier work is not told as coming after it", async () => {
    const clock = testClock()
    server = await startTestServer({ dialect, accounts: true, clock, env: { SNAPSHOT_INTERVAL_MINUTES: '0' } })
    const owner = await person('Olga Owner')
    const boardId = (await owner.post<{ id: string }>('/api/boards', { title: 'As of' })).body.id
    const base = `/api/boards/${boardId}`
    const member = async (name: string, role: Role): Promise<ApiClient> => person(name, (account) => addMember(server, boardId, account, role))
    const [cy, bob, rita] = [await member('Cy Colleague', 'editor'), await member('Bob Editor', 'editor'), await member('Rita Reviewer', 'reviewer')]

    clock.advance(MINUTE)
    const card = await owner.post<AssessmentModel>(`${base}/assessments`, { title: 'Wagner regroups', judgment: 'draft' })
    expect(card.status).toBe(201)
    const before = clock.advance(MINUTE)
    clock.advance(MINUTE)
    expect((await cy.post(`${base}/assessments`, { title: 'Cy: key finding' })).status).toBe(201)
    expect((await cy.patch(`${base}/assessments/${card.body.id}`, { judgment: 'Cy reviewed: likely regrouping' })).status).toBe(200)
    const made = clock.advance(MINUTE)

    const snapshot = await bob.post<SnapshotSummary>(`${base}/snapshots`, { label: 'Final for sign-off', asOf: before })
    expect(snapshot.status).toBe(201)
    expect(snapshot.body).toMatchObject({ asOf: before, createdAt: made, authorName: 'Bob Editor' })
    const listed = await rita.get<SnapshotSummary[]>(`${base}/snapshots`)
    expect(listed.body.find((s) => s.id === snapshot.body.id)).toMatchObject({ asOf: before, createdAt: made })
    const held = await rita.get<BoardModel>(`${base}/snapshots/${snapshot.body.id}`)
    expect(held.body.assessments.map((a) => [a.title, a.judgment])).toEqual([['Wagner regroups', 'draft']])

    // The comparison names the moment; what it lists as since is indeed after that moment.
    const compared = await rita.get<Comparison>(`${base}/diff?from=${snapshot.body.id}&to=live`)
    expect(compared.body.from).toMatchObject({ kind: 'snapshot', asOf: before, createdAt: made })
    expect(compared.body.diff.assessments.added.map((a) => a.title)).toEqual(['Cy: key finding'])

    // The live briefing's changes since it are counted from the moment it holds, not from when Bob made it.
    const briefing = await rita.get<string>(`${base}/export?format=md`)
    expect(briefing.status).toBe(200)
    expect(briefing.body).toContain(`## Changes since snapshot “\u2068Final for sign-off\u2069” of ${dateTimeGroup(before)}`)

    // The changes up to the moment the snapshot is of (what the inspector lists beside it) end where its content does.
    const upTo = await rita.get<AssessmentChange[]>(`${base}/history/changes?assessmentId=${card.body.id}&to=${encodeURIComponent(contentTime(snapshot.body))}`)
    expect(upTo.status).toBe(200)
    const judgments = upTo.body.filter((change) => change.field === 'judgment')
    expect(judgments.map((change) => change.to)).not.toContain('Cy reviewed: likely regrouping')
  }, 60_000)
})
