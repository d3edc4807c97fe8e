/** Findings in words for titles and screen readers. */
import type { CheckedFinding } from '../../../../shared/analysis-checks.ts'

/** "2 open checks: No likelihood; Relies on a retracted claim", or "" when none is open. */
export function openFindingsText(findings: readonly CheckedFinding[]): string {
  const open = findings.filter((f) => f.acknowledgement === null)
  if (open.length === 0) return ''
  return `${open.length} open ${open.length === 1 ? 'check' : 'checks'}: ${open.map((f) => f.label).join('; ')}`
}
