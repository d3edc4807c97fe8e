/** Review of snapshots: status codes and validation through the real app (no server, no socket). */
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()
let snapshotId: string
let assessmentId: string

beforeAll(async () => {
  const { board } = given
  assessmentId = (await board.editor.post<{ id: string }>(`/api/boards/${board.id}/assessments`, { title: 'Route is open' })).body.id
  snapshotId = (await board.editor.post<{ id: string }>(`/api/boards/${board.id}/snapshots`, { label: 'For review' })).body.id
})

describe('the review API', () => {
  it('a reviewer comments, gives a verdict and signs off; the review lists them', async () => {
    const base = `/api/boards/${given.board.id}/snapshots/${snapshotId}`
    const comment = await given.board.reviewer.post<{ id: string }>(`${base}/comments`, { assessmentId, body: 'Source?' })
    expect(comment.status).toBe(201)
    expect((await given.board.reviewer.patch(`${base}/comments/${comment.body.id}`, { resolved: true })).status).toBe(200)
    expect((await given.board.reviewer.put(`${base}/verdicts/${assessmentId}`, { verdict: 'agree' })).status).toBe(200)
    expect((await given.board.reviewer.put(`${base}/signoff`, { decision: 'approved' })).status).toBe(200)
    const review = await given.board.owner.get<{ comments: unknown[]; verdicts: unknown[]; signoffs: unknown[] }>(`${base}/review`)
    expect(review.status).toBe(200)
    expect([review.body.comments.length, review.body.verdicts.length, review.body.signoffs.length]).toEqual([1, 1, 1])
    expect((await given.board.reviewer.delete(`${base}/verdicts/${assessmentId}`)).status).toBe(204)
    expect((await given.board.reviewer.delete(`${base}/verdicts/${assessmentId}`)).status).toBe(404)
  })

  it('refuses empty bodies, unknown verdicts and decisions with 400; unknown snapshots, comments and assessments are 404', async () => {
    const base = `/api/boards/${given.board.id}/snapshots/${snapshotId}`
    expect((await given.board.reviewer.post(`${base}/comments`, { assessmentId, body: '' })).status).toBe(400)
    expect((await given.board.reviewer.put(`${base}/verdicts/${assessmentId}`, { verdict: 'maybe' })).status).toBe(400)
    expect((await given.board.reviewer.put(`${base}/signoff`, { decision: 'perhaps' })).status).toBe(400)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/snapshots/nothing/review`)).status).toBe(404)
    expect((await given.board.reviewer.patch(`${base}/comments/nothing`, { resolved: true })).status).toBe(404)
    expect((await given.board.reviewer.put(`${base}/verdicts/nothing`, { verdict: 'agree' })).status).toBe(404)
    expect((await given.board.stranger.get(`${base}/review`)).status).toBe(404)
  })

  it('lists the open threads of the live board', async () => {
    const threads = await given.board.reviewer.get<unknown[]>(`/api/boards/${given.board.id}/review/open-threads`)
    expect(threads.status).toBe(200)
    expect(Array.isArray(threads.body)).toBe(true)
  })
})
