/**
 * A snapshot of the live board is dated by the newest edit it holds: the
 * board read as of the moment its content is of is the snapshot, and its STIX
 * objects are never a later version than the live board's newer ones. Edits
 * committed while the snapshot was captured (in a worker thread) and before it
 * was recorded are not in it, though it was recorded after them: dated by when
 * it was recorded, the board as of that moment held them, and a STIX consumer
 * kept the snapshot's older title as the newest (red team 40b, findings 3 and 5).
 */
import { afterEach, expect, it } from 'vitest'
import type { AssessmentModel, BoardModel } from '../../shared/board-model.ts'
import { contentTime, type SnapshotSummary } from '../../shared/snapshot-model.ts'
import { staleVersionsWinning, type StixBundle } from '../../server/export/stix-validation.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

/** Rounds of edits racing a snapshot: the red team saw 4 or 5 of 6 snapshots dated after edits they lacked. */
const ROUNDS = 8
const EDITS_PER_ROUND = 4

describeEachDialect(postgresMissing, 'a snapshot made while the board is edited, on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('is the board as of the moment its content is of, and no STIX object of it is a later version than the live one', async () => {
    server = await startTestServer({ dialect, accounts: true, env: { SNAPSHOT_INTERVAL_MINUTES: '0' } })
    const owner = await addAccount(server, { name: 'Olga Owner' })
    const api: ApiClient = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
    const boardId = await api.createBoard('Wagner in Belarus')
    const base = `/api/boards/${boardId}`
    const card = await api.post<AssessmentModel>(`${base}/assessments`, { title: 'v0', kind: 'key-judgment', likelihood: 5 })
    expect(card.status).toBe(201)

    let edit = 0
    const snapshots: SnapshotSummary[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const edits = Array.from({ length: EDITS_PER_ROUND }, () => api.patch(`${base}/assessments/${card.body.id}`, { title: `v${++edit}` }))
      const snapshot = api.post<SnapshotSummary>(`${base}/snapshots`, { label: `round ${round}` })
      for (const edited of await Promise.all(edits)) expect(edited.status).toBe(200)
      const made = await snapshot
      expect(made.status).toBe(201)
      snapshots.push(made.body)
    }

    const live = await api.get<StixBundle>(`${base}/export?format=stix`)
    expect(live.status).toBe(200)
    for (const snapshot of snapshots) {
      const held = await api.get<BoardModel>(`${base}/snapshots/${snapshot.id}`)
      const asOf = await api.get<BoardModel>(`${base}?asOf=${encodeURIComponent(contentTime(snapshot))}`)
      expect([held.status, asOf.status]).toEqual([200, 200])
      expect({ label: snapshot.label, titles: asOf.body.assessments.map((a) => a.title) }).toEqual({ label: snapshot.label, titles: held.body.assessments.map((a) => a.title) })
      const exported = await api.get<StixBundle>(`${base}/export?format=stix&snapshot=${snapshot.id}`)
      expect(exported.status).toBe(200)
      expect(staleVersionsWinning(live.body, exported.body)).toEqual([])
    }
  })
})
