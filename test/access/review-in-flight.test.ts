/**
 * A review entry, or a long read, on its way while the board is deleted or
 * its reviewer removed. A comment, verdict or sign-off reads its snapshot (in
 * a worker thread, the first time) after its access check, then writes; the
 * admin's delete landing meanwhile made the write fail on the board's row
 * gone, and the request was answered 500. An export, a comparison, a
 * snapshot's checks, model or state is made after the access check too,
 * seconds later: a reviewer removed meanwhile was sent all seven exports they
 * had asked for, 11 to 21 s after their removal (red team 32b). Each must get
 * the answer the same request would get if it started now, store nothing and
 * send none of the board's content; an export so refused is audited as a
 * refusal, not as an export. Gates in front of the snapshot's read and in
 * front of the write stop the request at each point for as long as the test
 * needs. Run on SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import type { ReviewComment, ReviewVerdictRecord, ReviewSignoff } from '../../shared/snapshot-model.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { Gate } from '../helpers/gate.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

/** A whole story against a real server, on a loaded machine. */
const STORY_MS = 60_000

/** The board's one assessment's title: an answer holding it holds the board's content. */
const CONTENT = 'Convoy moved north'

type ErrorBody = { error: { code: string } }

describeEachDialect(postgresMissing, 'a review entry on its way while its right goes, on %s', (dialect) => {
  /** Held, a request waits as it reads its snapshot's state: its access was checked, its snapshot not yet read. */
  const atRead = new Gate()
  /** Held, a request waits right before storage writes its entry. */
  const atWrite = new Gate()
  let server: TestServer
  let reviewer: TestAccount
  let asAdmin: ApiClient
  let asOwner: ApiClient
  let asReviewer: ApiClient
  let boardId: string
  let assessmentId: string
  let snapshotId: string

  const gated = (storage: Storage): Storage => {
    const { snapshots, reviews } = storage
    const written =
      <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
      async (...args: A) => {
        await atWrite.pass()
        return write(...args)
      }
    return {
      ...storage,
      // Each store's own methods, but for the ones gated.
      snapshots: Object.assign(Object.create(snapshots) as typeof snapshots, {
        state: async (board: string, id: string) => {
          await atRead.pass()
          return snapshots.state(board, id)
        },
      }),
      reviews: Object.assign(Object.create(reviews) as typeof reviews, {
        addComment: written((comment: ReviewComment) => reviews.addComment(comment)),
        setVerdict: written((verdict: ReviewVerdictRecord) => reviews.setVerdict(verdict)),
        setSignoff: written((signoff: ReviewSignoff) => reviews.setSignoff(signoff)),
      }),
    }
  }

  // One server and its people for the suite: every test has a board, membership and snapshot of its own, and the
  // gates are open again after each, so no test sees another's entries, deletion or removal.
  beforeAll(async () => {
    server = await startTestServer({ accounts: true, dialect, wrapStorage: gated })
    const admin = await addAccount(server, { name: 'Ada Admin', isAdmin: true })
    const owner = await addAccount(server, { name: 'Olga Owner' })
    reviewer = await addAccount(server, { name: 'Rita Reviewer' })
    asAdmin = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, admin)).token}` })
    asOwner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
    asReviewer = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, reviewer)).token}` })
  }, STORY_MS)

  afterAll(async () => {
    await server.destroy()
  }, STORY_MS)

  beforeEach(async () => {
    boardId = await asOwner.createBoard('Wagner mutiny — Vilnius')
    await addMember(server, boardId, reviewer, 'reviewer')
    assessmentId = (await asOwner.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: CONTENT })).body.id
    snapshotId = (await asOwner.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'For review' })).body.id
  }, STORY_MS)

  afterEach(() => {
    atRead.release()
    atWrite.release()
  })

  const snapshotPath = () => `/api/boards/${boardId}/snapshots/${snapshotId}`
  const entries: [string, () => Promise<ApiResponse<ErrorBody>>][] = [
    ['a comment', () => asReviewer.post<ErrorBody>(`${snapshotPath()}/comments`, { body: 'Source?', assessmentId })],
    ['a verdict', () => asReviewer.put<ErrorBody>(`${snapshotPath()}/verdicts/${assessmentId}`, { verdict: 'agree' })],
    ['a sign-off', () => asReviewer.put<ErrorBody>(`${snapshotPath()}/signoff`, { decision: 'approved' })],
  ]

  /** Sends `request` and resolves once it waits at `gate`; the answer is wrapped, or awaiting this would wait for it. */
  const heldAt = async (gate: Gate, request: () => Promise<ApiResponse<ErrorBody>>) => {
    gate.hold()
    const answer = request()
    await waitFor(() => gate.waiting > 0, 'the request to wait at the gate')
    return { answer }
  }

  const deleteBoard = async () => expect((await asAdmin.delete(`/api/boards/${boardId}`)).status).toBe(204)
  const stored = async () => {
    const { reviews } = server.services.storage
    const [comments, verdicts, signoffs] = await Promise.all([reviews.commentHeads({ snapshotId }), reviews.verdicts(snapshotId), reviews.signoffs(snapshotId)])
    return [...comments, ...verdicts, ...signoffs]
  }

  it.each(entries)('%s whose snapshot is being read while the admin deletes the board gets 404', async (_entry, send) => {
    const { answer } = await heldAt(atRead, send)
    await deleteBoard()
    atRead.release()
    expect(await answer).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    expect(await server.services.storage.boards.get(boardId)).toBeUndefined()
  }, STORY_MS)

  it.each(entries)('%s about to be written while the admin deletes the board gets 404, and nothing is stored', async (_entry, send) => {
    const { answer } = await heldAt(atWrite, send)
    await deleteBoard()
    atWrite.release()
    expect(await answer).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    expect(await stored()).toEqual([])
  }, STORY_MS)

  it.each(entries)('%s whose snapshot is being read while its reviewer is removed gets 404, and nothing is stored', async (_entry, send) => {
    const { answer } = await heldAt(atRead, send)
    expect((await asOwner.delete(`/api/boards/${boardId}/members/${reviewer.id}`)).status).toBe(204)
    atRead.release()
    expect(await answer).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    expect(await stored()).toEqual([])
  }, STORY_MS)

  const board = () => `/api/boards/${boardId}`
  const reads: [string, () => string][] = [
    ["a snapshot's Markdown export", () => `${board()}/export?format=md&snapshot=${snapshotId}`],
    ["a snapshot's JSON export", () => `${board()}/export?format=json&snapshot=${snapshotId}`],
    ['a comparison of a snapshot with the live board', () => `${board()}/diff?from=${snapshotId}&to=live`],
    ["a snapshot's checks", () => `${board()}/checks?snapshot=${snapshotId}`],
    ["a snapshot's model", () => `${board()}/snapshots/${snapshotId}`],
    ["a snapshot's state", () => `${board()}/snapshots/${snapshotId}/state`],
  ]

  const heldRead = (path: string) => heldAt(atRead, () => asReviewer.get<ErrorBody>(path))

  const exportEntries = async () => (await server.services.storage.audit.listForBoard(boardId, { limit: 100 })).filter((entry) => entry.action.startsWith('export'))

  it.each(reads)('%s made while its reviewer is removed is refused 404, with none of the content', async (_read, path) => {
    const { answer } = await heldRead(path())
    expect((await asOwner.delete(`${board()}/members/${reviewer.id}`)).status).toBe(204)
    atRead.release()
    const answered = await answer
    expect(answered).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    expect(JSON.stringify(answered.body)).not.toContain(CONTENT)
  }, STORY_MS)

  it('an export refused so is audited as a refusal, not as an export', async () => {
    const { answer } = await heldRead(`${board()}/export?format=md&snapshot=${snapshotId}`)
    expect((await asOwner.delete(`${board()}/members/${reviewer.id}`)).status).toBe(204)
    atRead.release()
    expect((await answer).status).toBe(404)
    expect((await exportEntries()).map((entry) => [entry.action, (JSON.parse(entry.detail) as { refusal?: string }).refusal])).toEqual([['export-failed', 'right-lost']])
  }, STORY_MS)

  it('the same export held as long while its reviewer stays is sent and audited as an export', async () => {
    const { answer } = await heldRead(`${board()}/export?format=md&snapshot=${snapshotId}`)
    atRead.release()
    const answered = await answer
    expect(answered.status).toBe(200)
    expect(String(answered.body)).toContain(CONTENT)
    expect((await exportEntries()).map((entry) => entry.action)).toEqual(['export'])
  }, STORY_MS)
})
