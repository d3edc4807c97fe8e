/**
 * The analytic checks of one version of a board, as `GET
 * /api/boards/:id/checks` sends them and the export dialog lists them: the one
 * definition of that shape, for the route, its OpenAPI document and the client.
 */
import { z } from 'zod'
import { BOARD_TEXT_FIELDS, TEXT_FIELDS } from './analysis-checks.ts'
import { acknowledgementSchema } from './board-model.ts'
import { CHECK_RULE_IDS } from './check-rules.ts'
import { EXPORT_SCOPES } from './export-scope.ts'

const faultSchema = z.object({ field: z.enum([...TEXT_FIELDS, ...BOARD_TEXT_FIELDS]), start: z.number(), end: z.number(), text: z.string() })

export const checkedFindingSchema = z.object({
  key: z.string(),
  rule: z.enum(CHECK_RULE_IDS),
  label: z.string(),
  message: z.string(),
  subject: z.union([z.object({ kind: z.literal('assessment'), id: z.string() }), z.object({ kind: z.literal('board'), field: z.enum(BOARD_TEXT_FIELDS).optional() })]),
  faults: z.array(faultSchema),
  claimIds: z.array(z.string()),
  acknowledgement: acknowledgementSchema.nullable(),
})

export const retractedSinceSchema = z.object({
  claims: z.array(z.object({ id: z.string(), text: z.string() })),
  assessments: z.array(z.object({ id: z.string(), title: z.string(), claimIds: z.array(z.string()) })),
})

export const checksReportSchema = z.object({
  scope: z.enum(EXPORT_SCOPES),
  /** The board's own findings first, then each assessment's in board order. */
  findings: z.array(checkedFindingSchema),
  /** The title of each assessment a finding is about, by id. */
  titles: z.record(z.string(), z.string()),
  open: z.number().int(),
  acknowledged: z.number().int(),
  /** For a snapshot: what it relied on that has been retracted since; null for the live board. */
  retractedSince: retractedSinceSchema.nullable(),
  /** "2 judgments relied on a claim retracted since", or null. */
  retractedSinceStatement: z.string().nullable(),
})
export type ChecksReport = z.infer<typeof checksReportSchema>
