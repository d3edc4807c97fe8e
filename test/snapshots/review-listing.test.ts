/**
 * A reviewer's flood of comments no longer reaches every page on the board:
 * comments are kept for good, and every page asks for the board's open
 * threads every 10 s (a day of one reviewer's allowance, 2,880 comments of
 * 20,000 characters, was 58 MB at each poll). A listing holds the newest
 * threads whole, within COMMENT_LISTING_BOUNDS, and says when it left older
 * ones out.
 */
import { beforeEach, expect, it } from 'vitest'
import type { AssessmentModel } from '../../shared/board-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import { COMMENT_LISTING_BOUNDS, THREADS_TRUNCATED_HEADER, type OpenThread, type ReviewComment, type SnapshotReview, type SnapshotSummary } from '../../shared/snapshot-model.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { useSuiteTeam } from './team.ts'

const postgresMissing = await missingServices('postgres')

/** Comments of the longest body that fit a listing's bytes, and a few more. */
const FITTING = Math.floor(COMMENT_LISTING_BOUNDS.bytes / LIMITS.longText)
const WRITTEN = FITTING + 6

describeEachDialect(postgresMissing, 'listing review comments on %s', (dialect) => {
  // Open threads are listed per board, and each test has a board of its own.
  const team = useSuiteTeam(dialect, { COMMENTS_PER_HOUR_PER_PERSON: '1000' })
  let assessment: AssessmentModel
  let snapshot: SnapshotSummary
  const base = () => `/api/boards/${team.boardId}`
  const snap = () => `${base()}/snapshots/${snapshot.id}`

  beforeEach(async () => {
    assessment = (await team.editor.post<AssessmentModel>(`${base()}/assessments`, { title: 'Wagner will redeploy' })).body
    snapshot = (await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'For review' })).body
  })

  it('holds the newest threads of a flood, says older ones were left out, and lists them again once threads are resolved', async () => {
    const written: ReviewComment[] = []
    for (let i = 0; i < WRITTEN; i++) {
      const body = `${String(i).padStart(4, '0')} ${'x'.repeat(LIMITS.longText - 5)}`
      const comment = await team.reviewer.post<ReviewComment>(`${snap()}/comments`, { assessmentId: assessment.id, body })
      expect(comment.status).toBe(201)
      written.push(comment.body)
    }
    // Oldest first as the server orders them: by time, then by id.
    written.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
    const newest = written.slice(-FITTING).map((comment) => comment.id)

    const open = await team.editor.get<OpenThread[]>(`${base()}/review/open-threads`)
    expect(open.status).toBe(200)
    expect(open.headers.get(THREADS_TRUNCATED_HEADER)).toBe('true')
    expect(open.body.map((thread) => thread.comments[0]!.id)).toEqual(newest)
    const review = await team.reviewer.get<SnapshotReview>(`${snap()}/review`)
    expect(review.headers.get(THREADS_TRUNCATED_HEADER)).toBe('true')
    expect(review.body.comments.map((comment) => comment.id)).toEqual(newest)

    // Resolved threads leave the open ones: the older threads fit again.
    for (const comment of written.slice(-10)) {
      expect((await team.editor.patch(`${snap()}/comments/${comment.id}`, { resolved: true })).status).toBe(200)
    }
    const after = await team.editor.get<OpenThread[]>(`${base()}/review/open-threads`)
    expect(after.headers.get(THREADS_TRUNCATED_HEADER)).toBeNull()
    expect(after.body.map((thread) => thread.comments[0]!.id)).toEqual(written.slice(0, -10).map((comment) => comment.id))
    // The snapshot's own review still holds its resolved threads, so it is still cut.
    expect((await team.reviewer.get(`${snap()}/review`)).headers.get(THREADS_TRUNCATED_HEADER)).toBe('true')
  })

  it('says nothing was left out when nothing was', async () => {
    const opened = await team.reviewer.post<ReviewComment>(`${snap()}/comments`, { assessmentId: assessment.id, body: 'Which source?' })
    await team.editor.post(`${snap()}/comments`, { parentId: opened.body.id, body: 'NATO, paragraph 2.' })
    const open = await team.editor.get<OpenThread[]>(`${base()}/review/open-threads`)
    expect(open.headers.get(THREADS_TRUNCATED_HEADER)).toBeNull()
    expect(open.body.map((thread) => thread.comments.map((comment) => comment.body))).toEqual([['Which source?', 'NATO, paragraph 2.']])
    const review = await team.reviewer.get<SnapshotReview>(`${snap()}/review`)
    expect(review.headers.get(THREADS_TRUNCATED_HEADER)).toBeNull()
    expect(review.body.comments).toHaveLength(2)
  })
})
