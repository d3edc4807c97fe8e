import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { allCitations, buildBriefing } from './briefing-model.ts'
import { blufLines, fixtureBoards, fixtureSnapshot, wordText } from '../../test/helpers/fixture-board.ts'
import { renderDocx } from './render-docx.ts'

const { previous, board } = fixtureBoards()
const briefing = buildBriefing(board, fixtureSnapshot(previous))
const citations = allCitations(briefing)

let dir: string
let docx: Uint8Array
let file: string

/** One part of the .docx, read by the system's unzip as any consumer would. */
const part = (name: string) => execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' })
const parts = () => execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).split('\n').filter(Boolean)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'assay-docx-'))
  docx = await renderDocx(briefing)
  file = join(dir, 'briefing.docx')
  writeFileSync(file, docx)
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => vi.useRealTimers())

describe('renderDocx', () => {
  it('writes every key judgment, the BLUF and the version into the document body', () => {
    const body = wordText(part('word/document.xml'))
    for (const kj of briefing.sections[0]!.assessments) {
      expect(body).toContain(`${kj.number}. ${kj.title}`)
      expect(body).toContain(kj.likelihood)
      expect(body).toContain(kj.confidence)
    }
    for (const line of blufLines(briefing)) expect(body).toContain(line)
    expect(body).toContain(briefing.dtg)
    expect(body).toContain(briefing.version.hash)
    expect(body).toContain(briefing.changes!.items[0]!)
  })

  it('uses real headings', () => {
    const xml = part('word/document.xml')
    expect(xml).toContain('<w:pStyle w:val="Title"/>')
    expect(xml).toContain('<w:pStyle w:val="Heading1"/>')
    expect(xml).toContain('<w:pStyle w:val="Heading2"/>')
  })

  it('makes each citation a real footnote, referenced from the body', () => {
    const xml = part('word/document.xml')
    const notes = wordText(part('word/footnotes.xml'))
    expect(citations.length).toBeGreaterThan(5)
    for (const c of citations) {
      expect(xml).toContain(`<w:footnoteReference w:id="${c.note}"/>`)
      expect(notes).toContain(c.footnote)
    }
    expect(notes).toContain('<img src=x onerror=alert(1)>')
    expect(notes).toContain('«Пригожин»')
  })

  it('prints the marking in the header and the footer, with page numbers', () => {
    const headers = parts().filter((p) => /^word\/header\d+\.xml$/.test(p))
    const footers = parts().filter((p) => /^word\/footer\d+\.xml$/.test(p))
    expect(headers.length).toBeGreaterThan(0)
    expect(footers.length).toBeGreaterThan(0)
    for (const h of headers) expect(wordText(part(h))).toContain('TLP:AMBER')
    for (const f of footers) {
      expect(wordText(part(f))).toContain('TLP:AMBER')
      expect(part(f)).toContain('>PAGE</w:instrText>')
    }
    // Every page uses them: the one section refers to its default header and footer.
    expect(part('word/document.xml')).toMatch(/<w:headerReference w:type="default"[^>]*>[\s\S]*<w:footerReference w:type="default"/)
  })

  it('gives the same bytes for the same snapshot, whenever it is rendered', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2031-07-04T12:00:00Z'))
    const again = await renderDocx(buildBriefing(board, fixtureSnapshot(previous)))
    expect(Buffer.from(again).equals(Buffer.from(docx))).toBe(true)
    expect(part('docProps/core.xml')).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-28T15:30:00.000Z</dcterms:created>')
  })
})
