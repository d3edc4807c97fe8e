/**
 * Restore makes the live board equal to a snapshot's content, as one change
 * that everyone connected sees at once; the state it replaced is kept as a
 * snapshot of its own, and nothing already recorded is changed.
 */
import { expect, it } from 'vitest'
import { boardToModel, documentText } from '../../shared/board-convert.ts'
import { entity } from '../../shared/board-doc.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAssessment, addClaim, addDocument, addSource, deleteDocument, updateAssessment } from '../../shared/board-mutations.ts'
import type { RestoreResult, SnapshotSummary } from '../../shared/snapshot-model.ts'
import { boardContentHash } from '../../server/snapshots/content-hash.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { waitFor } from '../helpers/wait-for.ts'
import type { TestClient } from '../helpers/yjs-client.ts'
import { useTeam } from './team.ts'

const postgresMissing = await missingServices('postgres')

const ARTICLE = 'Wagner units were seen near Vilnius. [citation: NATO]\n\nA second paragraph.'

describeEachDialect(postgresMissing, 'restore on %s', (dialect) => {
  const team = useTeam(dialect)
  const base = () => `/api/boards/${team.boardId}`
  const model = (client: TestClient) => boardToModel(client.doc, team.boardId)
  const liveBoard = async () => (await team.reviewer.get<BoardModel>(base())).body


  it('makes the board equal to the snapshot for everyone connected, keeping what it replaced', async () => {
    const analyst = team.connect(team.editor)
    const owner = team.connect(team.owner)
    await Promise.all([analyst.synced(), owner.synced()])
    const doc = analyst.doc
    const sourceId = addSource(doc, { name: 'NATO', reliability: 'B' })
    const documentId = addDocument(doc, { title: 'Wire report', text: ARTICLE, hash: 'fnv1a64:0123456789abcdef' })
    addClaim(doc, { text: 'Wagner units were seen near Vilnius.', sourceId, documentId, paragraph: 0, start: 0, end: 36 })
    const judgment = addAssessment(doc, { title: 'Wagner will redeploy', judgment: 'Within weeks.', likelihood: 5 })
    await waitFor(async () => (await liveBoard()).claims.length === 1 && (await liveBoard()).assessments.length === 1, 'the first content to be stored')
    const made = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Before the rewrite' })
    const snapshot = (await team.reviewer.get<BoardModel>(`${base()}/snapshots/${made.body.id}`)).body

    deleteDocument(doc, documentId)
    updateAssessment(doc, judgment, { title: 'Wagner will stay put', judgment: 'For the winter at least.', likelihood: 2 })
    addAssessment(doc, { title: 'A new hypothesis', kind: 'hypothesis' })
    await waitFor(async () => (await liveBoard()).assessments.length === 2 && (await liveBoard()).documents.length === 0, 'the rewrite to be stored')
    const rewritten = await liveBoard()

    const restored = await team.owner.post<RestoreResult>(`${base()}/snapshots/${made.body.id}/restore`)
    expect(restored.status).toBe(200)
    expect(restored.body.changed).toBe(true)
    expect(restored.body.before).toMatchObject({ kind: 'restore', label: 'Before restore of Before the rewrite', authorName: 'Olivia Owner' })

    expect(await liveBoard()).toEqual(snapshot)
    expect(boardContentHash(await liveBoard())).toBe(made.body.contentHash)
    for (const client of [analyst, owner]) {
      await waitFor(() => JSON.stringify(model(client)) === JSON.stringify(snapshot), 'a connected client to see the restore')
      // The imported document comes back whole: its text and its import hash, which the model leaves out.
      expect(documentText(client.doc, documentId)).toBe(ARTICLE)
      expect(entity(client.doc, 'documents', documentId)?.get('hash')).toBe('fnv1a64:0123456789abcdef')
    }

    // History is kept: the snapshot restored is untouched, and the replaced state is a snapshot of its own.
    const before = (await team.reviewer.get<BoardModel>(`${base()}/snapshots/${restored.body.before!.id}`)).body
    expect(before).toEqual(rewritten)
    expect((await team.reviewer.get<BoardModel>(`${base()}/snapshots/${made.body.id}`)).body).toEqual(snapshot)
    const list = await team.reviewer.get<SnapshotSummary[]>(`${base()}/snapshots`)
    expect(list.body.map((s) => [s.kind, s.label])).toEqual([
      ['restore', 'Before restore of Before the rewrite'],
      ['named', 'Before the rewrite'],
    ])
    expect(list.body[0]!.previousId).toBe(made.body.id)

    const audit = await team.server.services.storage.audit.listForBoard(team.boardId, { limit: 10 })
    expect(audit.filter((e) => e.action === 'snapshot' || e.action === 'restore').map((e) => [e.action, e.actorLabel])).toEqual([
      ['restore', 'Olivia Owner'],
      ['snapshot', 'Edgar Editor'],
    ])

    // Restoring what is already there changes and records nothing.
    const again = await team.owner.post<RestoreResult>(`${base()}/snapshots/${made.body.id}/restore`)
    expect(again.body).toEqual({ changed: false, before: null })
    expect((await team.reviewer.get<SnapshotSummary[]>(`${base()}/snapshots`)).body).toHaveLength(2)

    // And the restore itself can be undone from its restore point.
    const undo = await team.owner.post<RestoreResult>(`${base()}/snapshots/${restored.body.before!.id}/restore`)
    expect(undo.body.changed).toBe(true)
    expect(await liveBoard()).toEqual(rewritten)
    await waitFor(() => JSON.stringify(model(analyst)) === JSON.stringify(rewritten), 'the analyst to see the undo')
  })

  it('is for owners only', async () => {
    const made = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'v1' })
    await team.editor.post(`${base()}/assessments`, { title: 'Later' })
    const path = `${base()}/snapshots/${made.body.id}/restore`
    const asEditor = await team.editor.post<{ error: { message: string } }>(path)
    expect(asEditor.status).toBe(403)
    expect(asEditor.body.error.message).toBe('This needs the owner role on this board; you are editor.')
    expect((await team.reviewer.post(path)).status).toBe(403)
    expect((await team.outsider.post(path)).status).toBe(404)
    expect((await team.anonymous.post(path)).status).toBe(401)
    expect((await team.reviewer.get<BoardModel>(base())).body.assessments.map((a) => a.title)).toEqual(['Later'])
    expect((await team.owner.post(`${base()}/snapshots/no-such-snapshot/restore`)).status).toBe(404)
  })
})
