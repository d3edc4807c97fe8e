/**
 * An import preview changes nothing, so it takes no turn of its board: it
 * answers on the board as stored while a real import holds the turn, rather
 * than queueing behind it (and, on PostgreSQL, holding a connection of the
 * turns' pool). The gate on the update log's loads stops the import after it
 * read the board, inside its turn; the preview must answer while it is still
 * stopped. Run on SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { withDeadline } from '../../server/health/deadline.ts'
import type { HeldRoom } from '../../server/relay/room-registry.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { LoadGate } from '../helpers/load-gate.ts'
import { openAccess } from '../helpers/open-access.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

/** A whole story against a real server, on a loaded machine. */
const STORY_MS = 60_000
/** How long a preview may take to answer on a loaded machine: a bound, not a measurement. */
const ANSWER_MS = 15_000

type ImportBody = { outcome: string; sources: { name: string; id: string | null }[]; claims: { text: string }[] }

describeEachDialect(postgresMissing, 'an import preview while an import holds the board’s turn, on %s', (dialect) => {
  const readLoads = new LoadGate('after-read')
  let server: TestServer
  let api: ApiClient
  let boardId: string
  let open: HeldRoom | null = null

  beforeEach(async () => {
    server = await startTestServer({ dialect, access: () => openAccess(), wrapStorage: readLoads.wrap })
    api = apiClient(server.url)
    boardId = await api.createBoard('Previewed while imported')
    // The board stays open, so every load the gate sees is a read of the board as stored, not the room's.
    open = await server.services.rooms.acquire(boardId)
  }, STORY_MS)

  afterEach(async () => {
    readLoads.release()
    open?.release()
    open = null
    await server.destroy()
  }, STORY_MS)

  const importText = (text: string, preview = false) => api.post<ImportBody>(`/api/boards/${boardId}/import`, { text, preview })

  it('answers on the board as it is while the import waits in its turn, and the import still lands', async () => {
    expect((await importText('The convoy left at dawn. [citation: NATO]')).body.outcome).toBe('import')
    const held = 'The bridge was down by noon. [citation: Reuters]'
    readLoads.hold(1)
    const imported = importText(held)
    await waitFor(() => readLoads.waiting === 1, 'the import to hold the turn, having read the board')

    const preview = await withDeadline(importText('The depot burned at dusk. [citation: NATO]', true), ANSWER_MS, 'the preview while the import is held')
    expect(readLoads.waiting).toBe(1)
    expect(preview.status).toBe(200)
    // Planned on the board as stored: the source the first import added is reused.
    expect(preview.body.outcome).toBe('import')
    expect(preview.body.sources).toEqual([{ name: 'NATO', id: expect.any(String) }])
    expect(preview.body.claims.map((claim) => claim.text)).toEqual(['The depot burned at dusk.'])

    readLoads.release()
    expect((await imported).body.outcome).toBe('import')
    expect((await storedBoard(server, boardId)).claims.map((claim) => claim.text).sort()).toEqual(['The bridge was down by noon.', 'The convoy left at dawn.'])
    // A preview afterwards sees the import.
    expect((await importText(held, true)).body.outcome).toBe('already-imported')
  }, STORY_MS)
})
