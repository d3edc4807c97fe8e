/**
 * What working out a reviewed board's live content hash costs, and who pays,
 * against the real server: the board list and the header compare each
 * reviewed board's live content with its signed-off snapshot, rebuilding the
 * board in a worker once its log has changed. A reviewer listing her boards
 * again and again while an editor types on a large reviewed board made each
 * list request rebuild the whole board, unpaid, and as many rebuilds at once
 * as her requests found the log changed. Each working-out is now paid by the
 * person whose ask sets it off, from what they may load a minute
 * (LOADED_BYTES_PER_MINUTE_PER_PERSON): past it her list sets off no rebuild,
 * and says the board changed since, as it has; another member's ask still gets
 * the board compared, and shares its answer with her. And a board is worked
 * out once at a time: asks meanwhile share the one working-out queued next.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { BoardListing } from '../../shared/board-listing.ts'
import { blufText } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { wordsText } from '../helpers/large-inputs.ts'
import { useOwnedBoard, type OwnedBoard } from '../helpers/owned-board.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** List requests of the reviewer, each after a keystroke of the editor's is stored. */
const ROUNDS = 20

type ReviewedBoard = {
  /** Appends `text` to the board's bottom line as its editor, and resolves once it is stored. */
  typed(text: string): Promise<void>
  /** A new account made a reviewer of the board, calling the API with a token of theirs. */
  reviewerOf(name: string): Promise<ApiClient>
  /** The board's review as `api`'s caller's board list shows it. */
  listedReview(api: ApiClient): Promise<BoardListing['review']>
  /** How many times the server has rebuilt a stored board to hash it. */
  rebuilds(): Promise<number>
}

/** Some 200 KB of cards written by an editor who stays on the board, snapshot "Draft 3" of it approved by its owner. */
async function reviewedLargeBoard(given: OwnedBoard): Promise<ReviewedBoard> {
  const boardPath = `/api/boards/${given.boardId}`
  const { client: editor } = await given.connectEditor('Ed Editor')
  const room = given.server.services.rooms.loadedRooms.get(given.boardId)!
  const stored = async () => {
    await waitFor(() => Y.getState(room.doc.store, editor.doc.clientID) === Y.getState(editor.doc.store, editor.doc.clientID), 'the edit at the server')
    await room.whenStored()
  }
  for (let card = 0; card < 12; card++) addAssessment(editor.doc, { title: `Card ${card}`, judgment: wordsText(16_000, card + 1) })
  await stored()
  const snapshot = await given.api.post<{ id: string }>(`${boardPath}/snapshots`, { label: 'Draft 3' })
  expect(snapshot.status).toBe(201)
  expect((await given.api.put(`${boardPath}/snapshots/${snapshot.body.id}/signoff`, { decision: 'approved' })).status).toBe(200)
  return {
    async typed(text) {
      blufText(editor.doc).insert(blufText(editor.doc).length, text)
      await stored()
    },
    async reviewerOf(name) {
      const account = await addAccount(given.server, { name })
      await addMember(given.server, given.boardId, account, 'reviewer')
      return apiClient(given.server.url, { authorization: `Bearer ${(await addToken(given.server, account)).token}` })
    },
    async listedReview(api) {
      const listed = await api.get<BoardListing[]>('/api/boards')
      expect(listed.status).toBe(200)
      return listed.body.find((board) => board.id === given.boardId)!.review
    },
    async rebuilds() {
      return sample(await metricsText(given.server), 'assay_worker_job_duration_seconds_count', { job: 'capture-board', outcome: 'done' }) ?? 0
    },
  }
}

describe('the live content hash of a reviewed board being typed on, paid by who asks', () => {
  // The least a person may load a minute (64 KiB), less than one rebuild of the board.
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Reviewed and typed on', env: { METRICS_TOKEN, LOADED_BYTES_PER_MINUTE_PER_PERSON: '65536' } })

  it('is rebuilt only as often as the people asking pay for, and still says the board changed since', async () => {
    const board = await reviewedLargeBoard(given)
    const una = await board.reviewerOf('Una Reviewer')
    expect(await board.listedReview(una)).toMatchObject({ status: 'approved', snapshotLabel: 'Draft 3', changedSince: false })

    const rita = await board.reviewerOf('Rita Reviewer')
    const before = await board.rebuilds()
    for (let round = 0; round < ROUNDS; round++) {
      await board.typed('x')
      expect(await board.listedReview(rita)).toMatchObject({ status: 'approved', changedSince: true })
    }
    // Her first rebuild spends her minute; none after.
    expect((await board.rebuilds()) - before).toBeLessThanOrEqual(1)

    // Another member's ask is compared, at her cost; the reviewer's next list shares that answer.
    const compared = await board.rebuilds()
    expect(await board.listedReview(given.api)).toMatchObject({ status: 'approved', changedSince: true })
    expect(await board.listedReview(rita)).toMatchObject({ status: 'approved', changedSince: true })
    expect((await board.rebuilds()) - compared).toBe(1)
  })
})

describe('the live content hash of a reviewed board being typed on, worked out once at a time', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Reviewed and asked at once', env: { METRICS_TOKEN } })

  it('runs one rebuild of the board at a time however many list requests find its log changed, each answered', async () => {
    const board = await reviewedLargeBoard(given)
    const rita = await board.reviewerOf('Rita Reviewer')
    const { workers } = given.server.services
    let mostAtOnce = 0
    let watching = true
    const watch = () => {
      mostAtOnce = Math.max(mostAtOnce, workers.load.running + workers.load.queued)
      if (watching) setImmediate(watch)
    }
    watch()
    // Each request sent once a keystroke is stored, none waiting for the one before: each finds the log changed.
    const answers: Promise<BoardListing['review']>[] = []
    for (let round = 0; round < ROUNDS; round++) {
      await board.typed('y')
      answers.push(board.listedReview(rita))
    }
    const reviews = await Promise.all(answers)
    watching = false
    for (const review of reviews) expect(review).toMatchObject({ status: 'approved', changedSince: true })
    expect(mostAtOnce).toBeLessThanOrEqual(1)
  })
})
