/**
 * Review: a reviewer reads a snapshot, comments on its assessments in threads
 * the analysts answer and resolve, gives verdicts and signs the snapshot off,
 * and the analysts see open threads beside the live board's assessments. A
 * reviewer cannot change the board or make snapshots, over HTTP or websocket.
 */
import { beforeEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import type { AssessmentModel, BoardModel } from '../../shared/board-model.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import type { OpenThread, ReviewComment, ReviewSignoff, ReviewVerdictRecord, SnapshotReview, SnapshotSummary } from '../../shared/snapshot-model.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { useTeam } from './team.ts'

const postgresMissing = await missingServices('postgres')

type ErrorBody = { error: { code: string; message: string } }

describeEachDialect(postgresMissing, 'review on %s', (dialect) => {
  const team = useTeam(dialect)
  let first: AssessmentModel
  let second: AssessmentModel
  let snapshot: SnapshotSummary
  const base = () => `/api/boards/${team.boardId}`
  const snap = () => `${base()}/snapshots/${snapshot.id}`

  beforeEach(async () => {
    first = (await team.editor.post<AssessmentModel>(`${base()}/assessments`, { title: 'Wagner will redeploy' })).body
    second = (await team.editor.post<AssessmentModel>(`${base()}/assessments`, { title: 'Minsk will host them' })).body
    snapshot = (await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'For review' })).body
  })

  it('a reviewer comments, gives verdicts and signs off; analysts reply, see open threads on the live board and resolve them', async () => {
    const { reviewer, editor } = team
    expect((await reviewer.get<BoardModel>(snap())).body.assessments.map((a) => a.id)).toEqual([first.id, second.id])

    const opened = await reviewer.post<ReviewComment>(`${snap()}/comments`, { assessmentId: first.id, body: 'What is the source for "weeks"?' })
    expect(opened.status).toBe(201)
    expect(opened.body).toMatchObject({
      snapshotId: snapshot.id,
      boardId: team.boardId,
      assessmentId: first.id,
      parentId: null,
      authorId: reviewer.account.id,
      authorName: 'Rita Reviewer',
      resolvedAt: null,
    })
    const reply = await editor.post<ReviewComment>(`${snap()}/comments`, { parentId: opened.body.id, body: 'NATO, paragraph 2.' })
    expect(reply.body).toMatchObject({ parentId: opened.body.id, assessmentId: first.id, authorName: 'Edgar Editor' })
    // A reply to a reply joins the same thread.
    const nested = await reviewer.post<ReviewComment>(`${snap()}/comments`, { parentId: reply.body.id, body: 'Thanks, cite it on the card.' })
    expect(nested.body.parentId).toBe(opened.body.id)
    const other = await reviewer.post<ReviewComment>(`${snap()}/comments`, { assessmentId: second.id, body: 'Agreed, no comment.' })

    // The analyst sees the open threads beside the assessments of the live board, which has moved on.
    await editor.patch(`${base()}/assessments/${first.id}`, { judgment: 'Within weeks, says NATO.' })
    const open = await editor.get<OpenThread[]>(`${base()}/review/open-threads`)
    expect(open.status).toBe(200)
    expect(open.body.map((t) => [t.assessmentId, t.comments.map((c) => c.body)])).toEqual([
      [first.id, ['What is the source for "weeks"?', 'NATO, paragraph 2.', 'Thanks, cite it on the card.']],
      [second.id, ['Agreed, no comment.']],
    ])
    expect(open.body[0]!.snapshot).toEqual({ id: snapshot.id, label: 'For review', createdAt: snapshot.createdAt })

    // Resolving from any comment of a thread resolves the thread.
    const resolved = await editor.patch<ReviewComment>(`${snap()}/comments/${reply.body.id}`, { resolved: true })
    expect(resolved.status).toBe(200)
    expect(resolved.body).toMatchObject({ id: opened.body.id, resolvedBy: 'Edgar Editor' })
    expect(resolved.body.resolvedAt).not.toBeNull()
    expect((await editor.get<OpenThread[]>(`${base()}/review/open-threads`)).body.map((t) => t.comments[0]!.id)).toEqual([other.body.id])
    const reopened = await reviewer.patch<ReviewComment>(`${snap()}/comments/${opened.body.id}`, { resolved: false })
    expect(reopened.body).toMatchObject({ resolvedAt: null, resolvedBy: null })
    expect((await editor.get<OpenThread[]>(`${base()}/review/open-threads`)).body).toHaveLength(2)

    // Verdicts: one per reviewer and assessment, the latest counts; it can be withdrawn.
    const verdict = await reviewer.put<ReviewVerdictRecord>(`${snap()}/verdicts/${first.id}`, { verdict: 'disagree' })
    expect(verdict.status).toBe(200)
    await reviewer.put(`${snap()}/verdicts/${first.id}`, { verdict: 'strongly-agree' })
    await reviewer.put(`${snap()}/verdicts/${second.id}`, { verdict: 'neutral' })
    expect((await reviewer.delete(`${snap()}/verdicts/${second.id}`)).status).toBe(204)
    expect((await reviewer.delete(`${snap()}/verdicts/${second.id}`)).status).toBe(404)

    // Sign-off: the latest decision of each reviewer.
    await reviewer.put(`${snap()}/signoff`, { decision: 'changes-requested', note: 'Cite NATO on the card.' })
    const signoff = await reviewer.put<ReviewSignoff>(`${snap()}/signoff`, { decision: 'approved' })
    expect(signoff.status).toBe(200)

    const review = await editor.get<SnapshotReview>(`${snap()}/review`)
    expect(review.status).toBe(200)
    expect(review.body.snapshot).toEqual(snapshot)
    expect(review.body.comments.map((c) => c.id)).toEqual([opened.body.id, reply.body.id, nested.body.id, other.body.id])
    expect(review.body.verdicts.map((v) => [v.assessmentId, v.reviewerName, v.verdict])).toEqual([[first.id, 'Rita Reviewer', 'strongly-agree']])
    expect(review.body.signoffs.map((s) => [s.reviewerId, s.decision, s.note])).toEqual([[reviewer.account.id, 'approved', '']])

    // Review data lives in the database: it outlives the server process.
    await team.restart()
    expect((await team.editor.get<SnapshotReview>(`${snap()}/review`)).body).toEqual(review.body)
  })

  it('a reviewer cannot edit the board or make snapshots, over HTTP or the websocket', async () => {
    const { reviewer, editor } = team
    const refused = [
      await reviewer.post(`${base()}/snapshots`, { label: 'Mine' }),
      await reviewer.patch(base(), { title: 'Renamed by the reviewer' }),
      await reviewer.post(`${base()}/assessments`, { title: 'Added by the reviewer' }),
      await reviewer.patch(`${base()}/assessments/${first.id}`, { title: 'Changed by the reviewer' }),
      await reviewer.delete(`${base()}/assessments/${second.id}`),
      await reviewer.post(`${snap()}/restore`),
    ]
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403])
    expect((refused[0]!.body as ErrorBody).error.message).toBe('This needs the editor role on this board; you are reviewer.')

    const reviewerClient = team.connect(reviewer)
    const analyst = team.connect(editor)
    await Promise.all([reviewerClient.synced(), analyst.synced()])
    addAssessment(reviewerClient.doc, { title: 'Typed by the reviewer' })
    addAssessment(analyst.doc, { title: 'Typed by the analyst' })
    const titles = (model: BoardModel) => model.assessments.map((a) => a.title)
    await waitFor(() => titles(boardToModel(reviewerClient.doc, team.boardId)).includes('Typed by the analyst'), 'the reviewer to see the analyst')
    await waitFor(async () => titles((await editor.get<BoardModel>(base())).body).includes('Typed by the analyst'), 'the analyst edit to be stored')
    const live = (await editor.get<BoardModel>(base())).body
    expect(titles(live)).toEqual(['Wagner will redeploy', 'Minsk will host them', 'Typed by the analyst'])
    expect(titles(boardToModel(analyst.doc, team.boardId))).not.toContain('Typed by the reviewer')
    expect(live.title).toBe('Wagner redeployment')
    expect((await reviewer.get<SnapshotSummary[]>(`${base()}/snapshots`)).body.map((s) => s.label)).toEqual(['For review'])

    // What a reviewer may do, they can.
    expect((await reviewer.post(`${snap()}/comments`, { assessmentId: first.id, body: 'Fine.' })).status).toBe(201)
    expect((await reviewer.put(`${snap()}/signoff`, { decision: 'approved' })).status).toBe(200)
    expect((await reviewer.get(`${base()}/diff?from=${snapshot.id}&to=live`)).status).toBe(200)
  })

  it('people who are not members see nothing, and bad review entries are refused with a clear message', async () => {
    const { reviewer, outsider, anonymous } = team
    expect((await outsider.get(`${snap()}/review`)).status).toBe(404)
    expect((await outsider.post(`${snap()}/comments`, { assessmentId: first.id, body: 'Hello' })).status).toBe(404)
    expect((await outsider.get(`${base()}/review/open-threads`)).status).toBe(404)
    expect((await anonymous.get(`${snap()}/review`)).status).toBe(401)

    const expectRefusal = async (response: Promise<{ status: number; body: unknown }>, status: number, message: RegExp) => {
      const { status: got, body } = await response
      expect(got).toBe(status)
      expect((body as ErrorBody).error.message).toMatch(message)
    }
    await expectRefusal(reviewer.post(`${snap()}/comments`, { assessmentId: 'nope', body: 'Hi' }), 400, /assessmentId: no assessment nope in this snapshot/)
    await expectRefusal(reviewer.post(`${snap()}/comments`, { body: 'Hi' }), 400, /give assessmentId to start a thread, or parentId to reply/)
    await expectRefusal(reviewer.post(`${snap()}/comments`, { assessmentId: first.id, body: '  ' }), 400, /body/)
    await expectRefusal(reviewer.post(`${snap()}/comments`, { parentId: 'nope', body: 'Hi' }), 400, /parentId: no comment nope on this snapshot/)
    const root = await reviewer.post<ReviewComment>(`${snap()}/comments`, { assessmentId: first.id, body: 'Root' })
    await expectRefusal(
      reviewer.post(`${snap()}/comments`, { parentId: root.body.id, assessmentId: second.id, body: 'Hi' }),
      400,
      /assessmentId: the comment replied to is on assessment/,
    )
    await expectRefusal(reviewer.patch(`${snap()}/comments/nope`, { resolved: true }), 404, /Comment nope not found/)
    await expectRefusal(reviewer.put(`${snap()}/verdicts/${first.id}`, { verdict: 'meh' }), 400, /verdict/)
    await expectRefusal(reviewer.put(`${snap()}/verdicts/nope`, { verdict: 'agree' }), 404, /Assessment nope is not in snapshot/)
    await expectRefusal(reviewer.put(`${snap()}/signoff`, { decision: 'maybe' }), 400, /decision/)
    await expectRefusal(reviewer.get(`${base()}/snapshots/nope/review`), 404, /Snapshot nope not found/)

    // An assessment added after the snapshot is not in it, so it cannot be reviewed there.
    const later = await team.editor.post<AssessmentModel>(`${base()}/assessments`, { title: 'Added later' })
    await expectRefusal(reviewer.post(`${snap()}/comments`, { assessmentId: later.body.id, body: 'Hi' }), 400, /no assessment/)
  })
})
