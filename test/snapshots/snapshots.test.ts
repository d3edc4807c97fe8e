/**
 * Named snapshots: what they hold is exactly the board at the moment they
 * were made while edits go on around them, their hash is one value whatever
 * the database and however often the server restarts, and compaction of the
 * update log never touches them.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { entities } from '../../shared/board-doc.ts'
import { boardToModel, documentText, replaceBoardContent } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { dateTimeGroup } from '../../shared/date-time-group.ts'
import { addAssessment, updateMeta } from '../../shared/board-mutations.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { boardContentHash } from '../../server/snapshots/content-hash.ts'
import { addMember } from '../helpers/accounts.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { FIXTURE_BOARD_ID, FIXTURE_DOCUMENT_TEXT, FIXTURE_MODEL } from './fixture.ts'
import { useSuiteTeam } from './team.ts'

const postgresMissing = await missingServices('postgres')

/** SHA-256 of the fixture board's canonical JSON: pinned, so a change of the canonical form cannot pass unnoticed. */
const FIXTURE_HASH = '81520927d5f449dc99cc4d1d7667c58a96782a71d154bddd44c3a4aac679b5eb'

describeEachDialect(postgresMissing, 'snapshots on %s', (dialect) => {
  // Each test has a board of its own (the fixture board is made once a server).
  const team = useSuiteTeam(dialect)
  const base = () => `/api/boards/${team.boardId}`


  it("holds exactly the board at the moment it was made, while an analyst's edits continue during and after it", async () => {
    const writer = team.connect(team.editor)
    await writer.synced()
    // One writer: after its k-th edit, the board is exactly what its own document shows. Kept encoded, and read as a
    // model only for the edits a snapshot holds: a model of the whole board after each of some 500 edits, every 2 ms,
    // took seconds of this thread, which the server shares.
    const afterEdit: Uint8Array[] = [Y.encodeStateAsUpdate(writer.doc)]
    const modelAfterEdit = (k: number): BoardModel => {
      const doc = new Y.Doc()
      Y.applyUpdate(doc, afterEdit[k]!)
      const model = boardToModel(doc, team.boardId)
      doc.destroy()
      return model
    }
    const edit = () => {
      const k = afterEdit.length
      writer.doc.transact(() => {
        // In the writer's name, as the browser writes (the relay would stamp a card naming no one with it).
        addAssessment(writer.doc, { title: `edit ${k}` }, { by: team.editor.account.name })
        updateMeta(writer.doc, { question: `after edit ${k}` })
      })
      afterEdit.push(Y.encodeStateAsUpdate(writer.doc))
    }
    const room = () => team.server.services.rooms.loadedRooms.get(team.boardId)
    // Edits the server has applied (some perhaps still being committed), and edits it has committed. Each edit adds one
    // assessment: the server's are counted in its document, polled every 10 ms, rather than read into a model each time.
    const editsOnServer = () => (room() ? [...entities(room()!.doc, 'assessments')].length : 0)
    const editsCommitted = async () => {
      const stored = await team.server.services.storage.log.load(team.boardId)
      const doc = new Y.Doc()
      for (const update of [...(stored.checkpoint ? [stored.checkpoint] : []), ...stored.updates]) Y.applyUpdate(doc, update)
      const count = boardToModel(doc, team.boardId).assessments.length
      doc.destroy()
      return count
    }

    const typing = setInterval(edit, 2)
    const taken: { snapshot: SnapshotSummary; atLeast: number; atMost: number }[] = []
    try {
      await waitFor(() => editsOnServer() >= 5, 'the first edits to reach the server')
      for (let i = 0; i < 6; i++) {
        const atLeast = await editsCommitted()
        const made = await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: `during ${i}` })
        const atMost = editsOnServer()
        expect(made.status).toBe(201)
        taken.push({ snapshot: made.body, atLeast, atMost })
        await waitFor(() => editsOnServer() > atMost, 'more edits between snapshots')
      }
    } finally {
      clearInterval(typing)
    }
    const total = afterEdit.length - 1
    await waitFor(() => editsOnServer() === total, 'every edit to reach the server')

    let previous = 0
    for (const { snapshot, atLeast, atMost } of taken) {
      const read = await team.reviewer.get<BoardModel>(`${base()}/snapshots/${snapshot.id}`)
      expect(read.status).toBe(200)
      const edits = read.body.assessments.length
      // The board at one moment of the request: every edit committed before it, nothing after it.
      expect(edits).toBeGreaterThanOrEqual(atLeast)
      expect(edits).toBeLessThanOrEqual(atMost)
      expect(edits).toBeGreaterThanOrEqual(previous)
      expect(read.body).toEqual(modelAfterEdit(edits))
      expect(boardContentHash(read.body)).toBe(snapshot.contentHash)
      expect(read.headers.get('etag')).toBe(`"${snapshot.contentHash}"`)
      previous = edits
    }
    expect(total).toBeGreaterThan(previous)

    const list = await team.reviewer.get<SnapshotSummary[]>(`${base()}/snapshots`)
    expect(list.body.map((s) => s.label)).toEqual(['during 5', 'during 4', 'during 3', 'during 2', 'during 1', 'during 0'])
    expect(list.body.every((s) => s.kind === 'named' && s.authorName === 'Edgar Editor' && s.authorId === team.editor.account.id)).toBe(true)
    // Each names the one before it.
    expect(list.body.map((s) => s.previousId)).toEqual([...list.body.slice(1).map((s) => s.id), null])
  })

  it('has one content hash for one content: pinned, after restarts, through the state endpoint', async () => {
    const { services } = team.server
    await services.storage.boards.create({ id: FIXTURE_BOARD_ID, title: FIXTURE_MODEL.title, createdAt: new Date().toISOString(), createdBy: null })
    await addMember(team.server, FIXTURE_BOARD_ID, team.owner.account, 'owner')
    await services.rooms.withRoom(FIXTURE_BOARD_ID, async (room) => {
      replaceBoardContent(room.doc, FIXTURE_MODEL, serverOrigin('test'), new Map([['doc-1', FIXTURE_DOCUMENT_TEXT]]))
      await room.whenSaved()
    })
    const path = `/api/boards/${FIXTURE_BOARD_ID}/snapshots`
    const made = await team.owner.post<SnapshotSummary>(path, { label: 'Fixture' })
    expect(made.status).toBe(201)
    expect(made.body.contentHash).toBe(FIXTURE_HASH)
    expect(boardContentHash(FIXTURE_MODEL)).toBe(FIXTURE_HASH)

    for (let restart = 0; restart < 2; restart++) {
      await team.restart()
      const summary = await team.owner.get<SnapshotSummary>(`${path}/${made.body.id}/summary`)
      expect(summary.body).toEqual(made.body)
      const model = await team.owner.get<BoardModel>(`${path}/${made.body.id}`)
      expect(model.body).toEqual(FIXTURE_MODEL)
      expect(boardContentHash(model.body)).toBe(FIXTURE_HASH)
      const state = await fetch(`${team.server.url}${path}/${made.body.id}/state`, { headers: { authorization: `Bearer ${team.owner.token}` } })
      expect(state.headers.get('content-type')).toBe('application/octet-stream')
      const doc = new Y.Doc()
      Y.applyUpdate(doc, new Uint8Array(await state.arrayBuffer()))
      expect(boardContentHash(boardToModel(doc, FIXTURE_BOARD_ID))).toBe(FIXTURE_HASH)
      expect(documentText(doc, 'doc-1')).toBe(FIXTURE_DOCUMENT_TEXT)
      doc.destroy()
    }
  })

  it('survives compaction of the update log, and restarts after it', async () => {
    const { editor, reviewer } = team
    const created = await editor.post<{ id: string }>(`${base()}/assessments`, { title: 'Before the snapshot' })
    const first = await editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'v1' })
    const v1 = (await reviewer.get<BoardModel>(`${base()}/snapshots/${first.body.id}`)).body
    for (let i = 0; i < 30; i++) {
      await editor.patch(`${base()}/assessments/${created.body.id}`, { title: `Rewritten ${i}`, judgment: `Judgment ${i}` })
    }
    await editor.post(`${base()}/assessments`, { title: 'After the snapshot' })
    await team.server.services.compaction.compact(team.boardId)
    expect(await team.server.services.storage.log.count(team.boardId)).toBe(0)

    const again = await reviewer.get<BoardModel>(`${base()}/snapshots/${first.body.id}`)
    expect(again.body).toEqual(v1)
    await team.restart()
    const afterRestart = await team.reviewer.get<BoardModel>(`${base()}/snapshots/${first.body.id}`)
    expect(afterRestart.body).toEqual(v1)
    expect(boardContentHash(afterRestart.body)).toBe(first.body.contentHash)
    expect((await team.reviewer.get<SnapshotSummary[]>(`${base()}/snapshots`)).body.map((s) => s.id)).toEqual([first.body.id])
  })

  it('gives exports the snapshot, its hash and what changed since the one before it', async () => {
    const { editor, reviewer } = team
    await editor.post(`${base()}/assessments`, { title: 'First judgment' })
    const v1 = await editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'v1' })
    await editor.post(`${base()}/assessments`, { title: 'Second judgment' })
    const v2 = await editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'v2' })
    await editor.post(`${base()}/assessments`, { title: 'Made after v2' })

    const second = await reviewer.get<string>(`${base()}/export?format=md&snapshot=${v2.body.id}`)
    expect(second.status).toBe(200)
    expect(second.body).toContain(v2.body.contentHash)
    expect(second.body).toContain('First judgment')
    expect(second.body).not.toContain('Made after v2')
    expect(second.body).toContain(`## Changes since snapshot “\u2068v1\u2069” of ${dateTimeGroup(v1.body.createdAt)}\n\n- Assessment added: “\u2068Second judgment\u2069”.`)

    // The live board has no predecessor of its own: it is compared with the newest snapshot, v2.
    const live = await reviewer.get<string>(`${base()}/export?format=md`)
    expect(live.body).toContain(`## Changes since snapshot “\u2068v2\u2069” of ${dateTimeGroup(v2.body.createdAt)}\n\n- Assessment added: “\u2068Made after v2\u2069”.`)
    expect(live.body).not.toContain('Assessment added: “\u2068Second judgment')

    const first = await reviewer.get<string>(`${base()}/export?format=md&snapshot=${v1.body.id}`)
    expect(first.body).toContain(v1.body.contentHash)
    expect(first.body).not.toContain('Second judgment')
    expect(first.body).not.toContain('Changes since')
    expect((await reviewer.get(`${base()}/export?format=md&snapshot=no-such-snapshot`)).status).toBe(404)
  })

  it('refuses bad requests with a clear message', async () => {
    const { editor, reviewer } = team
    const empty = await editor.post<{ error: { message: string } }>(`${base()}/snapshots`, { label: '   ' })
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toMatch(/label/)
    const extra = await editor.post<{ error: { message: string } }>(`${base()}/snapshots`, { label: 'ok', state: 'x' })
    expect(extra.status).toBe(400)
    const unknown = await reviewer.get<{ error: { message: string } }>(`${base()}/snapshots/no-such-snapshot`)
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.message).toBe('Snapshot no-such-snapshot not found on this board.')
    expect((await reviewer.get(`${base()}/snapshots/no-such-snapshot/summary`)).status).toBe(404)
    expect((await reviewer.get(`${base()}/snapshots/no-such-snapshot/state`)).status).toBe(404)
    expect((await editor.post('/api/boards/no-such-board/snapshots', { label: 'x' })).status).toBe(404)

    // A snapshot is found only under its own board.
    const made = await editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'mine' })
    const other = await team.owner.post<{ id: string }>('/api/boards', { title: 'Another board' })
    expect((await team.owner.get(`/api/boards/${other.body.id}/snapshots/${made.body.id}`)).status).toBe(404)
  })
})
