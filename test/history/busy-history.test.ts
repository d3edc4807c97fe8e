/**
 * The editing sessions of a board with a busy week behind it (a reviewer
 * opening the history panel): read a page of rows at a time, the relay's
 * work going on between pages. Read in one piece, 200,000 rows held the
 * relay's event loop 0.56 to 0.97 s for each reviewer who asked. A session
 * that runs across pages is still one session. The board as of a moment is
 * read a page of rows at a time too: 200,000 rows after the nearest kept
 * checkpoint held the loop about a second on SQLite. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { BoardHistory } from '../../shared/history-model.ts'
import type { LogEntry } from '../../server/storage/storage.ts'
import { readAsOfLog } from '../../server/history/as-of-log.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { echoProbe, type EchoProbe } from '../helpers/echo-probe.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { connectClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/** Fifty pages of rows, all one person's, a moment apart. */
const ROWS = 100_000

/** The ROWS keystrokes, one update each: the same for both dialects, so typed once. */
let keystrokes: Uint8Array[] | undefined
function typedKeystrokes(): Uint8Array[] {
  if (keystrokes) return keystrokes
  const typing = new Y.Doc()
  const typed: Uint8Array[] = []
  typing.on('update', (update: Uint8Array) => typed.push(update))
  for (let i = 0; i < ROWS; i++) typing.getText('notes').insert(i, 'x')
  typing.destroy()
  return (keystrokes = typed)
}

describeEachDialect(postgresMissing, 'the history of a busy board on %s', (dialect) => {
  let server: TestServer
  let probe: EchoProbe
  let api: ApiClient
  let token: string
  let busy: string

  /**
   * A board of ROWS keystrokes by one reviewer, written to the log as the relay would have committed them, one a row; and a probe on another board.
   * Built once for both tests: each only reads the board, and the probe's own board gains a keystroke per round trip, which neither counts.
   */
  beforeAll(async () => {
    server = await startTestServer({ dialect, accounts: true, env: { COMPACT_AFTER_ROWS: '10000000' } })
    const reviewer = await addAccount(server, { name: 'Rita Reviewer', isAdmin: true })
    token = (await addToken(server, reviewer)).token
    api = apiClient(server.url, { authorization: `Bearer ${token}` })
    busy = await api.createBoard('A busy week')
    const quiet = await api.createBoard('Another board')
    const rows: LogEntry[] = typedKeystrokes().map((update) => ({ update, origin: `ws:${reviewer.id}` }))
    for (let i = 0; i < rows.length; i += 5000) await server.services.storage.log.append(busy, rows.slice(i, i + 5000))
    probe = await echoProbe(() => connectClient(server.wsUrl, quiet, { token }))
  })
  afterAll(async () => {
    probe?.destroy()
    await server?.destroy()
  })

  it("lists one session for a person's 100,000 commits, while another board keeps relaying", async () => {
    const { result, roundTrips } = await probe.during(api.get<BoardHistory>(`/api/boards/${busy}/history`))

    expect(result.status).toBe(200)
    // The 100,000 keystrokes, never minutes apart, are one session with the board's creation over HTTP just before: one person's, whatever the transport.
    expect(result.body.sessions.map((session) => [session.by.name, session.edits])).toEqual([['Rita Reviewer', ROWS + 1]])
    expect(result.body.truncated).toBe(false)
    expect(roundTrips).toBeGreaterThanOrEqual(5)
  }, 60_000)

  it('reads the 100,000 rows of the board as of now a page at a time, while another board keeps relaying', async () => {
    const now = new Date().toISOString()
    const { result, roundTrips } = await probe.during(readAsOfLog(server.services, busy, now))
    // Packed into one buffer for the worker thread.
    const rows = result?.kind === 'kept' ? result.log.updates : null
    expect(rows && !Array.isArray(rows) && rows.ends.length).toBe(ROWS + 1)
    expect(roundTrips).toBeGreaterThanOrEqual(3)

    // Rebuilt whole through the API.
    const answer = await fetch(`${server.url}/api/boards/${busy}/history/state?asOf=${encodeURIComponent(now)}`, { headers: { authorization: `Bearer ${token}` } })
    expect(answer.status).toBe(200)
    const rebuilt = new Y.Doc()
    Y.applyUpdate(rebuilt, new Uint8Array(await answer.arrayBuffer()))
    expect(rebuilt.getText('notes').length).toBe(ROWS)
    rebuilt.destroy()
  }, 60_000)
})
