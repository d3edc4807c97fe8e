/**
 * One log row of a board damaged in the database (cut to half its bytes, as a
 * torn write or a bad restore leaves it), against the real server: every read,
 * change, export and websocket join of that board is refused with 503
 * board_damaged naming the row, the same every time; the log names the board
 * and the row once, at error level; the refusals are counted; another board
 * is served as before.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import { afterEach, expect, it } from 'vitest'
import WebSocket from 'ws'
import { apiClient } from './helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { databaseUrl, startTestServer, type Dialect, type TestServer } from './helpers/test-server.ts'
import { clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/** Cuts the stored row `seq` to the first half of its bytes, with the server stopped. */
async function cutRow(server: TestServer, dialect: Dialect, seq: number): Promise<void> {
  if (dialect === 'sqlite') {
    const db = new Database(join(server.dataDir, 'assay.db'))
    db.prepare('update board_updates set "update" = substr("update", 1, length("update") / 2) where seq = ?').run(seq)
    db.close()
    return
  }
  const sql = postgres(databaseUrl(server.database), { max: 1, onnotice: () => {} })
  await sql`update board_updates set "update" = substring("update" from 1 for length("update") / 2) where seq = ${seq}`
  await sql.end()
}

/** The status a websocket upgrade to the board is answered with (101 when it is taken). */
function upgradeStatus(server: TestServer, boardId: string): Promise<number> {
  const socket = new WebSocket(`${server.wsUrl}/${boardId}`)
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
    socket.once('open', () => {
      socket.close()
      resolve(101)
    })
    socket.once('error', reject)
  })
}

describeEachDialect(postgresMissing, 'a board with a damaged log row (%s)', (dialect) => {
  let server: TestServer | undefined
  const connect = clientsDestroyedAfterEach()
  afterEach(async () => {
    await server?.destroy()
    server = undefined
  })

  it('is refused with 503 board_damaged naming the row, logged once and counted; other boards are served', async () => {
    const lines: string[] = []
    server = await startTestServer({ dialect, env: { METRICS_TOKEN }, logSink: (line) => lines.push(line) })
    const api = apiClient(() => server!.url)
    const damaged = await api.createBoard('Damaged')
    const sound = await api.createBoard('Sound')
    for (const title of ['one', 'two', 'three']) {
      for (const id of [damaged, sound]) expect((await api.patch(`/api/boards/${id}`, { title })).status).toBe(200)
    }
    const { rows } = await server.services.storage.history.tail(damaged)
    const seq = rows[1]!.seq
    await server.close()
    await cutRow(server, dialect, seq)
    server = await server.restart()
    lines.length = 0

    const advice = `This board's stored history is damaged at change ${seq}`
    for (const answer of [
      await api.get(`/api/boards/${damaged}`),
      await api.get(`/api/boards/${damaged}`),
      await api.patch(`/api/boards/${damaged}`, { title: 'after' }),
      await api.get(`/api/boards/${damaged}/export?format=md`),
    ]) {
      expect(answer.status).toBe(503)
      expect(answer.body).toMatchObject({ error: { code: 'board_damaged', message: expect.stringContaining(advice) } })
    }
    expect(await upgradeStatus(server, damaged)).toBe(503)
    expect(await upgradeStatus(server, damaged)).toBe(503)

    const errors = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => (line.level as number) >= 50)
    expect(errors).toEqual([expect.objectContaining({ boardId: damaged, seq, part: 'row' })])
    expect(sample(await metricsText(server), 'assay_damaged_board_refusals_total')).toBe(6)

    expect((await api.get(`/api/boards/${sound}`)).status).toBe(200)
    expect((await api.patch(`/api/boards/${sound}`, { title: 'after' })).status).toBe(200)
    expect((await api.get(`/api/boards/${sound}/export?format=md`)).status).toBe(200)
    await connect(server.wsUrl, sound).synced()
  })
})
