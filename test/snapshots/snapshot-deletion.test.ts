/**
 * An owner deletes snapshots nobody has reviewed, and a board holds at most
 * BOARD_SNAPSHOT_MAX_COUNT named snapshots and restore points, of at most
 * BOARD_SNAPSHOT_MAX_BYTES together: each stores the whole board again, and
 * without a bound one member's allowance (30 an hour of a board at its size
 * limit, up to 1 GiB an hour) would fill the disk.
 */
import { expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import type { ReviewComment, SnapshotSummary } from '../../shared/snapshot-model.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { useTeam } from './team.ts'

const postgresMissing = await missingServices('postgres')

type ErrorBody = { error: { code: string; message: string } }
type AuditEntry = { action: string; detail: Record<string, unknown> }

/** The smallest quota the setting takes; two snapshots of a board holding two longest judgments (2 × 20,000 characters) reach it. */
const QUOTA_BYTES = 65_536

describeEachDialect(postgresMissing, 'deleting snapshots on %s', (dialect) => {
  const team = useTeam(dialect)
  const base = () => `/api/boards/${team.boardId}`
  const snapshots = async () => (await team.reviewer.get<SnapshotSummary[]>(`${base()}/snapshots`)).body
  const make = async (label: string) => {
    const made = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label })
    expect(made.status).toBe(201)
    return made.body
  }

  it('an owner deletes one nobody reviewed: it is gone, the chain closes over it, and the audit log keeps it', async () => {
    await team.editor.post(`${base()}/assessments`, { title: 'Wagner will redeploy' })
    const first = await make('Draft 1')
    const second = await make('Draft 2')
    const third = await make('Draft 3')
    const path = `${base()}/snapshots/${second.id}`

    const asEditor = await team.editor.delete<ErrorBody>(path)
    expect(asEditor.status).toBe(403)
    expect(asEditor.body.error.message).toBe('This needs the owner role on this board; you are editor.')
    expect((await team.reviewer.delete(path)).status).toBe(403)
    expect((await team.outsider.delete(path)).status).toBe(404)
    expect((await team.anonymous.delete(path)).status).toBe(401)
    expect((await snapshots()).map((s) => s.id)).toEqual([third.id, second.id, first.id])

    expect((await team.owner.delete(path)).status).toBe(204)
    expect((await team.reviewer.get(path)).status).toBe(404)
    expect((await team.reviewer.get(`${path}/state`)).status).toBe(404)
    expect((await team.reviewer.get(`${base()}/export?format=md&snapshot=${second.id}`)).status).toBe(404)
    const left = await snapshots()
    expect(left.map((s) => s.id)).toEqual([third.id, first.id])
    expect(left[0]!.previousId).toBe(first.id)
    // What the snapshot was is kept in the audit log: its label and content hash.
    const audit = (await team.owner.get<AuditEntry[]>(`${base()}/audit`)).body
    expect(audit.find((entry) => entry.action === 'snapshot-deleted')?.detail).toMatchObject({
      snapshotId: second.id,
      label: 'Draft 2',
      kind: 'named',
      contentHash: second.contentHash,
    })

    const again = await team.owner.delete<ErrorBody>(path)
    expect(again.status).toBe(404)
    expect(again.body.error.message).toBe(`Snapshot ${second.id} not found on this board.`)
    // The live board is not touched.
    expect((await team.reviewer.get<BoardModel>(base())).body.assessments.map((a) => a.title)).toEqual(['Wagner will redeploy'])
  })

  it('keeps a snapshot with review data, with its review', async () => {
    const added = await team.editor.post<{ id: string }>(`${base()}/assessments`, { title: 'Wagner will redeploy' })
    const commented = await make('Commented')
    const signed = await make('Signed off')
    const comment = await team.reviewer.post<ReviewComment>(`${base()}/snapshots/${commented.id}/comments`, { assessmentId: added.body.id, body: 'Which source?' })
    expect(comment.status).toBe(201)
    expect((await team.reviewer.put(`${base()}/snapshots/${signed.id}/signoff`, { decision: 'approved' })).status).toBe(200)

    for (const snapshot of [commented, signed]) {
      const refused = await team.owner.delete<ErrorBody>(`${base()}/snapshots/${snapshot.id}`)
      expect(refused.status).toBe(409)
      expect(refused.body.error).toEqual({
        code: 'snapshot_reviewed',
        message: `Snapshot “\u2068${snapshot.label}\u2069” has review comments, verdicts or sign-offs: it is kept, with its review, and cannot be deleted.`,
      })
    }
    expect((await snapshots()).map((s) => s.id)).toEqual([signed.id, commented.id])
    expect((await team.reviewer.get<{ comments: ReviewComment[] }>(`${base()}/snapshots/${commented.id}/review`)).body.comments).toHaveLength(1)
  })

  it('is refused on an archived board', async () => {
    const made = await make('Before the archive')
    expect((await team.owner.post(`${base()}/archive`)).status).toBe(200)
    const refused = await team.owner.delete<ErrorBody>(`${base()}/snapshots/${made.id}`)
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('board_archived')
    expect((await snapshots()).map((s) => s.id)).toEqual([made.id])
  })
})

