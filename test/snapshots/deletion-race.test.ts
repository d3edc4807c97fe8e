/**
 * An owner deletes a snapshot while a reviewer writes a review on it. Only a
 * snapshot nobody reviewed may be deleted, so exactly one of the two wins: the
 * deletion (204, and the review then finds no snapshot: 404) or the review
 * (and the deletion is refused: 409). On PostgreSQL the check for reviews and
 * the delete were not serialized against a review's insert, so a review
 * accepted in between was deleted with its snapshot.
 */
import { expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { useTeam } from './team.ts'

const postgresMissing = await missingServices('postgres')

/** Snapshots raced over; each is deleted and reviewed at once. */
const PAIRS = 60
/** Pairs sent together, so the server has several transactions going at once without the machine's two cores queuing them all. */
const ROUND = 10

describeEachDialect(postgresMissing, 'deleting a snapshot while it is reviewed on %s', (dialect) => {
  // The reviewer's reviews of a round all load their snapshot in a worker at once: more than a person's default jobs.
  const team = useTeam(dialect, {
    SNAPSHOTS_PER_HOUR_PER_PERSON: String(PAIRS),
    COMMENTS_PER_HOUR_PER_PERSON: String(PAIRS),
    WORKER_JOBS_PER_PERSON: String(2 * ROUND),
    HTTP_ANSWERS_IN_FLIGHT_PER_PERSON: String(4 * ROUND),
  })
  const base = () => `/api/boards/${team.boardId}`

  it('either the deletion or the review wins, never both and never a 500', { timeout: 120_000 }, async () => {
    const added = await team.editor.post<{ id: string }>(`${base()}/assessments`, { title: 'Wagner will redeploy' })
    expect(added.status).toBe(201)
    const made: SnapshotSummary[] = []
    for (let i = 0; i < PAIRS; i++) {
      const snapshot = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: `Draft ${i}` })
      expect(snapshot.status).toBe(201)
      made.push(snapshot.body)
    }
    // A sign-off and a comment: an upsert and a plain insert, each checked against the snapshot by its foreign key.
    const review = (snapshotId: string, i: number) =>
      i % 2 === 0
        ? team.reviewer.put(`${base()}/snapshots/${snapshotId}/signoff`, { decision: 'approved' })
        : team.reviewer.post(`${base()}/snapshots/${snapshotId}/comments`, { assessmentId: added.body.id, body: 'Which source?' })
    const outcomes: { snapshotId: string; deletion: number; review: number }[] = []
    for (let start = 0; start < PAIRS; start += ROUND) {
      const round = made.slice(start, start + ROUND)
      outcomes.push(
        ...(await Promise.all(
          round.map(async (snapshot, offset) => {
            const [deletion, reviewed] = await Promise.all([team.owner.delete(`${base()}/snapshots/${snapshot.id}`), review(snapshot.id, start + offset)])
            return { snapshotId: snapshot.id, deletion: deletion.status, review: reviewed.status }
          }),
        )),
      )
    }

    const kept = new Set((await team.reviewer.get<SnapshotSummary[]>(`${base()}/snapshots`)).body.map((s) => s.id))
    for (const outcome of outcomes) {
      expect([204, 409], JSON.stringify(outcome)).toContain(outcome.deletion)
      expect([200, 201, 404], JSON.stringify(outcome)).toContain(outcome.review)
      const reviewAccepted = outcome.review !== 404
      // The review and the deletion each answered what happened: the snapshot stays exactly when the review was accepted.
      expect({ ...outcome, kept: kept.has(outcome.snapshotId) }).toEqual({ ...outcome, deletion: reviewAccepted ? 409 : 204, kept: reviewAccepted })
      if (reviewAccepted) {
        const stored = await team.reviewer.get<{ comments: unknown[]; signoffs: unknown[] }>(`${base()}/snapshots/${outcome.snapshotId}/review`)
        expect(stored.body.comments.length + stored.body.signoffs.length).toBe(1)
      }
    }
  })
})
