/**
 * On SQLite a snapshot's state comes before the later columns of its record
 * in each row, so a record read from the row (a snapshot looked up, the
 * newest one, the list) walked the state's whole chain of overflow pages:
 * some 4 ms for a 14 MB state on the relay's thread, for every lookup; the
 * comparisons of a flood each looked two snapshots up, 10.8 s of the relay's
 * thread in 15 s. Now the record is read from an index holding every column
 * but the state. The statements the server runs for the snapshot routes are
 * caught as they are prepared on the real database, and asked how SQLite
 * reads them.
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const prepare = Database.prototype.prepare
let server: TestServer | undefined

afterEach(async () => {
  Database.prototype.prepare = prepare
  await server?.destroy()
})

it("reads a snapshot's record, the newest and the list from an index, never from the row that holds the state", async () => {
  server = await startTestServer({ dialect: 'sqlite', accounts: true })
  const account = await addAccount(server, { name: 'Olga Owner' })
  const owner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
  const boardId = await owner.createBoard('Wagner mutiny — Vilnius')
  const base = `/api/boards/${boardId}`
  expect((await owner.post(`${base}/assessments`, { title: 'Convoy moved north' })).status).toBe(201)
  const snapshot = await owner.post<SnapshotSummary>(`${base}/snapshots`, { label: 'Morning' })
  expect(snapshot.status).toBe(201)

  const statements = new Set<string>()
  Database.prototype.prepare = function (this: Database.Database, source: string) {
    if (/from "snapshots"/.test(source) && !/"state"/.test(source)) statements.add(source)
    return prepare.call(this, source)
  } as typeof prepare
  const summary = await owner.get<SnapshotSummary>(`${base}/snapshots/${snapshot.body.id}/summary`)
  expect(summary.body).toEqual(snapshot.body)
  expect((await owner.get<SnapshotSummary[]>(`${base}/snapshots`)).body).toEqual([snapshot.body])
  expect((await owner.get(`${base}/export?format=json`)).status).toBe(200)
  Database.prototype.prepare = prepare
  expect(statements.size).toBeGreaterThanOrEqual(3)

  const db = new Database(join(server.dataDir, SQLITE_FILE_NAME), { readonly: true })
  try {
    for (const source of statements) {
      const parameters = Array.from({ length: source.split('?').length - 1 }, () => 'x')
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...parameters) as { detail: string }[]).map((step) => step.detail)
      expect(plan.filter((step) => /\bsnapshots\b/.test(step)), source).toEqual([expect.stringMatching(/USING COVERING INDEX snapshots_board_created/)])
    }
  } finally {
    db.close()
  }
}, 60_000)
