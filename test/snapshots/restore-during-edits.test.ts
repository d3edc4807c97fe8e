/**
 * A restore while an analyst keeps editing over a real WebsocketProvider. The
 * restore makes the board equal to the snapshot: every edit the board had
 * applied when the restore was applied is replaced, and kept in the restore
 * point, which holds exactly the board the restore replaced; only edits
 * applied after it stay on top. So each card the analyst adds is in exactly
 * one of the two, and a card deleted or renamed while the restore was worked
 * out comes back as the snapshot has it. The gate on the update log's loads
 * holds the restore after it read the board, while edits land, so the race is
 * there on every run rather than hoped for. Run on SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAssessment, deleteAssessment, updateAssessment } from '../../shared/board-mutations.ts'
import type { RestoreResult, SnapshotSummary } from '../../shared/snapshot-model.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { LoadGate } from '../helpers/load-gate.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/** A whole story against a real server, on a loaded machine. */
const STORY_MS = 60_000
/** How often the analyst adds a card: faster than a restore is worked out, so edits land during it. */
const TYPING_MS = 10

const TYPED = 'Typed '
const isTyped = (title: string) => title.startsWith(TYPED)
const titles = (board: BoardModel) => board.assessments.map((a) => a.title)
/** The board without the analyst's typed cards. */
const withoutTyped = (board: BoardModel): BoardModel => ({ ...board, assessments: board.assessments.filter((a) => !isTyped(a.title)) })

describeEachDialect(postgresMissing, 'a restore while an analyst keeps editing, on %s', (dialect) => {
  const readLoads = new LoadGate('after-read')
  let server: TestServer
  let asOwner: ApiClient
  let analyst: TestClient
  let boardId: string

  beforeEach(async () => {
    server = await startTestServer({ dialect, accounts: true, wrapStorage: readLoads.wrap, env: { SNAPSHOT_INTERVAL_MINUTES: '0' } })
    const owner = await addAccount(server, { name: 'Olivia Owner' })
    const editor = await addAccount(server, { name: 'Edgar Editor' })
    asOwner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
    boardId = await asOwner.createBoard('Wagner redeployment')
    await addMember(server, boardId, editor, 'editor')
    analyst = connectClient(server.wsUrl, boardId, {}, { authorization: `Bearer ${(await addToken(server, editor)).token}` })
    await analyst.synced()
  }, STORY_MS)

  afterEach(async () => {
    readLoads.release()
    analyst.destroy()
    await server.destroy()
  }, STORY_MS)

  /** The board as the server's room holds it: what it has applied, stored or not. */
  const applied = () => {
    const room = server.services.rooms.loadedRooms.get(boardId)
    return room ? boardToModel(room.doc, boardId) : null
  }
  const analystTitles = () => titles(boardToModel(analyst.doc, boardId))

  it('replaces every edit applied before it and keeps each in the restore point; edits after it stay', async () => {
    const kept = addAssessment(analyst.doc, { title: 'Kept' })
    const deletedMeanwhile = addAssessment(analyst.doc, { title: 'Deleted meanwhile' })
    await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === 2, 'the first cards to be stored')
    const made = await asOwner.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'v1' })
    expect(made.status).toBe(201)
    const snapshot = (await asOwner.get<BoardModel>(`/api/boards/${boardId}/snapshots/${made.body.id}`)).body
    addAssessment(analyst.doc, { title: 'Added before the restore' })
    await waitFor(() => applied()?.assessments.length === 3, 'the added card to reach the server')

    // The analyst types on throughout: each card made, and whether the restore had reached the analyst by then.
    const typed: { title: string; afterRestoreSeen: boolean }[] = []
    const typing = setInterval(() => {
      const title = `${TYPED}${typed.length}`
      typed.push({ title, afterRestoreSeen: !analystTitles().includes('Added before the restore') })
      addAssessment(analyst.doc, { title })
    }, TYPING_MS)
    try {
      readLoads.hold()
      const answer = asOwner.post<RestoreResult>(`/api/boards/${boardId}/snapshots/${made.body.id}/restore`)
      await waitFor(() => readLoads.waiting > 0, 'the restore to have read the board')
      // At least one card typed while it is held: a wait that ends within a typing interval would leave none to check.
      await waitFor(() => typed.length > 0, 'the analyst to type while the restore is held')
      deleteAssessment(analyst.doc, deletedMeanwhile)
      updateAssessment(analyst.doc, kept, { title: 'Kept, renamed meanwhile' })
      const typedBeforeRelease = typed.length
      await waitFor(() => {
        const board = applied()
        return board && titles(board).includes('Kept, renamed meanwhile') && !titles(board).includes('Deleted meanwhile') && titles(board).includes(`${TYPED}${typedBeforeRelease - 1}`)
      }, 'the edits made while the restore is held to be applied')
      const appliedWhileHeld = typed.slice(0, typedBeforeRelease).map((t) => t.title)
      readLoads.release()

      const restored = await answer
      expect(restored.status).toBe(200)
      expect(restored.body.changed).toBe(true)
      await waitFor(() => typed.filter((t) => t.afterRestoreSeen).length >= 5, 'the analyst to type on after seeing the restore')
      clearInterval(typing)
      const last = typed[typed.length - 1]!.title
      await waitFor(async () => titles(await storedBoard(server, boardId)).includes(last), 'the last typed card to be stored')

      const board = (await asOwner.get<BoardModel>(`/api/boards/${boardId}`)).body
      const restorePoint = (await asOwner.get<BoardModel>(`/api/boards/${boardId}/snapshots/${restored.body.before!.id}`)).body
      // The board is the snapshot, with only typed cards on top.
      expect(withoutTyped(board)).toEqual(withoutTyped(snapshot))
      // The restore point is the board the restore replaced, the edits made while it was worked out included.
      expect(titles(withoutTyped(restorePoint)).sort()).toEqual(['Added before the restore', 'Kept, renamed meanwhile'])
      // No typed card is lost, and none both replaced and kept.
      const onBoard = new Set(titles(board).filter(isTyped))
      const replaced = new Set(titles(restorePoint).filter(isTyped))
      expect(typed.filter((t) => onBoard.has(t.title) === replaced.has(t.title)).map((t) => t.title)).toEqual([])
      // Applied before the restore was: replaced. Made once the analyst had the restore: kept.
      expect(appliedWhileHeld.filter((title) => onBoard.has(title))).toEqual([])
      expect(typed.filter((t) => t.afterRestoreSeen && !onBoard.has(t.title)).map((t) => t.title)).toEqual([])
      // The analyst's page ends equal to the board.
      const stored = JSON.stringify(await storedBoard(server, boardId))
      await waitFor(() => JSON.stringify(boardToModel(analyst.doc, boardId)) === stored, 'the analyst to hold the stored board')
    } finally {
      clearInterval(typing)
    }
  }, STORY_MS)
})
