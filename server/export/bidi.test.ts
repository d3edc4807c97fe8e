import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ACCENTED_CLAIM, fixtureBoards, fixtureSnapshot } from '../../test/helpers/fixture-board.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { buildBriefing } from './briefing-model.ts'
import { renderHtml } from './render-html.ts'
import { renderMarkdown } from './render-markdown.ts'
import { renderPdf } from './render-pdf.ts'
import { pdfPages } from '../../test/helpers/pdf-layout.ts'

const RLO = '\u202E'
const { previous, board } = fixtureBoards()

/** The board with a source's name and a claim ended by `end`, and another source's name split by `split`. */
function written(model: BoardModel, end: string, split: string): BoardModel {
  return {
    ...model,
    sources: model.sources.map((s) =>
      s.name === 'Western intelligence' ? { ...s, name: `Western intelligence${end}` } : s.name === 'Open forum' ? { ...s, name: `Open${split} forum` } : s,
    ),
    claims: model.claims.map((c) => (c.text === ACCENTED_CLAIM ? { ...c, text: `${ACCENTED_CLAIM}${end}` } : c)),
  }
}

/** An unterminated right-to-left override at the end of a source's name and of a claim; a stray PDI of a member's own in another name. */
const hostile = (model: BoardModel) => written(model, RLO, '\u2069')
const briefing = buildBriefing(hostile(board), fixtureSnapshot(hostile(previous)))

describe('member text inside the briefing’s own sentences', () => {
  it('is a <bdi> in the HTML: footnotes, citations, the sources and ACH tables', () => {
    const html = renderHtml(briefing)
    expect(html).toContain(`<bdi>Western intelligence${RLO}</bdi> (C4): “<bdi>${ACCENTED_CLAIM}${RLO}</bdi>” (added by hand) — consistent (C).`)
    expect(html).toContain(`<bdi>Western intelligence${RLO}</bdi> (C3)<sup>`)
    expect(html).toContain(`<tr><td><bdi>Western intelligence${RLO}</bdi></td>`)
    expect(html).toContain(`<tr><td><bdi>${ACCENTED_CLAIM}${RLO}</bdi></td>`)
    expect(html).toContain(`<td><bdi>Western intelligence${RLO}</bdi> (C4)</td>`)
    // What changed since the previous version: names and quotations alike.
    expect(html).toContain(`<li>Claim <bdi>Western intelligence${RLO}</bdi> (C4) “<bdi>${ACCENTED_CLAIM}${RLO}</bdi>” linked to “<bdi>`)
    // A member's own PDI cannot end the isolation early.
    expect(html).toContain('<bdi>Open forum</bdi> (F6)')
    expect(html.split('<bdi>').length).toBe(html.split('</bdi>').length)
  })

  it('is between FSI and PDI in the Markdown', () => {
    const markdown = renderMarkdown(briefing)
    expect(markdown).toContain(`\u2068Western intelligence${RLO}\u2069 (C3)[^1]`)
    expect(markdown).toContain(`| \u2068${ACCENTED_CLAIM}${RLO}\u2069 | \u2068Western intelligence${RLO}\u2069 (C4) |`)
  })

  it('draws no bidi control in the PDF, which applies no bidi algorithm and has no glyph for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-bidi-'))
    try {
      // Roboto has no glyph for them: drawn, each is a box that moves the words after it.
      const layouts = await Promise.all(
        [hostile, (model: BoardModel) => written(model, '', '')].map(async (write, i) => {
          const file = join(dir, `briefing-${i}.pdf`)
          writeFileSync(file, await renderPdf(buildBriefing(write(board), fixtureSnapshot(write(previous)))))
          return pdfPages(file)
        }),
      )
      expect(layouts[0]!.flatMap((p) => p.words).map((w) => w.text)).toContain('(C3)')
      expect(layouts[0]).toEqual(layouts[1])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
