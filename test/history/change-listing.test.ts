/**
 * A listing of who changed what reads the recorded changes a page at a time,
 * newest first, and holds at most MAX_LISTED_VALUE_CHARS of their values.
 * Changes recorded before long texts were recorded as the part that changed
 * hold the field's whole value before and after: two editors taking turns at
 * a 20,000-character judgment recorded 40,000 characters a turn, and one
 * reviewer's `limit=5000` read and sent some 200 MB on the relay's thread.
 * The changes of the rows not yet compacted, worked out in a worker and kept
 * for the next reader, are held to the same (filled here by tags replaced
 * whole each turn, all of them recorded as removed and added). On SQLite and
 * PostgreSQL.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addAssessment, updateAssessment } from '../../shared/board-mutations.ts'
import { CHANGES_TRUNCATED_HEADER, type AssessmentChange } from '../../shared/history-model.ts'
import { MAX_LISTED_VALUE_CHARS, valueCharsOf } from '../../server/history/newest-changes.ts'
import type { LogEntry } from '../../server/storage/storage.ts'
import { addAccount, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { recordChanges, turnsOf, type TurnChange } from '../helpers/recorded-changes.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

const LONGEST_JUDGMENT = 20_000
/** A card's 32 tags of 64 characters, different each turn. */
const tagsOf = (turn: number) => Array.from({ length: 32 }, (_, i) => `${turn}-${i}-`.padEnd(64, 't'))
/** Turns at a card's tags: some 5 million characters of changes, more than a listing holds. */
const TAG_TURNS = 1_200
const START = Date.parse('2026-11-30T08:00:00.000Z')

