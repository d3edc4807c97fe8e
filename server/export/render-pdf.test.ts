import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { allCitations, buildBriefing } from './briefing-model.ts'
import { ACCENTED_CLAIM, blufLines, CYRILLIC_CLAIM, fixtureBoards, fixtureSnapshot, XSS_CLAIM } from '../../test/helpers/fixture-board.ts'
import { MAX_MARKING_LINES } from './pdf-marking.ts'
import { renderPdf } from './render-pdf.ts'
import { dropBidiControls } from './bidi.ts'

const { previous, board } = fixtureBoards()
const briefing = buildBriefing(board, fixtureSnapshot(previous))
const citations = allCitations(briefing)

let dir: string
let pdf: Uint8Array
/** The PDF's text as pdftotext (poppler-utils) reads it, one string per page. */
let pages: string[]

/** Lines wrap wherever the layout puts them: compare texts with their white space collapsed. */
const flat = (text: string) => text.replace(/\s+/g, ' ').trim()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'assay-pdf-'))
  pdf = await renderPdf(briefing)
  const file = join(dir, 'briefing.pdf')
  writeFileSync(file, pdf)
  pages = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim())
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => vi.useRealTimers())

describe('renderPdf', () => {
  it('holds every key judgment, its sentences, the BLUF and the version', () => {
    const text = flat(pages.join('\n'))
    for (const kj of briefing.sections[0]!.assessments) {
      expect(text).toContain(`${kj.number}. ${kj.title}`)
      expect(text).toContain(kj.likelihood)
      expect(text).toContain(kj.confidence)
    }
    for (const line of blufLines(briefing)) expect(text).toContain(flat(dropBidiControls(line)))
    expect(text).toContain(briefing.dtg)
    expect(text).toContain(briefing.version.hash)
  })

  it('holds every footnote, accents, Cyrillic and curly quotes intact', () => {
    const text = flat(pages.join('\n'))
    for (const c of citations) expect(text).toContain(flat(dropBidiControls(c.footnote)))
    expect(text).toContain(CYRILLIC_CLAIM)
    expect(text).toContain(ACCENTED_CLAIM)
    expect(text).toContain(XSS_CLAIM)
  })

  it('prints the marking at the top and bottom of every page, with page numbers', () => {
    expect(pages.length).toBeGreaterThan(1)
    pages.forEach((page, i) => {
      const lines = page.split('\n').map((l) => l.trim()).filter(Boolean)
      expect(lines[0]).toBe('TLP:AMBER')
      expect(lines.at(-1)).toBe('TLP:AMBER')
      expect(lines).toContain(`Page ${i + 1} of ${pages.length}`)
    })
  })

  it('gives the same bytes for the same snapshot, whenever it is rendered', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2031-07-04T12:00:00Z'))
    const again = await renderPdf(buildBriefing(board, fixtureSnapshot(previous)))
    expect(Buffer.from(again).equals(Buffer.from(pdf))).toBe(true)
  })

  it('prints a marking far past its limit in bars of at most a few lines, cut with an ellipsis', async () => {
    // The model holds no marking this long (board-convert.ts); the PDF does not rely on it.
    const file = join(dir, 'long-marking.pdf')
    writeFileSync(file, await renderPdf({ ...briefing, marking: `TLP:AMBER ${'M'.repeat(20_000)}` }))
    const [first] = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).split('\f')
    const barLines = first!.split('\n').filter((line) => /^(TLP:AMBER )?M{5,}…?$/.test(line.trim()))
    expect(barLines.length).toBeGreaterThan(0)
    expect(barLines.length).toBeLessThanOrEqual(2 * MAX_MARKING_LINES)
    expect(barLines.at(-1)!.trim().endsWith('…')).toBe(true)
  })
})
