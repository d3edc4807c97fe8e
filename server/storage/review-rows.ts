/** Reading review rows, shared by the SQLite and PostgreSQL review stores: text columns become the API's enumerations. */
import { REVIEW_VERDICTS, type ReviewVerdict } from '../../shared/domain.ts'
import type { BoardSignoff } from '../../shared/review-status.ts'
import { SIGNOFF_DECISIONS, type ReviewSignoff, type ReviewVerdictRecord, type SignoffDecision } from '../../shared/snapshot-model.ts'

export function verdictRecord(row: Omit<ReviewVerdictRecord, 'verdict'> & { verdict: string }): ReviewVerdictRecord {
  if (!(REVIEW_VERDICTS as readonly string[]).includes(row.verdict)) throw new Error(`review verdict has unknown value ${row.verdict}`)
  return { ...row, verdict: row.verdict as ReviewVerdict }
}

export function signoffRecord(row: Omit<ReviewSignoff, 'decision'> & { decision: string }): ReviewSignoff {
  if (!(SIGNOFF_DECISIONS as readonly string[]).includes(row.decision)) throw new Error(`sign-off has unknown decision ${row.decision}`)
  return { ...row, decision: row.decision as SignoffDecision }
}

/** A sign-off read with its snapshot's board, label and time. */
export type BoardSignoffRow = { boardId: string; signoff: Parameters<typeof signoffRecord>[0]; snapshotLabel: string; snapshotCreatedAt: string; snapshotAsOf: string | null; snapshotContentHash: string }

/** Sign-off rows grouped by board, each board's in the order read; every board asked about has an entry. */
export function signoffsByBoard(boardIds: readonly string[], rows: readonly BoardSignoffRow[]): Map<string, BoardSignoff[]> {
  const byBoard = new Map<string, BoardSignoff[]>(boardIds.map((id) => [id, []]))
  for (const { boardId, signoff, snapshotLabel, snapshotCreatedAt, snapshotAsOf, snapshotContentHash } of rows) {
    byBoard.get(boardId)?.push({ ...signoffRecord(signoff), snapshotLabel, snapshotCreatedAt, snapshotAsOf, snapshotContentHash })
  }
  return byBoard
}
