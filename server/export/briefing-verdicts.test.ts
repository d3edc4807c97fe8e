/**
 * A reviewer's verdict on a snapshot's key judgment is printed with that
 * judgment in every briefing format, and the review line says verdicts were
 * given, where before only STIX carried them and the briefing read "Not
 * reviewed: no reviewer has signed this snapshot off." alone (red team 37c).
 */
import { describe, expect, it } from 'vitest'
import { dropBidiControls } from './bidi.ts'
import { buildBriefing } from './briefing-model.ts'
import type { BriefingVersion } from './briefing-version.ts'
import { fixtureBoards, fixtureSnapshot } from '../../test/helpers/fixture-board.ts'
import { BRIEFING_FORMATS, readerText, type BriefingFormat } from '../../test/helpers/briefing-text.ts'
import { renderDocx } from './render-docx.ts'
import { renderHtml } from './render-html.ts'
import { renderMarkdown } from './render-markdown.ts'
import { renderPdf } from './render-pdf.ts'

const { board, previous } = fixtureBoards()
const judgment = board.assessments.find((a) => a.kind === 'key-judgment')!
const version: BriefingVersion = {
  ...(fixtureSnapshot(previous) as Extract<BriefingVersion, { kind: 'snapshot' }>),
  verdicts: [{ assessmentId: judgment.id, reviewerId: 'u-rita', reviewerName: 'Rita Reviewer', verdict: 'strongly-disagree', createdAt: '2026-11-28T16:00:00.000Z' }],
  signoffs: [],
}

async function rendered(format: BriefingFormat): Promise<string> {
  const briefing = buildBriefing(board, version)
  const body = { md: () => renderMarkdown(briefing), html: () => renderHtml(briefing), docx: () => renderDocx(briefing), pdf: () => renderPdf(briefing) }[format]
  return dropBidiControls(readerText(format, await body()))
}

describe('reviewers’ verdicts in every briefing format', () => {
  it('puts each verdict with its assessment: verdict, reviewer and DTG', () => {
    const briefing = buildBriefing(board, version)
    const printed = briefing.sections.flatMap((s) => s.assessments).find((a) => a.id === judgment.id)!
    expect(printed.verdicts.map(dropBidiControls)).toEqual(['Strongly disagree: Rita Reviewer, 281600Z NOV 26'])
    expect(briefing.review.status).toBe('not-reviewed')
    expect(briefing.review.statement).toBe(
      'Not reviewed: no reviewer has signed this snapshot off. 1 reviewer gave 1 verdict on its assessments, shown with each; a verdict is not a sign-off.',
    )
  })

  for (const format of BRIEFING_FORMATS) {
    it(`prints the verdict under its key judgment in ${format}`, async () => {
      const text = await rendered(format)
      const title = text.indexOf(judgment.title)
      const caption = text.indexOf('Reviewers’ verdicts:', title)
      expect(title).toBeGreaterThanOrEqual(0)
      expect(caption).toBeGreaterThan(title)
      expect(text.indexOf('Strongly disagree: Rita Reviewer, 281600Z NOV 26', caption)).toBeGreaterThan(caption)
      expect(text).toContain('1 reviewer gave 1 verdict on its assessments')
    })
  }
})
