/** Reading review rows, shared by the SQLite and PostgreSQL review stores: text columns become the API's enumerations. */
import { REVIEW_VERDICTS, type ReviewVerdict } from '../../shared/domain.ts'
import { SIGNOFF_DECISIONS, type ReviewSignoff, type ReviewVerdictRecord, type SignoffDecision } from '../../shared/snapshot-model.ts'

export function verdictRecord(row: Omit<ReviewVerdictRecord, 'verdict'> & { verdict: string }): ReviewVerdictRecord {
  if (!(REVIEW_VERDICTS as readonly string[]).includes(row.verdict)) throw new Error(`review verdict has unknown value ${row.verdict}`)
  return { ...row, verdict: row.verdict as ReviewVerdict }
}

export function signoffRecord(row: Omit<ReviewSignoff, 'decision'> & { decision: string }): ReviewSignoff {
  if (!(SIGNOFF_DECISIONS as readonly string[]).includes(row.decision)) throw new Error(`sign-off has unknown decision ${row.decision}`)
  return { ...row, decision: row.decision as SignoffDecision }
}
