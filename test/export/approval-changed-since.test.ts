/**
 * An approval covers the snapshot signed off, not the board as it is later:
 * through the real server, the board's review status (the header's and the
 * board list's) says whether the board has changed since the approved
 * snapshot, and a briefing of the live board, in every format, names that
 * approval as of the snapshot and says whether it covers what it holds.
 */
import { describe, expect, it } from 'vitest'
import { withoutIsolates } from '../../shared/bidi.ts'
import type { BoardListing } from '../../shared/board-listing.ts'
import type { BoardReview } from '../../shared/review-status.ts'
import { addToken } from '../helpers/accounts.ts'
import { BRIEFING_FORMATS, readerText } from '../helpers/briefing-text.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'

describe('an approval, once the board changed since', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Wagner in Belarus', env: { METRICS_TOKEN } })
  /** How many times the server has rebuilt a stored board to hash it (or to snapshot it). */
  const captures = async () => sample(await metricsText(board.server), 'assay_worker_job_duration_seconds_count', { job: 'capture-board', outcome: 'done' }) ?? 0

  const briefings = async (): Promise<Record<string, string>> => {
    const authorization = `Bearer ${(await addToken(board.server, board.owner)).token}`
    const texts: Record<string, string> = {}
    for (const format of BRIEFING_FORMATS) {
      const answer = await fetch(`${board.server.url}/api/boards/${board.boardId}/export?format=${format}`, { headers: { authorization } })
      expect(answer.status, format).toBe(200)
      texts[format] = withoutIsolates(readerText(format, new Uint8Array(await answer.arrayBuffer())))
    }
    return texts
  }
  const reviewStatus = async () => {
    const status = await board.api.get<BoardReview>(`/api/boards/${board.boardId}/review/status`)
    const listed = await board.api.get<BoardListing[]>('/api/boards')
    return { header: status.body.latest, list: listed.body.find((b) => b.id === board.boardId)!.review }
  }

  it('says the approval covers the snapshot, and that the board changed since, in the review status and every briefing format', async () => {
    const boardPath = `/api/boards/${board.boardId}`
    const assessment = await board.api.post<{ id: string }>(`${boardPath}/assessments`, { title: 'Wagner settles in Belarus', kind: 'key-judgment' })
    const snapshot = await board.api.post<{ id: string }>(`${boardPath}/snapshots`, { label: 'Draft 2' })
    expect(snapshot.status).toBe(201)
    expect((await board.api.put(`${boardPath}/snapshots/${snapshot.body.id}/signoff`, { decision: 'approved' })).status).toBe(200)

    const capturedBefore = await captures()
    const unchanged = await reviewStatus()
    // The header's poll and the list share one working-out of the live board's hash while its log stays as it was.
    expect((await reviewStatus()).header).toEqual(unchanged.header)
    expect((await captures()) - capturedBefore).toBe(1)
    for (const review of [unchanged.header, unchanged.list]) expect(review).toMatchObject({ status: 'approved', snapshotLabel: 'Draft 2', changedSince: false })
    for (const [format, text] of Object.entries(await briefings())) {
      expect(text, format).toContain('Not reviewed: the live board, not a snapshot reviewers have signed off. The latest review, of snapshot “Draft 2”')
      expect(text, format).toContain('Approved by Olga Owner. The board is unchanged since: this is that snapshot’s content.')
    }

    expect((await board.api.patch(`${boardPath}/assessments/${assessment.body.id}`, { title: 'Wagner leaves Belarus' })).status).toBe(200)
    const changed = await reviewStatus()
    for (const review of [changed.header, changed.list]) expect(review).toMatchObject({ status: 'approved', snapshotLabel: 'Draft 2', changedSince: true })
    for (const [format, text] of Object.entries(await briefings())) {
      expect(text, format).toContain('Approved by Olga Owner. The board has changed since: that review does not cover this briefing.')
      expect(text, format).not.toContain('unchanged since')
    }

    // Taken back to the approved content, the board is that snapshot's again.
    expect((await board.api.patch(`${boardPath}/assessments/${assessment.body.id}`, { title: 'Wagner settles in Belarus' })).status).toBe(200)
    const back = await reviewStatus()
    for (const review of [back.header, back.list]) expect(review).toMatchObject({ changedSince: false })
  })
})
