import { describe, expect, it } from 'vitest'
import { buildBriefing } from './briefing-model.ts'
import { blufLines, fixtureBoards, fixtureSnapshot, XSS_CLAIM } from '../../test/helpers/fixture-board.ts'
import { inline, renderMarkdown } from './render-markdown.ts'

const { previous, board } = fixtureBoards()
const briefing = buildBriefing(board, fixtureSnapshot(previous))
const markdown = renderMarkdown(briefing)
/** What a reader sees once the backslash escapes are read. */
const shown = markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1')

describe('renderMarkdown', () => {
  it('opens and closes with the marking, then title, DTG, version and hash', () => {
    const lines = markdown.trimEnd().split('\n')
    expect(lines[0]).toBe('**TLP:AMBER**')
    expect(lines.at(-1)).toBe('**TLP:AMBER**')
    expect(lines[2]).toBe(`# ${inline(briefing.title)}`)
    expect(shown).toContain(`Date-time group:** ${briefing.dtg}`)
    expect(shown).toContain(briefing.version.description)
    expect(shown).toContain(briefing.version.hash)
  })

  it('matches the model: every assessment with its sentences and citations, each footnote defined once', () => {
    for (const section of briefing.sections) {
      expect(markdown).toContain(`## ${section.heading}`)
      for (const a of section.assessments) {
        expect(shown).toContain(`### ${a.number}. ${a.title}`)
        for (const p of a.judgment) expect(shown).toContain(p)
        expect(markdown).toContain(`\n${a.likelihood}\n`)
        expect(markdown).toContain(`\n${a.confidence}\n`)
        for (const c of [...a.supporting, ...a.contradicting, ...a.retracted]) {
          expect(shown).toContain(`${c.attribution}[^${c.note}]`)
          expect(shown.split(`[^${c.note}]: ${c.footnote}\n`)).toHaveLength(2)
        }
      }
    }
    for (const line of blufLines(briefing)) expect(shown).toContain(line)
    for (const item of briefing.changes!.items) expect(shown).toContain(`- ${item}`)
    for (const s of briefing.sources) expect(shown).toContain(`| ${s.reliability}: ${s.reliabilityLabel} |`)
  })

  it('draws the likelihood × impact grid as a table', () => {
    expect(markdown).toContain('| Likelihood | minimal | minor | moderate | major | severe |')
    expect(markdown).toContain('| likely (55–80%) |   |   | 3 | 1 |   |')
  })

  it('keeps markup in a claim inert: no raw HTML, links or headings can come from board text', () => {
    expect(shown).toContain(XSS_CLAIM)
    expect(markdown).not.toMatch(/(^|[^\\])</m)
    expect(markdown).toContain('\\<img src=x onerror=alert(1)\\>')
    expect(inline('# [x](javascript:alert(1)) | *y*\n- z')).toBe('\\# \\[x\\](javascript:alert(1)) \\| \\*y\\* - z')
    expect(inline('1. not a list')).toBe('1\\. not a list')
  })

  it('leaves no bare address for GFM to make a link of, showing the same text', () => {
    const text = 'See https://evil.invalid/a?b=c, ftp://x.invalid, WWW.evil.invalid and www.evil.invalid/doc; mail analyst@evil.invalid or mailto:a@b.invalid at 12:30'
    const escaped = inline(text)
    expect(escaped).toBe(
      'See https\\://evil.invalid/a?b=c, ftp\\://x.invalid, WWW\\.evil.invalid and www\\.evil.invalid/doc; mail analyst\\@evil.invalid or mailto:a\\@b.invalid at 12:30',
    )
    expect(escaped.replace(/\\([!-/:-@[-`{-~])/g, '$1')).toBe(text)
  })
})
