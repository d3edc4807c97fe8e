/**
 * A reviewer flooding the audit log with reads of the board as of a past
 * time, to push an entry (their own export) out of the owner's and the
 * admin's view. The moment asked for was the audit's key to the millisecond:
 * asking for T+1 ms, T+2 ms, … wrote an entry each (30,000 in a minute), and
 * 1,100 of them hid the export from both views, which showed the newest 1,000
 * entries and no more. Now a read is audited once per version of the board it
 * showed, a person has AS_OF_READS_PER_HOUR_PER_PERSON of them an hour, and
 * both audit views page back (`before`) and filter (`action`), so no entry
 * can be pushed out of reach, whatever else fills the log. On SQLite and PostgreSQL, over HTTP.
 */
import { afterEach, expect, it } from 'vitest'
import type { AsOf } from '../../shared/history-model.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { HOUR, MINUTE, testClock, type TestClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

type AuditEntry = { id: number; action: string; actorId: string | null; boardId: string | null; detail: Record<string, unknown> }
type ErrorBody = { error: { code: string; message: string } }

/** Moments asked for in the flood: on main, as many entries. */
const FLOOD = 300

describeEachDialect(postgresMissing, 'the audit log against a flood of as-of reads on %s', (dialect) => {
  let server: TestServer
  let clock: TestClock
  let owner: ApiClient
  let admin: ApiClient
  let reviewerAccount: TestAccount
  let reviewer: ApiClient
  let boardId: string
  /** When the board was made (before its one change), and the time of the change. */
  let created: number
  let changedAt: string

  const as = async (account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
  const board = () => `/api/boards/${boardId}`
  /** The board as of `at` through either route that shows it: its model, or its state for the board view. */
  const readAsOf = (api: ApiClient, at: number, route: 'model' | 'state') =>
    api.get<ErrorBody>(`${board()}${route === 'model' ? '' : '/history/state'}?asOf=${encodeURIComponent(new Date(at).toISOString())}`)

  const start = async (env: Record<string, string>) => {
    clock = testClock()
    server = await startTestServer({ dialect, accounts: true, clock, env: { SNAPSHOT_INTERVAL_MINUTES: '0', ...env } })
    started.push(server)
    owner = await as(await addAccount(server, { name: 'Olivia Owner' }))
    admin = await as(await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
    boardId = await owner.createBoard('Wagner redeployment')
    created = clock().getTime()
    reviewerAccount = await addAccount(server, { name: 'Rex Reviewer' })
    await addMember(server, boardId, reviewerAccount, 'reviewer')
    reviewer = await as(reviewerAccount)
    changedAt = clock.advance(MINUTE)
    expect((await owner.patch(board(), { title: 'Wagner redeployment, retitled' })).status).toBe(200)
    clock.advance(HOUR)
  }

  /** The test's server, once started: a start that failed part-way leaves nothing to destroy. */
  const started: TestServer[] = []
  afterEach(async () => {
    for (const running of started.splice(0)) await running.destroy()
  })

  const historyViewedBy = async (account: TestAccount) =>
    (await owner.get<AuditEntry[]>(`${board()}/audit?limit=1000`)).body.filter((entry) => entry.actorId === account.id && entry.action === 'history-viewed')

  it('writes one entry per version of the board read, however many moments are asked for', async () => {
    await start({ AS_OF_READS_PER_HOUR_PER_PERSON: '1000' })

    const firstVersion = await readAsOf(reviewer, created + 1, 'state')
    const seen = (JSON.parse(firstVersion.headers.get('assay-as-of')!) as AsOf).contentHash
    // The flood: a moment a millisecond apart each time, all before the change, by both routes, two at a time.
    let next = 1
    const statuses: number[] = []
    const flood = async () => {
      while (next < FLOOD) {
        const i = next++
        statuses.push((await readAsOf(reviewer, created + 1 + i, i % 2 === 0 ? 'state' : 'model')).status)
      }
    }
    await Promise.all([flood(), flood()])
    expect(statuses.filter((status) => status !== 200)).toEqual([])
    const entries = await historyViewedBy(reviewerAccount)
    expect(entries.map((entry) => entry.detail)).toEqual([{ read: 'as-of', asOf: new Date(created + 1).toISOString(), at: new Date(created + 1).toISOString(), contentHash: seen }])

    // Another version of the board is another entry: the audit still says what was seen.
    const after = await readAsOf(reviewer, Date.parse(changedAt) + 1, 'model')
    expect(after.status).toBe(200)
    const later = (JSON.parse(after.headers.get('assay-as-of')!) as AsOf).contentHash
    expect(later).not.toBe(seen)
    expect((await historyViewedBy(reviewerAccount)).map((entry) => entry.detail.contentHash)).toEqual([later, seen])
  }, 120_000)

  it('refuses a person’s as-of reads past the hourly allowance with 429 and Retry-After, auditing none; others carry on', async () => {
    await start({ AS_OF_READS_PER_HOUR_PER_PERSON: '3' })
    const before = (await owner.get<AuditEntry[]>(`${board()}/audit?limit=1000`)).body.length
    for (let i = 0; i < 3; i++) expect((await readAsOf(reviewer, created + 1 + i, i === 1 ? 'model' : 'state')).status).toBe(200)
    for (const route of ['state', 'model'] as const) {
      const refused = await readAsOf(reviewer, Date.parse(changedAt) + 1, route)
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toBe('1200')
      expect(refused.body.error).toEqual({ code: 'rate_limited', message: 'You have read boards as of a past time as many times as you may for now. Try again in 1200 s.' })
    }
    // Only the first read of the one version before the change is in the log; the refused reads of the later one are not.
    expect((await owner.get<AuditEntry[]>(`${board()}/audit?limit=1000`)).body.length).toBe(before + 1)

    const otherAccount = await addAccount(server, { name: 'Rita Reviewer' })
    await addMember(server, boardId, otherAccount, 'reviewer')
    expect((await readAsOf(await as(otherAccount), Date.parse(changedAt) + 1, 'state')).status).toBe(200)
    for (let i = 0; i < 4; i++) expect((await readAsOf(admin, created + 1 + i, 'model')).status).toBe(200)
  })

  it('pages back through every entry and filters by action, in the owner’s and the admin’s view', async () => {
    await start({})
    expect((await reviewer.get(`${board()}/export?format=md`)).status).toBe(200)
    // A flood of another kind of entry on this board and elsewhere, written straight to the log: whatever a member can
    // still add (each bounded by an allowance) can no longer hide an entry, however many there are.
    const flooded = { at: new Date().toISOString(), actorId: reviewerAccount.id, actorLabel: 'Rex Reviewer', action: 'history-viewed', detail: '{}' }
    const appended = Array.from({ length: 2_500 }, (_, i) => ({ ...flooded, boardId: i % 5 === 0 ? null : boardId }))
    for (let from = 0; from < appended.length; from += 100) await Promise.all(appended.slice(from, from + 100).map((entry) => server.services.storage.audit.append(entry)))

    for (const [api, path] of [
      [owner, `${board()}/audit`],
      [admin, '/api/audit'],
    ] as const) {
      const newest = (await api.get<AuditEntry[]>(`${path}?limit=1000`)).body
      expect(newest.some((entry) => entry.action === 'export'), path).toBe(false)

      const exports = await api.get<AuditEntry[]>(`${path}?action=export`)
      expect(exports.status).toBe(200)
      expect(exports.body.map((entry) => [entry.action, entry.actorId, entry.boardId])).toEqual([['export', reviewerAccount.id, boardId]])

      // Each page starts right below the oldest entry of the one before, to the end: nothing skipped, nothing twice.
      const walked: AuditEntry[] = []
      for (let page = newest; page.length > 0; page = (await api.get<AuditEntry[]>(`${path}?limit=1000&before=${page.at(-1)!.id}`)).body) walked.push(...page)
      const ids = walked.map((entry) => entry.id)
      expect(ids).toEqual([...ids].sort((a, b) => b - a))
      expect(new Set(ids).size).toBe(ids.length)
      expect(walked.filter((entry) => entry.action === 'export')).toHaveLength(1)
      if (api === owner) expect(walked.every((entry) => entry.boardId === boardId)).toBe(true)
      expect(walked.filter((entry) => entry.action === 'history-viewed' && entry.detail.read === undefined)).toHaveLength(api === owner ? 2_000 : 2_500)

      // The two together: the board's creation, older than the export and the flood.
      const filtered = await api.get<AuditEntry[]>(`${path}?action=board-created&before=${exports.body[0]!.id}`)
      expect(filtered.body.map((entry) => entry.action)).toEqual(['board-created'])

      const unknown = await api.get<ErrorBody>(`${path}?action=exported`)
      expect(unknown.status).toBe(400)
    }
  }, 120_000)
})