describeEachDialect(postgresMissing, 'listing the changes of a board on %s', (dialect) => {
  let server: TestServer
  let api: ApiClient
  let editors: TestAccount[]
  let boardId: string

  beforeEach(async () => {
    server = await startTestServer({ dialect, accounts: true, env: { COMPACT_AFTER_ROWS: '10000000', METRICS_TOKEN } })
    const reviewer = await addAccount(server, { name: 'Rita Reviewer', isAdmin: true })
    editors = [await addAccount(server, { name: 'Ana Petrova' }), await addAccount(server, { name: 'Bo Lindqvist' })]
    api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, reviewer)).token}` })
    boardId = await api.createBoard('Taking turns')
  })
  afterEach(async () => {
    await server.destroy()
  })

  const recordTurns = (count: number, change: TurnChange) =>
    recordChanges(server.services.storage, boardId, turnsOf(count, [`ws:${editors[0]!.id}`, `ws:${editors[1]!.id}`], START, change))

  const listing = async (query: string) => {
    const answer = await api.get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes?${query}`)
    expect(answer.status).toBe(200)
    return { changes: answer.body, truncated: answer.headers.get(CHANGES_TRUNCATED_HEADER) === 'true' }
  }

  it('holds the newest changes whose values fit, and says older ones were left out', async () => {
    const text = (turn: number) => `${turn} `.padEnd(LONGEST_JUDGMENT, 'x')
    await recordTurns(300, (turn) => ({ assessmentId: 'a1', field: 'judgment', from: text(turn), to: text(turn + 1) }))
    const fitting = Math.floor(MAX_LISTED_VALUE_CHARS / (2 * JSON.stringify(text(0)).length))

    for (const query of ['assessmentId=a1&limit=5000', 'limit=5000']) {
      const { changes, truncated } = await listing(query)
      expect(changes).toHaveLength(fitting)
      // The newest ones, oldest first, each whole.
      expect(changes.map((change) => change.to)).toEqual(Array.from({ length: fitting }, (_, i) => text(300 - fitting + i + 1)))
      expect(changes.at(-1)!.by.name).toBe('Bo Lindqvist')
      expect(truncated).toBe(true)
    }
  })

  it('pages through thousands of short changes in order, and says when `limit` left some out', async () => {
    const TURNS = 2_500
    // Each card's turns alternate too: a pair of turns in five goes to the second card.
    const onSecond = (turn: number) => Math.floor(turn / 2) % 5 === 0
    await recordTurns(TURNS, (turn) => ({ assessmentId: onSecond(turn) ? 'a2' : 'a1', field: 'likelihood', from: turn, to: turn + 1 }))

    const all = await listing('limit=5000')
    expect(all.changes.map((change) => change.to)).toEqual(Array.from({ length: TURNS }, (_, turn) => turn + 1))
    expect(all.truncated).toBe(false)

    const newest = await listing('limit=1000')
    expect(newest.changes.map((change) => change.to)).toEqual(Array.from({ length: 1000 }, (_, i) => TURNS - 1000 + i + 1))
    expect(newest.truncated).toBe(true)

    const ofOne = await listing('assessmentId=a2&limit=500')
    expect(ofOne.changes.map((change) => change.to)).toEqual(Array.from({ length: TURNS }, (_, turn) => turn).filter(onSecond).map((turn) => turn + 1))
    expect(ofOne.changes.every((change) => change.assessmentId === 'a2')).toBe(true)
    expect(ofOne.truncated).toBe(false)
  })

  /**
   * Edits not yet compacted, the two editors taking turns at a card's tags, each turn all of them (32 of 64
   * characters): more than a listing holds. A long text's change is recorded as the part that changed
   * (shared/text-excerpt.ts) and a list's as the items removed and added (shared/list-excerpt.ts), so it is a whole
   * list replaced each turn that fills one. Returns the card's id.
   */
  async function typeByTurns(onBoard: string): Promise<string> {
    const typing = new Y.Doc()
    const rows: LogEntry[] = []
    let origin = `ws:${editors[0]!.id}`
    typing.on('update', (update: Uint8Array) => rows.push({ update, origin }))
    const id = addAssessment(typing, { title: 'Long' })
    for (let turn = 0; turn < TAG_TURNS; turn++) {
      origin = `ws:${editors[(turn + 1) % 2]!.id}`
      updateAssessment(typing, id, { tags: tagsOf(turn) })
    }
    typing.destroy()
    await server.services.storage.log.append(onBoard, rows)
    return id
  }

  it('holds the newest rows’ changes, worked out in a worker, to what a listing holds too', async () => {
    const id = await typeByTurns(boardId)

    const recent = await server.services.tailChanges.of(boardId)
    expect(recent.complete).toBe(false)
    const kept = valueCharsOf(recent.changes)
    expect(kept).toBeLessThanOrEqual(MAX_LISTED_VALUE_CHARS)
    expect(kept).toBeGreaterThan(MAX_LISTED_VALUE_CHARS - 2 * 2 * JSON.stringify(tagsOf(0)).length)

    const { changes, truncated } = await listing(`assessmentId=${id}&limit=5000`)
    expect(changes.length).toBe(recent.changes.length)
    expect(changes.length).toBeLessThan(TAG_TURNS)
    expect(changes.at(-1)!.to).toEqual({ items: tagsOf(TAG_TURNS - 1), length: 32 })
    expect(truncated).toBe(true)
  })

  it('keeps the newest rows’ changes of at most 16 million characters over all boards: the longest unasked is worked out again', async () => {
    // Five boards, each answer cut to some 4 million characters: the first asked goes once the fifth is kept.
    const boards = [boardId, ...(await Promise.all([1, 2, 3, 4].map((i) => api.createBoard(`Taking turns ${i}`))))]
    for (const board of boards) await typeByTurns(board)
    const workedOut = async () => sample(await metricsText(server), 'assay_worker_job_duration_seconds_count', { job: 'attribute-rows', outcome: 'done' }) ?? 0
    for (const board of boards) await server.services.tailChanges.of(board)
    expect(await workedOut()).toBe(5)
    await server.services.tailChanges.of(boards[4]!)
    expect(await workedOut()).toBe(5)
    await server.services.tailChanges.of(boards[0]!)
    expect(await workedOut()).toBe(6)
  })
})
