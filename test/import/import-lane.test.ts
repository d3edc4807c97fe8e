/**
 * One editor sending several imports of 10,000 claims at once, into boards of
 * their own: each is planned in a worker thread, but applied to its board on
 * the relay's thread (about 5 MB of update, 0.4 s on a quiet machine,
 * seconds on a loaded one), and they were applied back to back, three
 * holding the thread 1.1 to 2.3 s while every other board's keystrokes
 * waited. Now the process applies imports one at a time, in one lane
 * (server/import/apply-lane.ts), the event loop reading what arrived between
 * two of them; a person has at most IMPORTS_PER_PERSON imports in flight;
 * and the bytes an import adds are checked against its person's hourly
 * written bytes as it is applied, not only as it is asked for (imports sent
 * at once all passed that check before any was counted).
 * Against a real server on SQLite: the first import's commit is held, so
 * the lane is full for as long as the test needs, as the metrics show.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { assessmentText } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { AppendControl } from '../helpers/append-control.ts'
import { METRICS_TOKEN, sample } from '../helpers/prometheus-text.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

type ImportBody = { outcome: string; createdClaimIds: string[] }
type ErrorBody = { error: { code: string; message: string } }

/** The most claims one import takes (MAX_CLAIMS_PER_DOCUMENT). */
const MOST_CLAIMS = 10_000
/** Imports one person may have in flight here. */
const PER_PERSON = 3
/** A minute of worker threads' time for each of the large imports, on a loaded machine. */
const IMPORT_DEADLINE_MS = 60_000

/** `claims` cited sentences, each a line, of 50 sources; `board` makes the words of each board's document its own. */
function documentOf(claims: number, board: number): string {
  return Array.from({ length: claims }, (_, i) => `Unit ${i} of column ${board} moved north. [citation: Source ${i % 50}]`).join('\n')
}

