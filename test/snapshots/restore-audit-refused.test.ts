/**
 * A restore is committed with its audit entry in one transaction, on a real
 * server and both dialects, with a member on the board through the stock
 * WebsocketProvider. Storage refusing the `restore` entry (a trigger of the
 * test's own, failing as a full disk would) leaves the board as it was, as
 * stored and as the member sees it: the owner gets an error saying so, no
 * entry is written, no restore point is left among the board's snapshots
 * (it is stored before the restore's transaction), and the member's next edit is stored (her client
 * reconnects to the board loaded again, as after any change that could not be
 * committed). Once storage takes it, the same restore is made and recorded.
 */
import { expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import type { RestoreResult, SnapshotSummary } from '../../shared/snapshot-model.ts'
import { refuseAuditEntries } from '../helpers/refused-writes.ts'
import { rowCount } from '../helpers/server-database.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { useTeam } from './team.ts'

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'a restore refused at its audit entry on %s', (dialect) => {
  const team = useTeam(dialect)
  /** PostgreSQL's disk full is storage trouble (503); a SQLite trigger fails as a constraint (500). */
  const refusedStatus = dialect === 'postgres' ? 503 : 500

  it('leaves the board as it was for everyone and records nothing, no restore point left behind; once storage takes it, the restore is made and recorded with its point', async () => {
    const base = `/api/boards/${team.boardId}`
    const sorted = (titles: string[]) => [...titles].sort()
    const storedTitles = async () => sorted((await team.reviewer.get<BoardModel>(base)).body.assessments.map((assessment) => assessment.title))
    const restoreEntries = () => rowCount(team.server, 'audit_log', { column: 'action', value: 'restore' })
    const snapshotLabels = async () => (await team.reviewer.get<SnapshotSummary[]>(`${base}/snapshots`)).body.map((snapshot) => snapshot.label).sort()
    const restorePoints = () => rowCount(team.server, 'snapshots', { column: 'kind', value: 'restore' })
    const analyst = team.connect(team.editor)
    await analyst.synced()
    const titlesSeen = () => sorted(boardToModel(analyst.doc, team.boardId).assessments.map((assessment) => assessment.title))

    addAssessment(analyst.doc, { title: 'In the snapshot' })
    await waitFor(async () => (await storedTitles()).includes('In the snapshot'), 'the first card to be stored')
    const made = await team.editor.post<SnapshotSummary>(`${base}/snapshots`, { label: 'Before the rewrite' })
    expect(made.status).toBe(201)
    addAssessment(analyst.doc, { title: 'Written since' })
    await waitFor(async () => (await storedTitles()).includes('Written since'), 'the second card to be stored')
    const restore = () => team.owner.post<RestoreResult & { error: { message: string } }>(`${base}/snapshots/${made.body.id}/restore`)

    const allow = await refuseAuditEntries(team.server, 'restore')
    const refused = await restore()
    expect(refused.status).toBe(refusedStatus)
    expect(refused.body.error.message).not.toBe('')
    expect({ stored: await storedTitles(), entries: await restoreEntries() }).toEqual({ stored: ['In the snapshot', 'Written since'], entries: 0 })
    const labelsBefore = ['Before the rewrite']
    expect({ labels: await snapshotLabels(), points: await restorePoints() }).toEqual({ labels: labelsBefore, points: 0 })

    addAssessment(analyst.doc, { title: 'Written after the refusal' })
    await waitFor(async () => (await storedTitles()).includes('Written after the refusal'), 'the member’s next card to be stored')
    const unrestored = ['In the snapshot', 'Written after the refusal', 'Written since']
    expect(await storedTitles()).toEqual(unrestored)
    expect(titlesSeen()).toEqual(unrestored)
    await allow()

    const restored = await restore()
    expect({ status: restored.status, changed: restored.body.changed }).toEqual({ status: 200, changed: true })
    expect({ stored: await storedTitles(), entries: await restoreEntries() }).toEqual({ stored: ['In the snapshot'], entries: 1 })
    // The restore made keeps its one point.
    expect({ labels: await snapshotLabels(), points: await restorePoints() }).toEqual({ labels: ['Before restore of Before the rewrite', ...labelsBefore], points: 1 })
    await waitFor(() => titlesSeen().length === 1, 'the member to see the restore')
  })
})
