/**
 * One log row of a board damaged in the database (cut to half its bytes, as a
 * torn write or a bad restore leaves it), against the real server: every read,
 * change, export and websocket join of that board is refused with 503
 * board_damaged naming the row, the same every time; the log names the board
 * and the row once, at error level; the refusals are counted; another board
 * is served as before. `assay board set-aside-damaged` (servers stopped) then
 * moves the row into a file in DATA_DIR and the board is served again.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import { afterEach, expect, it } from 'vitest'
import WebSocket from 'ws'
import { CLOSE } from '../shared/protocol.ts'
import { apiClient } from './helpers/api.ts'
import { runCli } from './helpers/run-cli.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { databaseUrl, startTestServer, type Dialect, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
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

/** The real `assay board set-aside-damaged` on the server's database. */
function setAsideDamaged(server: TestServer, dialect: Dialect, boardId: string) {
  const database = dialect === 'postgres' ? databaseUrl(server.database) : ''
  return runCli(['board', 'set-aside-damaged', '--board', boardId], { DATA_DIR: server.dataDir, DATABASE_URL: database, REDIS_URL: '', LOG_LEVEL: 'silent' })
}

/** How a websocket join of the board ends: its upgrade refused with a status, or its socket closed with a code. */
function joinOutcome(server: TestServer, boardId: string): Promise<{ refused: number } | { closed: number; reason: string }> {
  const socket = new WebSocket(`${server.wsUrl}/${boardId}`)
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => resolve({ refused: response.statusCode ?? 0 }))
    socket.once('close', (code, reason) => resolve({ closed: code, reason: reason.toString() }))
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

  it('is refused with 503 board_damaged and a final close naming the row, logged once and counted, other boards served; set aside, it is served again', async () => {
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
    const closed = { closed: CLOSE.boardDamaged.code, reason: CLOSE.boardDamaged.reason }
    expect(await joinOutcome(server, damaged)).toEqual(closed)
    // The stock client stops at that code, final, rather than reconnecting for ever.
    const client = connect(server.wsUrl, damaged)
    const finalClose = new Promise<number>((resolve) => client.provider.once('connection-close', (event) => resolve(event?.code ?? 0)))
    expect(await finalClose).toBe(CLOSE.boardDamaged.code)
    await waitFor(() => !client.provider.shouldConnect, 'the client to stop reconnecting')

    const errors = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => (line.level as number) >= 50)
    expect(errors).toEqual([expect.objectContaining({ boardId: damaged, seq, part: 'row' })])
    expect(sample(await metricsText(server), 'assay_damaged_board_refusals_total')).toBe(6)

    expect((await api.get(`/api/boards/${sound}`)).status).toBe(200)
    expect((await api.patch(`/api/boards/${sound}`, { title: 'after' })).status).toBe(200)
    expect((await api.get(`/api/boards/${sound}/export?format=md`)).status).toBe(200)
    await connect(server.wsUrl, sound).synced()

    const whileServed = await setAsideDamaged(server, dialect, damaged)
    expect(whileServed.code).not.toBe(0)
    expect(whileServed.stderr).toContain('nothing was set aside')
    await server.close()
    const setAside = await setAsideDamaged(server, dialect, damaged)
    expect(setAside).toMatchObject({ code: 0, stdout: expect.stringContaining(`set aside 1 row(s)`) })
    expect(setAside.stdout).toContain(`row ${seq}, by `)
    const kept = JSON.parse(readFileSync(join(server.dataDir, 'damaged-rows', `${damaged}-${seq}.json`), 'utf8')) as Record<string, unknown>
    expect(kept).toMatchObject({ boardId: damaged, seq, origin: rows[1]!.origin, update: Buffer.from(rows[1]!.update.subarray(0, rows[1]!.update.byteLength >> 1)).toString('base64') })

    server = await server.restart()
    expect((await api.get(`/api/boards/${damaged}`)).status).toBe(200)
    expect((await api.patch(`/api/boards/${damaged}`, { title: 'mended' })).status).toBe(200)
    await connect(server.wsUrl, damaged).synced()
    expect((await setAsideDamaged(server, dialect, damaged)).code).not.toBe(0)
  })
})
