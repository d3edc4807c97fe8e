/**
 * A briefing's size grows with the board, not with links × text, and has a
 * ceiling (BRIEFING_MAX_CHARS), through the real server. The red team's board
 * (20 claims of 20,000 characters, 500 assessments each citing all 20) made
 * every citation quote its claim whole: 200 MB of Markdown, HTML and STIX, and
 * a DOCX whose rendering aborted the whole server process. Here the same shape
 * at a fifth of its claims and a fifth of its assessments: each claim is now
 * quoted once, and a board whose text alone is past the ceiling is refused
 * before rendering while the server, and another board's editors, carry on.
 */
import { describe, expect, it } from 'vitest'
import type { BatchOperation } from '../../shared/board-batch.ts'
import { addSource } from '../../shared/board-mutations.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { useOwnedBoard, type OwnedBoard } from '../helpers/owned-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

const CLAIM_CHARS = 20_000
const MAX_BRIEFING_CHARS = 600_000
/** What one citation may add besides the claim's text (its attribution, rating, note number; a STIX relationship and reference). */
const PER_LINK_BYTES = 1_500

/** A claim's text: words that differ from one claim to the next, so that each can be found in a file. */
const claimText = (seed: number) => {
  let text = `Claim ${seed}:`
  for (let i = seed + 1; text.length < CLAIM_CHARS; i = (i * 1103515245 + 12345) & 0x7fffffff) text += ` ${(i % 100_000).toString(36)}`
  return text.slice(0, CLAIM_CHARS)
}

/** A source, `claims` claims of CLAIM_CHARS characters, and `assessments` assessments each citing every claim, in one batch. */
async function seed(board: OwnedBoard, boardId: string, claims: number, assessments: number): Promise<string[]> {
  const texts = Array.from({ length: claims }, (_, i) => claimText(i + claims * 1000))
  const operations: BatchOperation[] = [
    { op: 'add', collection: 'sources', ref: 'src', input: { name: 'NATO', reliability: 'B' } },
    ...texts.map((text, c): BatchOperation => ({ op: 'add', collection: 'claims', ref: `c${c}`, input: { text, sourceId: '@src', credibility: 2 } })),
    ...Array.from({ length: assessments }, (_, a): BatchOperation[] => [
      { op: 'add', collection: 'assessments', ref: `a${a}`, input: { title: `Assessment ${a + 1}`, kind: 'assessment' } },
      ...texts.map((_text, c): BatchOperation => ({ op: 'add', collection: 'links', input: { assessmentId: `@a${a}`, claimId: `@c${c}`, rating: 'C' } })),
    ]).flat(),
  ]
  const response = await board.api.post(`/api/boards/${boardId}/batch`, { operations })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return texts
}

/** The export as the holder of `token` asks for it. */
async function exportOf(board: OwnedBoard, token: string, boardId: string, format: string): Promise<{ status: number; body: Buffer }> {
  const response = await fetch(`${board.server.url}/api/boards/${boardId}/export?format=${format}`, { headers: { authorization: `Bearer ${token}` } })
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) }
}

describe('the size of a briefing', () => {
  const board = useOwnedBoard({ owner: 'Olivia Owner', board: 'Amplified', env: { BRIEFING_MAX_CHARS: String(MAX_BRIEFING_CHARS) } })

  it('grows with the board’s text, not with links × text: each claim is quoted once', async () => {
    const claims = 4
    const assessments = 100
    const texts = await seed(board, board.boardId, claims, assessments)
    const { token } = await addToken(board.server, board.owner)
    const bound = claims * CLAIM_CHARS + claims * assessments * PER_LINK_BYTES
    for (const format of ['md', 'html', 'docx', 'stix']) {
      const exported = await exportOf(board, token, board.boardId, format)
      expect(exported.status, format).toBe(200)
      // Quoted in every citation, the 400 citations alone were 8 million characters.
      expect(exported.body.length, format).toBeLessThan(bound)
    }
    const markdown = (await exportOf(board, token, board.boardId, 'md')).body.toString('utf8')
    for (const text of texts) expect(markdown.split(text.slice(0, 200))).toHaveLength(2)
    // The second assessment's citations refer to the first's notes, which quote the claims.
    expect(markdown).toMatch(/\[\^5\]: \u2068NATO\u2069 \(B2\), see note [1-4] — consistent \(C\)\./)
  })

  it('refuses a briefing past BRIEFING_MAX_CHARS with 422 before rendering it, to a reviewer too, while another board’s editors carry on', async () => {
    const editor = await board.connectEditor('Eve Editor')
    const reader = await board.connectAs(board.owner)
    const large = await board.api.createBoard('Long texts')
    const reviewer = await addAccount(board.server, { name: 'Rita Reviewer' })
    await addMember(board.server, large, reviewer, 'reviewer')
    const { token } = await addToken(board.server, reviewer)
    // 40 claims of 20,000 characters, each cited once: 800,000 characters of text, past the ceiling of 600,000.
    await seed(board, large, 40, 1)

    for (const format of ['docx', 'pdf', 'md', 'html']) {
      const refused = await exportOf(board, token, large, format)
      expect(refused.status, format).toBe(422)
      const { error } = JSON.parse(refused.body.toString('utf8')) as { error: { code: string; message: string } }
      expect(error.code).toBe('briefing_too_large')
      expect(error.message).toMatch(/would hold 8\d\d,\d\d\d characters of text, more than the 600,000 this server renders \(BRIEFING_MAX_CHARS\)/)
    }
    // The bundle and the board's JSON are bounded by the board itself.
    expect((await exportOf(board, token, large, 'stix')).status).toBe(200)

    // The server is up, and the other board still syncs between its editors.
    expect((await fetch(`${board.server.url}/healthz`)).status).toBe(200)
    addSource(editor.client.doc, { name: 'Reuters', reliability: 'A' })
    await waitFor(() => reader.doc.getMap('sources').size === 1 || undefined, 'the owner’s page to see the editor’s source')
  })
})
