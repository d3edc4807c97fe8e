/**
 * The JSON export carries a snapshot's review as every briefing format does, under its own `review` key beside the
 * board's content, where before it held the model alone and a reviewer's verdicts and sign-offs were in every other
 * format but this one.
 */
import { describe, expect, it } from 'vitest'
import { boardModelSchema } from '../../shared/board-model.ts'
import { isolatesForMachines } from './bidi.ts'
import { buildBriefing } from './briefing-model.ts'
import type { BriefingVersion } from './briefing-version.ts'
import { exportBoard } from './export-board.ts'
import type { JsonExport } from './render-json.ts'
import { fixtureBoards, fixtureSnapshot } from '../../test/helpers/fixture-board.ts'
import type { ExportScope } from '../../shared/export-scope.ts'

const { board, previous } = fixtureBoards()
const judgment = board.assessments.find((a) => a.kind === 'key-judgment' && a.status === 'final')!
const draft = board.assessments.find((a) => a.status === 'draft')!
const snapshot = fixtureSnapshot(previous) as Extract<BriefingVersion, { kind: 'snapshot' }>
const reviewed: BriefingVersion = {
  ...snapshot,
  // Given out of order: the export lists them oldest first, as the briefings do.
  verdicts: [
    { assessmentId: draft.id, reviewerId: 'u-rolf', reviewerName: 'Rolf Reviewer', verdict: 'neutral', createdAt: '2026-11-28T17:00:00.000Z' },
    { assessmentId: judgment.id, reviewerId: 'u-rita', reviewerName: 'Rita Reviewer', verdict: 'strongly-disagree', createdAt: '2026-11-28T16:00:00.000Z' },
  ],
  signoffs: [
    { reviewerName: 'Rolf Reviewer', decision: 'approved', note: '', createdAt: '2026-11-28T18:30:00.000Z' },
    { reviewerName: 'Rita Reviewer', decision: 'changes-requested', note: 'Cite NATO on the card.', createdAt: '2026-11-28T18:00:00.000Z' },
  ],
}

async function exported(version: BriefingVersion, scope: ExportScope = 'all'): Promise<JsonExport> {
  return JSON.parse(String((await exportBoard('json', board, version, { scope })).body)) as JsonExport
}

describe('the review in the JSON export', () => {
  it('carries the sign-offs and verdicts, oldest first, with the review line every briefing prints', async () => {
    const { review } = await exported(reviewed)
    expect(review.status).toBe('changes-requested')
    // The briefing's review line, without the isolates it sets around the names for display.
    expect(review.statement).toBe(isolatesForMachines(buildBriefing(board, reviewed).review.statement))
    expect(review.statement).toBe('Changes requested by Rita Reviewer; approved by Rolf Reviewer.')
    expect(review.signoffs).toEqual([
      { reviewer: 'Rita Reviewer', decision: 'changes-requested', note: 'Cite NATO on the card.', createdAt: '2026-11-28T18:00:00.000Z' },
      { reviewer: 'Rolf Reviewer', decision: 'approved', note: '', createdAt: '2026-11-28T18:30:00.000Z' },
    ])
    expect(review.verdicts).toEqual([
      { assessmentId: judgment.id, reviewer: 'Rita Reviewer', verdict: 'strongly-disagree', createdAt: '2026-11-28T16:00:00.000Z' },
      { assessmentId: draft.id, reviewer: 'Rolf Reviewer', verdict: 'neutral', createdAt: '2026-11-28T17:00:00.000Z' },
    ])
  })

  it('leaves out the verdicts on assessments its scope leaves out, as the briefings do', async () => {
    const { review, assessments } = await exported(reviewed, 'final')
    expect(assessments.map((a) => a.id)).not.toContain(draft.id)
    expect(review.verdicts.map((v) => v.assessmentId)).toEqual([judgment.id])
  })

  it('keeps the board’s content as the model, which a reader of the model reads without the review', async () => {
    const { review, ...content } = await exported(reviewed)
    expect(review).toBeDefined()
    expect(content).toEqual(board)
    expect(boardModelSchema.parse(await exported(reviewed))).toEqual(board)
  })

  it('says the live board is not reviewed, naming its latest review as the briefing does', async () => {
    const live: BriefingVersion = {
      kind: 'live',
      at: '2026-11-29T09:00:00.000Z',
      hash: 'sha256:live',
      latestReview: { label: 'v2', createdAt: '2026-11-28T15:30:00.000Z', hash: 'sha256:v2', statement: 'Approved by Rita Reviewer.' },
    }
    const { review } = await exported(live)
    expect(review).toEqual({ status: 'not-reviewed', statement: isolatesForMachines(buildBriefing(board, live).review.statement), signoffs: [], verdicts: [] })
    expect(review.statement).toContain('The board has changed since: that review does not cover this briefing.')
  })
})
