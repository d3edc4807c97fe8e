/**
 * An import citing many sources costs in proportion to them: planning it
 * looked through every source on the board for each name the document cites,
 * 13.7 s for 10,000 names on a board of 10,000 sources (43.7 s in the red
 * team's run), past an import's time budget. Against a real server: a second
 * document of 10,000 claims, citing 9,950 of the same sources in other case and
 * spacing and 25 new ones twice each, is imported within a budget of 10 s,
 * each source and each claim landing exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { apiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type ImportBody = { outcome: string; createdSourceIds: string[]; createdClaimIds: string[] }

/** The most claims one import takes (MAX_CLAIMS_PER_DOCUMENT). */
const SOURCES = 10_000
const CITED_AGAIN = 9_950
const NEW_SOURCES = 25

/** One cited sentence a line, each of its own source; `name` spells the source's name. */
function documentCiting(count: number, sentence: (i: number) => string, name: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => `${sentence(i)} [citation: ${name(i)}]`).join('\n')
}

describe('an import citing many sources', () => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('finds each of 10,000 sources on the board once, and adds each claim once', async () => {
    server = await startTestServer({ env: { IMPORT_TIME_BUDGET_MS: '10000' } })
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Many sources')
    const importText = (text: string) => api.post<ImportBody>(`/api/boards/${boardId}/import`, { text })

    const first = await importText(documentCiting(SOURCES, (i) => `Unit ${i} moved north.`, (i) => `Source ${i}`))
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect([first.body.outcome, first.body.createdSourceIds.length, first.body.createdClaimIds.length]).toEqual(['import', SOURCES, SOURCES])

    // The same sources in other case and spacing, then new ones, each cited twice.
    const second = await importText(
      documentCiting(SOURCES, (i) => `Unit ${i} moved south.`, (i) => (i < CITED_AGAIN ? ` SOURCE  ${i} ` : `Other source ${i % NEW_SOURCES}`)),
    )
    expect(second.status, JSON.stringify(second.body)).toBe(200)
    expect([second.body.outcome, second.body.createdSourceIds.length, second.body.createdClaimIds.length]).toEqual(['import', NEW_SOURCES, SOURCES])

    const board = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    expect(board.sources).toHaveLength(SOURCES + NEW_SOURCES)
    expect(new Set(board.sources.map((s) => s.name)).size).toBe(SOURCES + NEW_SOURCES)
    expect(board.claims).toHaveLength(2 * SOURCES)
    const claimsOf = new Map<string, string[]>()
    for (const claim of board.claims) claimsOf.set(claim.sourceId, [...(claimsOf.get(claim.sourceId) ?? []), claim.text])
    const sourceNamed = new Map(board.sources.map((s) => [s.name, s.id]))
    expect(claimsOf.get(sourceNamed.get('Source 7')!)?.sort()).toEqual(['Unit 7 moved north.', 'Unit 7 moved south.'])
    expect(claimsOf.get(sourceNamed.get(`Source ${SOURCES - 1}`)!)).toEqual([`Unit ${SOURCES - 1} moved north.`])
    expect(claimsOf.get(sourceNamed.get('Other source 3')!)?.sort()).toEqual([`Unit ${CITED_AGAIN + 3} moved south.`, `Unit ${CITED_AGAIN + 28} moved south.`])
    const expected = (name: string) => (name.startsWith('Other') ? 2 : Number(name.split(' ')[1]) < CITED_AGAIN ? 2 : 1)
    expect(board.sources.filter((s) => claimsOf.get(s.id)?.length !== expected(s.name)).map((s) => s.name)).toEqual([])
  })
})
