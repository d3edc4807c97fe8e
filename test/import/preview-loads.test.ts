/**
 * Import previews cost a read of the board's whole stored log each (on
 * PostgreSQL a connection of the pool, on SQLite the relay's thread), and
 * nothing bounded them per person but the answers in flight (16, above the
 * pool's 10): one member sending sixteen previews at once, in a loop, of
 * boards of 14.5 MB held the pool dry, and another member's reads of her small
 * board took seconds (the red team's 24a). Now a person has at most
 * PREVIEWS_PER_PERSON previews in flight (429 too_many_previews past it,
 * before anything is read); every read of the log for a preview or an import
 * counts against what its person may load a minute (429 loading_too_much
 * once spent, before the read); and a document that would import nothing is
 * refused before the board is read. The gate on the update log's loads holds
 * the reads and counts them. On SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { HeldRoom } from '../../server/relay/room-registry.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { LoadGate } from '../helpers/load-gate.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

/** Previews one person may have in flight (PREVIEWS_PER_PERSON's default). */
const PREVIEWS_PER_PERSON = 2
/** The least LOADED_BYTES_PER_MINUTE_PER_PERSON the server takes: a board of 1,000 claims (some 500 KB) is past it. */
const LEAST_LOADED_BYTES = 65_536

type ErrorBody = { error: { code: string; message: string } }
type PreviewBody = { outcome: string; claims: unknown[] }

/** `claims` cited sentences, one a line. */
function documentOf(claims: number): string {
  return Array.from({ length: claims }, (_, i) => `Unit ${i} of the column moved north at dawn. [citation: Source ${i % 20}]`).join('\n')
}

describeEachDialect(postgresMissing, 'import previews sent by one member, on %s', (dialect) => {
  const logReads = new LoadGate('before-read')
  let server: TestServer
  let open: HeldRoom | null = null

  afterEach(async () => {
    logReads.release()
    open?.release()
    open = null
    await server.destroy()
  })

  async function member(name: string): Promise<ApiClient> {
    const account = await addAccount(server, { name })
    return apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
  }

  /** Mallory's board holding `claims` claims, and Alice's small board; Mallory's stays loaded, so the gate sees only reads of the log. */
  async function boards(claims: number, env: Record<string, string> = {}) {
    server = await startTestServer({ dialect, accounts: true, wrapStorage: logReads.wrap, env })
    const mallory = await member('Mallory Previewer')
    const alice = await member('Alice Analyst')
    const malloryBoard = await mallory.createBoard('Heavy board')
    const aliceBoard = await alice.createBoard('Grain corridor')
    open = await server.services.rooms.acquire(malloryBoard)
    expect((await mallory.post(`/api/boards/${malloryBoard}/import`, { text: documentOf(claims) })).status).toBe(200)
    return { mallory, alice, malloryBoard, aliceBoard }
  }

  const preview = (api: ApiClient, boardId: string, text: string) => api.post<PreviewBody | ErrorBody>(`/api/boards/${boardId}/import`, { text, preview: true })
  const codeOf = (answer: ApiResponse<PreviewBody | ErrorBody>) => (answer.body as ErrorBody).error.code

  it('refuses previews past the per-person bound before reading anything, and a document with no citation before reading the board', async () => {
    const { mallory, alice, malloryBoard, aliceBoard } = await boards(20)

    // A document with no citation is refused without a read of the board.
    const readsBefore = logReads.loads
    const uncited = await preview(mallory, malloryBoard, 'Nothing cited here.')
    expect(uncited.status).toBe(400)
    expect(logReads.loads).toBe(readsBefore)

    // Two previews held as they read the log: Mallory's bound is reached.
    logReads.hold(PREVIEWS_PER_PERSON)
    const held = Array.from({ length: PREVIEWS_PER_PERSON }, () => preview(mallory, malloryBoard, documentOf(3)))
    await waitFor(() => logReads.waiting === PREVIEWS_PER_PERSON, 'Mallory’s previews to be reading the board')
    const readsHeld = logReads.loads

    const past = await Promise.all([documentOf(3), documentOf(3), 'Nothing cited here.'].map((text) => preview(mallory, malloryBoard, text)))
    for (const refused of past) {
      expect(refused.status).toBe(429)
      expect(codeOf(refused)).toBe('too_many_previews')
      expect(refused.headers.get('retry-after')).toBe('5')
    }
    expect((past[0]!.body as ErrorBody).error.message).toMatch(/You have 2 import previews in flight .*PREVIEWS_PER_PERSON.*try again in 5 s/)
    expect(logReads.loads).toBe(readsHeld)

    // Another member is not held by Mallory's bound: her read and her own preview answer.
    expect((await alice.get(`/api/boards/${aliceBoard}`)).status).toBe(200)
    const hers = await preview(alice, aliceBoard, documentOf(2))
    expect(hers.status).toBe(200)
    expect((hers.body as PreviewBody).claims).toHaveLength(2)
    // Mallory's imports are counted apart from her previews.
    expect((await mallory.post(`/api/boards/${malloryBoard}/import`, { text: 'The depot burned at dusk. [citation: Wire]' })).status).toBe(200)

    logReads.release()
    for (const answer of await Promise.all(held)) expect(answer.status).toBe(200)
    // Once answered, the bound is free again.
    expect((await preview(mallory, malloryBoard, 'The bridge was down by noon. [citation: Wire]')).status).toBe(200)
  })

  it('counts each read of the log for a preview or an import against its person’s loaded bytes a minute', async () => {
    const { mallory, alice, malloryBoard, aliceBoard } = await boards(1_000, { LOADED_BYTES_PER_MINUTE_PER_PERSON: String(LEAST_LOADED_BYTES), ROOM_IDLE_MS: '0' })

    // The first read of her board puts Mallory past her minute; the next preview and import are refused before reading it.
    expect((await preview(mallory, malloryBoard, documentOf(3))).status).toBe(200)
    const readsBefore = logReads.loads
    const previewed = await preview(mallory, malloryBoard, documentOf(3))
    expect(previewed.status).toBe(429)
    expect(codeOf(previewed)).toBe('loading_too_much')
    const imported = await mallory.post<ErrorBody>(`/api/boards/${malloryBoard}/import`, { text: 'The depot burned at dusk. [citation: Wire]' })
    expect(imported.status).toBe(429)
    expect(imported.body.error.code).toBe('loading_too_much')
    expect(logReads.loads).toBe(readsBefore)

    // Alice's minute is her own; her board, which nobody holds, is previewed from its log without being loaded.
    await waitFor(() => !server.services.rooms.loadedRooms.has(aliceBoard), 'Alice’s board, held by nobody, to unload')
    const aliceReads = logReads.loads
    expect((await preview(alice, aliceBoard, documentOf(2))).status).toBe(200)
    // One read of her board's log, the preview's: loading the room would have read it too.
    expect(logReads.loads).toBe(aliceReads + 1)
    expect(server.services.rooms.loadedRooms.has(aliceBoard)).toBe(false)
    expect((await alice.get(`/api/boards/${aliceBoard}`)).status).toBe(200)
  })
})
