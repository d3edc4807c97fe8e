import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { buildBriefing } from './briefing-model.ts'
import { blufLines, CYRILLIC_CLAIM, fixtureBoards, fixtureSnapshot, XSS_CLAIM } from '../../test/helpers/fixture-board.ts'
import { renderHtml } from './render-html.ts'
import { dropBidiControls } from './bidi.ts'

/** jsdom ships no types; this is all of it the test uses. */
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: { document: Document } } }

const { previous, board } = fixtureBoards()
const briefing = buildBriefing(board, fixtureSnapshot(previous))
const html = renderHtml(briefing)
const page = new JSDOM(html).window.document
const text = (selector: string) => [...page.querySelectorAll(selector)].map((e) => e.textContent ?? '')

describe('renderHtml', () => {
  it('is one self-contained page: inline styles, no scripts, nothing fetched', () => {
    expect(page.querySelectorAll('script, link, img, iframe, object, embed')).toHaveLength(0)
    expect(page.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    )
    expect(page.querySelector('style')?.textContent).toContain('@media print')
  })

  it('carries the marking in TLP colours at the top and bottom, repeated on every printed page', () => {
    expect(text('thead .marking')).toEqual(['TLP:AMBER'])
    expect(text('tfoot .marking')).toEqual(['TLP:AMBER'])
    expect(page.querySelector('style')?.textContent).toMatch(/\.marking \{ background: #000000; color: #FFC000;/)
  })

  it('matches the model: title, version, BLUF, every assessment with its citations and notes', () => {
    expect(text('h1')).toEqual([briefing.title])
    expect(text('dl.version dd')).toEqual([briefing.dtg, dropBidiControls(briefing.version.description), briefing.version.hash, briefing.question, briefing.scope.statement, briefing.review.statement])
    // A <bdi> is the isolate: the text a reader sees holds no control.
    expect(text('.bluf li')).toEqual(blufLines(briefing).map(dropBidiControls))
    const assessments = briefing.sections.flatMap((s) => s.assessments)
    expect(text('article h3')).toEqual(assessments.map((a) => `${a.number}. ${a.title}`))
    expect(text('.likelihood')).toEqual(assessments.map((a) => a.likelihood))
    expect(text('.confidence')).toEqual(assessments.map((a) => a.confidence))
    const citations = assessments.flatMap((a) => [...a.supporting, ...a.contradicting, ...a.retracted])
    expect(text('.notes li')).toEqual(citations.map((c) => dropBidiControls(c.footnote)))
    for (const c of citations) expect(page.querySelector(`a[href="#note-${c.note}"]`)?.textContent).toBe(String(c.note))
    expect(text('section.changes > ul li')).toEqual(briefing.changes!.items.map(dropBidiControls))
  })

  it('draws the grid as a figure with shaded cells', () => {
    const rows = [...page.querySelectorAll('figure table.grid tbody tr')]
    expect(rows).toHaveLength(7)
    const likely = rows.find((r) => r.querySelector('th')?.textContent?.startsWith('likely '))!
    expect([...likely.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['', '', '3', '1', ''])
    expect(likely.querySelector('td')?.className).toMatch(/^risk-(low|medium|high)$/)
    expect(page.querySelector('figcaption')?.textContent).toContain('Figure 1.')
  })

  it('keeps markup in board text inert', () => {
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(page.querySelectorAll('[onerror]')).toHaveLength(0)
    expect(page.body.textContent).toContain(XSS_CLAIM)
    expect(page.body.textContent).toContain(CYRILLIC_CLAIM)
    const hostile = renderHtml({ ...briefing, title: '</title><script>alert(1)</script>', marking: '"><b>x' })
    const hostilePage = new JSDOM(hostile).window.document
    expect(hostilePage.querySelectorAll('script, b')).toHaveLength(0)
    expect(hostilePage.title).toContain('</title><script>alert(1)</script>')
  })
})
