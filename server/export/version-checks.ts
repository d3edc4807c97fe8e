/**
 * Inside a worker thread: the analytic checks of a version of a board, as
 * `GET /api/boards/:id/checks` sends them and the export dialog lists them
 * before an export of the same version and scope. Reading every judgment's
 * words on a large board is work a member's content decides, so it is done
 * here, off the relay's thread.
 */
import { checkBoard } from '../../shared/analysis-checks.ts'
import type { ChecksReport } from '../../shared/checks-report.ts'
import { scopeBoard, type ExportScope } from '../../shared/export-scope.ts'
import { retractedSinceStatement } from '../../shared/retracted-since.ts'
import { loadStoredVersion, type StoredVersion } from './stored-version.ts'

export type ChecksJob = { version: StoredVersion; scope: ExportScope }

export function checkStoredVersion({ version, scope }: ChecksJob): ChecksReport {
  const loaded = loadStoredVersion(version)
  const board = scopeBoard(loaded.model, scope)
  const findings = checkBoard(board)
  const about = new Set(findings.flatMap((f) => (f.subject.kind === 'assessment' ? [f.subject.id] : [])))
  const retracted = loaded.version.kind === 'snapshot' ? (loaded.version.retractedSince ?? null) : null
  const acknowledged = findings.filter((f) => f.acknowledgement !== null).length
  return {
    scope,
    findings,
    titles: Object.fromEntries(board.assessments.filter((a) => about.has(a.id)).map((a) => [a.id, a.title])),
    open: findings.length - acknowledged,
    acknowledged,
    retractedSince: retracted,
    retractedSinceStatement: retracted ? retractedSinceStatement(retracted) : null,
  }
}
