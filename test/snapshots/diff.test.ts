/**
 * The diff between two versions lists exactly the changes made between them:
 * items added, removed and changed, each changed field, and word-level diffs
 * of texts; either side may be a snapshot or the live board.
 */
import { expect, it } from 'vitest'
import type { TextEdit } from '../../shared/board-diff.ts'
import type { AssessmentModel, SourceModel } from '../../shared/board-model.ts'
import type { SnapshotSummary, VersionRef } from '../../shared/snapshot-model.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { useTeam } from './team.ts'

const postgresMissing = await missingServices('postgres')

type FieldChange = { field: string; from?: unknown; to?: unknown; words?: TextEdit[] }
type Changed<E> = { id: string; from: E; to: E; fields: FieldChange[] }
type Collection<E> = { added: E[]; removed: E[]; changed: Changed<E>[] }
type DiffResult = {
  from: VersionRef
  to: VersionRef
  empty: boolean
  diff: {
    meta: FieldChange[]
    sources: Collection<SourceModel>
    documents: Collection<unknown>
    claims: Collection<unknown>
    assessments: Collection<AssessmentModel>
    links: Collection<unknown>
  }
}

const NOTHING = { added: [], removed: [], changed: [] }

/** The text a word diff reads as on one side. */
const side = (words: TextEdit[], which: 'from' | 'to') =>
  words.filter((w) => w.change === 'kept' || w.change === (which === 'from' ? 'removed' : 'added')).map((w) => w.text).join('')

describeEachDialect(postgresMissing, 'diff on %s', (dialect) => {
  const team = useTeam(dialect)
  const base = () => `/api/boards/${team.boardId}`


  it('lists exactly the changes made between two snapshots, and between a snapshot and the live board', async () => {
    const { editor, reviewer } = team
    const kept = await editor.post<AssessmentModel>(`${base()}/assessments`, { title: 'Wagner forces will redeploy to Belarus', likelihood: 4 })
    const untouched = await editor.post<AssessmentModel>(`${base()}/assessments`, { title: 'Minsk will host them' })
    const doomed = await editor.post<AssessmentModel>(`${base()}/assessments`, { title: 'Moscow will object' })
    const v1 = await editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'v1' })

    await editor.patch(`${base()}/assessments/${kept.body.id}`, { title: 'Wagner forces will not redeploy to Belarus soon', likelihood: 2 })
    await editor.delete(`${base()}/assessments/${doomed.body.id}`)
    const added = await editor.post<AssessmentModel>(`${base()}/assessments`, { title: 'Vilnius will raise its alert level' })
    const source = await editor.post<SourceModel>(`${base()}/sources`, { name: 'Western intelligence', reliability: 'C' })
    await editor.patch(base(), { question: 'Will Wagner forces move west?' })
    const v2 = await editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'v2' })

    const response = await reviewer.get<DiffResult>(`${base()}/diff?from=${v1.body.id}&to=${v2.body.id}`)
    expect(response.status).toBe(200)
    const { diff, from, to, empty } = response.body
    expect(empty).toBe(false)
    expect(from).toEqual({ kind: 'snapshot', id: v1.body.id, label: 'v1', createdAt: v1.body.createdAt, asOf: null, contentHash: v1.body.contentHash })
    expect(to).toEqual({ kind: 'snapshot', id: v2.body.id, label: 'v2', createdAt: v2.body.createdAt, asOf: null, contentHash: v2.body.contentHash })

    expect(diff.meta.map((f) => f.field)).toEqual(['question'])
    expect(diff.meta[0]).toMatchObject({ from: '', to: 'Will Wagner forces move west?' })
    expect(diff.sources).toEqual({ added: [source.body], removed: [], changed: [] })
    expect(diff.assessments.added).toEqual([added.body])
    expect(diff.assessments.removed).toEqual([doomed.body])
    expect(diff.assessments.changed.map((c) => c.id)).toEqual([kept.body.id])
    const change = diff.assessments.changed[0]!
    expect(change.fields.map((f) => f.field).sort()).toEqual(['likelihood', 'title'])
    expect(change.fields.find((f) => f.field === 'likelihood')).toEqual({ field: 'likelihood', from: 4, to: 2 })
    const title = change.fields.find((f) => f.field === 'title')!
    expect(title).toMatchObject({ from: 'Wagner forces will redeploy to Belarus', to: 'Wagner forces will not redeploy to Belarus soon' })
    // jsdiff's word diff takes the whitespace of kept runs from the new text: the old one reads back word for word.
    expect(side(title.words!, 'from').trim()).toBe('Wagner forces will redeploy to Belarus')
    expect(side(title.words!, 'to')).toBe('Wagner forces will not redeploy to Belarus soon')
    expect(title.words!.filter((w) => w.change === 'added').map((w) => w.text.trim())).toEqual(['not', 'soon'])
    expect(title.words!.filter((w) => w.change === 'removed')).toEqual([])
    expect(JSON.stringify(diff)).not.toContain(untouched.body.id)
    for (const name of ['documents', 'claims', 'links'] as const) expect(diff[name]).toEqual(NOTHING)

    // The live board is v2's content, so comparing v1 with it gives the same changes.
    const live = await reviewer.get<DiffResult>(`${base()}/diff?from=${v1.body.id}&to=live`)
    expect(live.body.to).toMatchObject({ kind: 'live', contentHash: v2.body.contentHash })
    expect(live.body.diff).toEqual(diff)
    const byDefault = await reviewer.get<DiffResult>(`${base()}/diff?from=${v1.body.id}`)
    expect(byDefault.body.diff).toEqual(diff)

    // Backwards, what was added is removed and the other way round.
    const back = await reviewer.get<DiffResult>(`${base()}/diff?from=${v2.body.id}&to=${v1.body.id}`)
    expect(back.body.diff.assessments.added).toEqual([doomed.body])
    expect(back.body.diff.assessments.removed).toEqual([added.body])
    expect(back.body.diff.sources.removed).toEqual([source.body])

    const same = await reviewer.get<DiffResult>(`${base()}/diff?from=${v2.body.id}&to=live`)
    expect(same.body.empty).toBe(true)
    expect(same.body.diff.meta).toEqual([])
  })

  it('refuses a missing or unknown version with a clear message', async () => {
    const { editor, reviewer } = team
    const v1 = await editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'v1' })
    const missing = await reviewer.get<{ error: { message: string } }>(`${base()}/diff?to=live`)
    expect(missing.status).toBe(400)
    expect(missing.body.error.message).toContain('give from=<snapshot id> or from=live')
    const unknownFrom = await reviewer.get<{ error: { message: string } }>(`${base()}/diff?from=nope&to=live`)
    expect(unknownFrom.status).toBe(404)
    expect(unknownFrom.body.error.message).toBe('Snapshot nope not found on this board.')
    const unknownTo = await reviewer.get<{ error: { message: string } }>(`${base()}/diff?from=${v1.body.id}&to=nope`)
    expect(unknownTo.status).toBe(404)
    expect((await reviewer.get(`/api/boards/no-such-board/diff?from=live`)).status).toBe(404)
  })
})