describe('imports sent at once by one editor', () => {
  let server: TestServer
  /** The update-log appends of `heldBoard`, held while the test says. */
  let heldBoard = ''
  const appends = new AppendControl((boardId) => boardId === heldBoard)
  const clients: TestClient[] = []
  afterEach(async () => {
    // A test failing with the commit held must not leave its imports waiting for it past the server.
    appends.release()
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
  })

  async function editor(name: string): Promise<{ api: ApiClient; token: string; id: string }> {
    const account = await addAccount(server, { name })
    const { token } = await addToken(server, account)
    return { api: apiClient(server.url, { authorization: `Bearer ${token}` }), token, id: account.id }
  }

  const imported = (api: ApiClient, boardId: string, claims: number, board: number) =>
    api.post<ImportBody | ErrorBody>(`/api/boards/${boardId}/import`, { text: documentOf(claims, board) })

  const claimsOn = async (api: ApiClient, boardId: string) => (await api.get<{ claims: unknown[] }>(`/api/boards/${boardId}`)).body.claims.length

  it('applies them one at a time, refuses one past the per-person limit with 429, serves other boards meanwhile, and lands each whole', async () => {
    server = await startTestServer({
      accounts: true,
      wrapStorage: appends.wrap,
      env: {
        METRICS_TOKEN,
        IMPORTS_PER_PERSON: String(PER_PERSON),
        // The held commit must not be answered as delayed, and the written bytes are another test's.
        COMMIT_WAIT_MS: '300000',
        IMPORT_TIME_BUDGET_MS: String(IMPORT_DEADLINE_MS),
        WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(2 ** 30),
        WORKER_SECONDS_PER_HOUR_PER_PERSON: '100000',
      },
    })
    const metrics = apiClient(server.url, { authorization: `Bearer ${METRICS_TOKEN}` })
    const lane = async () => {
      const text = (await metrics.get<string>('/metrics')).body
      return { running: sample(text, 'assay_import_applies_running'), waiting: sample(text, 'assay_import_applies_waiting') }
    }
    const ivan = await editor('Ivan Importer')
    const boards = await Promise.all([0, 1, 2, 3].map((i) => ivan.api.createBoard(`Column ${i}`)))
    // An analyst on a board of her own, typing with the stock provider, and a colleague's page watching it.
    const tara = await editor('Tara Typist')
    const taraBoard = await tara.api.createBoard('Wagner mutiny — Rostov')
    const wanda = await addAccount(server, { name: 'Wanda Watcher' })
    await addMember(server, taraBoard, wanda, 'editor')
    const typist = connectClient(server.wsUrl, taraBoard, {}, { authorization: `Bearer ${tara.token}` })
    const watcher = connectClient(server.wsUrl, taraBoard, {}, { authorization: `Bearer ${(await addToken(server, wanda)).token}` })
    clients.push(typist, watcher)
    await Promise.all([typist.synced(), watcher.synced()])
    const card = addAssessment(typist.doc, { title: 'Convoy on the M4', judgment: '' })
    const typed = assessmentText(typist.doc, card, 'judgment')

    // The first import's commit held: it holds the lane until released.
    heldBoard = boards[0]!
    appends.hold()
    const first = imported(ivan.api, boards[0]!, MOST_CLAIMS, 0)
    await waitFor(() => appends.waiting === 1, 'the first import to be applied and its commit held', IMPORT_DEADLINE_MS)
    const next = [1, 2].map((i) => imported(ivan.api, boards[i]!, MOST_CLAIMS, i))
    await waitFor(async () => (await lane()).waiting === 2, 'the next two to be planned and wait in the lane', IMPORT_DEADLINE_MS)
    expect(await lane()).toEqual({ running: 1, waiting: 2 })

    // A fourth, past the limit, is refused at once, naming it.
    const refused = (await imported(ivan.api, boards[3]!, MOST_CLAIMS, 3)) as ApiResponse<ErrorBody>
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(refused.body.error.code).toBe('too_many_imports')
    expect(refused.body.error.message).toMatch(/You have 3 imports in flight .*IMPORTS_PER_PERSON.*nothing of this one was imported.*try again in 5 s/)
    // Previews change nothing and are not counted.
    expect((await ivan.api.post(`/api/boards/${boards[3]}/import`, { text: documentOf(10, 3), preview: true })).status).toBe(200)

    // The imports waiting in the lane hold nothing: Tara's keystrokes reach Wanda.
    for (const word of ['Convoy', ' halted']) {
      typed.insert(typed.length, word)
      const want = typed.toString()
      await waitFor(() => assessmentText(watcher.doc, card, 'judgment').toString() === want, 'a keystroke to reach the watcher while imports wait')
    }

    appends.release()
    const answers = await Promise.all([first, ...next])
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200)
      expect((answer.body as ImportBody).createdClaimIds).toHaveLength(MOST_CLAIMS)
    }
    for (const boardId of boards.slice(0, 3)) expect(await claimsOn(ivan.api, boardId)).toBe(MOST_CLAIMS)
    expect(await claimsOn(ivan.api, boards[3]!)).toBe(0)
    expect(await lane()).toEqual({ running: 0, waiting: 0 })
  })

  it('checks the bytes of each import against its person’s hour as it is applied, so imports sent at once cannot all pass', async () => {
    // One import of 1,000 claims counts some 1.03 to 1.1 MB (its bytes, and 1 KiB for each struct it adds to a root
    // type, charged to its maker: root-structs-made.ts): the hour holds two, and not three.
    server = await startTestServer({ accounts: true, env: { IMPORTS_PER_PERSON: '3', WRITTEN_BYTES_PER_HOUR_PER_PERSON: '2600000' } })
    const ivan = await editor('Ivan Importer')
    const boards = await Promise.all([0, 1, 2].map((i) => ivan.api.createBoard(`Column ${i}`)))
    const answers = await Promise.all(boards.map((boardId, i) => imported(ivan.api, boardId, 1_000, i)))

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429])
    const refused = answers.find((answer) => answer.status === 429) as ApiResponse<ErrorBody>
    expect(refused.body.error.code).toBe('written_too_much')
    expect(refused.headers.get('retry-after')).toBe('60')
    // Each accepted import whole, the refused one not at all.
    expect(await Promise.all(boards.map((boardId) => claimsOn(ivan.api, boardId)))).toEqual(answers.map((answer) => (answer.status === 200 ? 1_000 : 0)))
  })
})