describeEachDialect(postgresMissing, 'the snapshot quota on %s', (dialect) => {
  // The three snapshots of a past time sent at once may all be made together: the share of history reads (two a person) is tested in test/history/history-reads.test.ts.
  const team = useTeam(dialect, { BOARD_SNAPSHOT_MAX_BYTES: String(QUOTA_BYTES), BOARD_SNAPSHOT_MAX_COUNT: '3', HISTORY_READS_PER_PERSON: '3' })
  const base = () => `/api/boards/${team.boardId}`
  const labels = async () => (await team.reviewer.get<SnapshotSummary[]>(`${base()}/snapshots`)).body.map((s) => s.label)

  it('refuses named snapshots and restores once they hold the quota, until an owner deletes some', async () => {
    for (const title of ['First long judgment', 'Second long judgment']) {
      expect((await team.editor.post(`${base()}/assessments`, { title, judgment: 'j'.repeat(LIMITS.longText) })).status).toBe(201)
    }
    const first = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Draft 1' })
    // Under the quota (about 40 KB of 64 KB), so the second is made, taking the board past it.
    const second = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Draft 2' })
    expect([first.status, second.status]).toEqual([201, 201])
    await team.editor.post(`${base()}/assessments`, { title: 'After the drafts' })

    const refused = await team.editor.post<ErrorBody>(`${base()}/snapshots`, { label: 'Draft 3' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('snapshot_quota')
    expect(refused.body.error.message).toMatch(
      /^This board's named snapshots and restore points hold \d+ KB, its limit of 64 KB \(BOARD_SNAPSHOT_MAX_BYTES\): nothing was made\. An owner can delete snapshots nobody has reviewed/,
    )
    // A restore keeps the board as it was as a restore point: refused too, and the board is unchanged.
    const restore = await team.owner.post<ErrorBody>(`${base()}/snapshots/${first.body.id}/restore`)
    expect(restore.status).toBe(409)
    expect(restore.body.error.code).toBe('snapshot_quota')
    expect((await team.reviewer.get<BoardModel>(base())).body.assessments).toHaveLength(3)
    expect(await labels()).toEqual(['Draft 2', 'Draft 1'])

    expect((await team.owner.delete(`${base()}/snapshots/${first.body.id}`)).status).toBe(204)
    expect((await team.editor.post(`${base()}/snapshots`, { label: 'Draft 3' })).status).toBe(201)
    expect((await team.editor.post(`${base()}/snapshots`, { label: 'Draft 4' })).status).toBe(409)
  })

  it('refuses named snapshots and restores once the board holds their number, restore points counted', async () => {
    await team.editor.post(`${base()}/assessments`, { title: 'Wagner will redeploy' })
    const first = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Draft 1' })
    expect((await team.editor.post(`${base()}/snapshots`, { label: 'Draft 2' })).status).toBe(201)
    await team.editor.post(`${base()}/assessments`, { title: 'After the drafts' })
    const restored = await team.owner.post<{ before: SnapshotSummary }>(`${base()}/snapshots/${first.body.id}/restore`)
    expect(restored.status).toBe(200)

    const refused = await team.editor.post<ErrorBody>(`${base()}/snapshots`, { label: 'Draft 3' })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toEqual({
      code: 'snapshot_quota',
      message:
        'This board holds 3 named snapshots and restore points, its limit (BOARD_SNAPSHOT_MAX_COUNT): nothing was made. An owner can delete snapshots nobody has reviewed, from the snapshot’s page, to make room.',
    })
    expect((await team.owner.post<ErrorBody>(`${base()}/snapshots/${first.body.id}/restore`)).body.error.code).toBe('snapshot_quota')
    expect(await labels()).toEqual(['Before restore of Draft 1', 'Draft 2', 'Draft 1'])

    expect((await team.owner.delete(`${base()}/snapshots/${restored.body.before.id}`)).status).toBe(204)
    expect((await team.editor.post(`${base()}/snapshots`, { label: 'Draft 3' })).status).toBe(201)
  })

  it('holds the quota against requests sent at once: those in flight count as made until they are', async () => {
    await team.editor.post(`${base()}/assessments`, { title: 'Wagner will redeploy' })
    const before = new Date().toISOString()
    // Six at once, half of them of the board as it was a moment ago (captured in a worker thread: the slowest way in).
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => team.editor.post<SnapshotSummary | ErrorBody>(`${base()}/snapshots`, { label: `Draft ${i}`, ...(i % 2 ? { asOf: before } : {}) })),
    )
    const statuses = made.map((response) => response.status).sort()
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409])
    expect(await labels()).toHaveLength(3)
  })
})
