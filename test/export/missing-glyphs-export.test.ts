/**
 * Texts of characters the PDF's font has no glyph for (emoji, mathematical
 * letters, CJK), exported through the real server: the PDF prints each run of
 * them as "�" with their number and says so once; the other formats keep them.
 */
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ownerExport as exported, useOwnedBoard } from '../helpers/owned-board.ts'
import { tempDir } from '../helpers/test-server.ts'
import { REPLACED_NOTICE } from '../../server/export/pdf-missing-glyphs.ts'

/** The longest a member may make a bottom line (LIMITS.longText, in UTF-16 units), all emoji and mathematical letters: 10,000 characters. */
const ASTRAL_BLUF = '\u{1F4A9}\u{1D54F}'.repeat(5_000)
const MIXED_CLAIM = 'Convoy \u{1F4A9} seen near 東京, \u{1D54F}\u{1D54F}\u{1D54F} — Brest 👨‍👩‍👧 Vilnius'

describe('characters the PDF font cannot draw', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Emoji board' })

  it('prints each run of them as � with their number, says so once, and other formats keep them', async () => {
    const base = `/api/boards/${board.boardId}`
    const created = async (path: string, body: object) => {
      const response = await board.api.post<{ id: string }>(`${base}/${path}`, body)
      expect(response.status).toBe(201)
      return response.body.id
    }
    expect((await board.api.patch(base, { bluf: ASTRAL_BLUF })).status).toBe(200)
    const sourceId = await created('sources', { name: 'Reuters', kind: 'wire', reliability: 'A' })
    const claimId = await created('claims', { text: MIXED_CLAIM, sourceId, credibility: 2 })
    const assessmentId = await created('assessments', { title: 'Emoji judgment', kind: 'key-judgment', judgment: `Likely ${ASTRAL_BLUF}` })
    await created('links', { assessmentId, claimId, rating: 'C' })

    const dir = tempDir('assay-glyphs-pdf-')
    try {
      const file = join(dir, 'briefing.pdf')
      writeFileSync(file, await exported(board, 'pdf'))
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
      expect(text).toContain('Bottom line up front �×10000')
      expect(text).toContain('Likely �×10000')
      // The family's three emoji and the joiners between them are one run.
      expect(text).toContain('Convoy � seen near �×2, �×3 — Brest �×3 Vilnius')
      expect(text.split(REPLACED_NOTICE.replace(/\s+/g, ' ')).length - 1).toBe(1)
      expect(text).not.toContain('\u{1F4A9}')

      const markdown = (await exported(board, 'md')).toString('utf8')
      expect(markdown).toContain(MIXED_CLAIM)
      expect(markdown).toContain(ASTRAL_BLUF)
      expect(markdown).not.toContain('\uFFFD')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
