/**
 * One person stores at most SNAPSHOT_BYTES_PER_HOUR_PER_PERSON of named
 * snapshots and restore points an hour, over every board they can edit: each
 * stores the whole board again, and a board's own quota bounded one board, so
 * an editor snapshotting 14 MB boards of their own stored some 1 GiB an hour.
 * A named snapshot of content the newest snapshot already holds is made (a
 * reviewer names the state they review) and charged, as it stores the bytes.
 */
import { expect, it } from 'vitest'
import { LIMITS } from '../../shared/limits.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { useTeam, type Team } from './team.ts'

const postgresMissing = await missingServices('postgres')

type ErrorBody = { error: { code: string; message: string } }

/** The smallest allowance the setting takes; a board holding two longest judgments (2 × 20,000 characters) is some 40 KB a snapshot, so one fits and the next does not. */
const ALLOWANCE_BYTES = 65_536

const memberUsage = (team: Team) => team.server.services.storage.snapshots.usage(team.boardId, ['named', 'restore'])

describeEachDialect(postgresMissing, 'the bytes of snapshots one person stores on %s', (dialect) => {
  const team = useTeam(dialect, { SNAPSHOT_BYTES_PER_HOUR_PER_PERSON: String(ALLOWANCE_BYTES) })
  const base = () => `/api/boards/${team.boardId}`

  it('refuses the named snapshot and the restore past them, storing nothing, while another member still snapshots', async () => {
    for (const title of ['First long judgment', 'Second long judgment']) {
      expect((await team.editor.post(`${base()}/assessments`, { title, judgment: 'j'.repeat(LIMITS.longText) })).status).toBe(201)
    }
    const first = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Draft 1' })
    expect(first.status).toBe(201)
    const stored = await memberUsage(team)
    expect(stored.count).toBe(1)
    expect(stored.bytes).toBeGreaterThan(ALLOWANCE_BYTES / 2)

    // The same content again: it would store the same bytes again, so it is charged as any other.
    const refused = await team.editor.post<ErrorBody>(`${base()}/snapshots`, { label: 'Draft 1 again' })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('snapshot_bytes_spent')
    expect(refused.body.error.message).toMatch(
      /^This would store \d+ KB of snapshot, more than you may still store this hour \(64 KB of named snapshots and restore points an hour, SNAPSHOT_BYTES_PER_HOUR_PER_PERSON\): nothing was stored\. Try again in \d+ s\.$/,
    )
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await memberUsage(team)).toEqual(stored)

    // Another member has bytes of their own: the owner names the unchanged board, which is made, with the same content hash.
    const owners = await team.owner.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Reviewed state' })
    expect(owners.status).toBe(201)
    expect(owners.body.contentHash).toBe(first.body.contentHash)
    const afterOwners = await memberUsage(team)
    expect(afterOwners.count).toBe(2)

    // The owner has spent theirs too: a restore would keep a restore point of the whole board, and is refused before it changes anything.
    await team.editor.post(`${base()}/assessments`, { title: 'After the drafts' })
    const restore = await team.owner.post<ErrorBody>(`${base()}/snapshots/${first.body.id}/restore`)
    expect(restore.status).toBe(429)
    expect(restore.body.error.code).toBe('snapshot_bytes_spent')
    expect(await memberUsage(team)).toEqual(afterOwners)
    expect((await team.reviewer.get<{ assessments: unknown[] }>(base())).body.assessments).toHaveLength(3)
  })
})
