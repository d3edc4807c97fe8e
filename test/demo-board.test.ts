import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_TITLE, seedDemoBoardIfNone } from '../server/demo/seed-demo-board.ts'
import type { BoardModel } from '../shared/board-model.ts'
import type { ChecksReport } from '../shared/checks-report.ts'
import { apiClient } from './helpers/api.ts'
import { openAccess } from './helpers/open-access.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'

describe('demo board', () => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('imports the sample article, grades its sources and links assessments to claims', async () => {
    server = await startTestServer({ access: () => openAccess() })
    // A new server has no board: the demo board is made, as `serve` makes it on a new install.
    const id = await seedDemoBoardIfNone(server.services, { userId: null, tokenId: null, name: 'demo', isAdmin: true, via: 'open' })
    if (id === null) throw new Error('a new server already had a board')
    const { body: board } = await apiClient(server.url).get<BoardModel>(`/api/boards/${id}`)
    expect(board.title).toBe(DEMO_TITLE)
    expect(board.documents).toHaveLength(1)
    expect(board.sources.map((s) => `${s.name} ${s.reliability}`)).toEqual(
      expect.arrayContaining(['NATO B', 'Western intelligence C', 'international observers F']),
    )
    // Every source says what kind it is: the briefing's sources table has no empty column.
    expect(board.sources.filter((s) => s.kind === '').map((s) => s.name)).toEqual([])
    expect(board.claims.length).toBeGreaterThan(20)
    expect(board.assessments.map((a) => a.kind)).toEqual(['key-judgment', 'key-judgment', 'assessment', 'hypothesis', 'hypothesis'])
    expect(board.links).toHaveLength(8)
    // It shows ACH at work: two competing hypotheses that its evidence tells apart, so the board's own checks find nothing.
    const { body: checks } = await apiClient(server.url).get<ChecksReport>(`/api/boards/${id}/checks`)
    expect(checks.findings.filter((f) => f.subject.kind === 'board')).toEqual([])
    const nuclear = board.claims.find((c) => c.text.includes('no immediate signs of Russia preparing to employ nuclear weapons'))
    expect(nuclear?.credibility).toBe(2)
  })
})
