/**
 * A board's history as the API sends it: who changed which field of an
 * assessment and when, the editing sessions, and the kept moments. The one
 * definition of each shape, for the server's routes, its OpenAPI document and
 * the client.
 */
import { z } from 'zod'

/** The fields of an assessment whose changes are attributed, in the order the inspector lists them. */
export const ATTRIBUTED_FIELDS = ['card', 'title', 'judgment', 'kind', 'likelihood', 'confidence', 'impact', 'status', 'tags', 'links'] as const
export type AttributedField = (typeof ATTRIBUTED_FIELDS)[number]

/** The attributed fields that hold lists, recorded as the items a change added and removed (shared/list-excerpt.ts). */
export const LIST_FIELDS: ReadonlySet<string> = new Set<AttributedField>(['tags', 'links'])

/** `card` changes from absent to present when the assessment is created, and back when it is deleted. */
export const CARD_PRESENT = 'present'
export const CARD_ABSENT = 'absent'

/** A link of the assessment as its `links` field holds it. */
export type AttributedLink = { claimId: string; rating: string }

/** A person as history names them: from the log's origin, resolved to the account's name now. */
export const authorSchema = z.object({
  /** The account's id; null for the server's own changes or a server without accounts. */
  userId: z.string().nullable(),
  name: z.string(),
})
export type Author = z.infer<typeof authorSchema>

export const assessmentChangeSchema = z.object({
  assessmentId: z.string(),
  field: z.enum(ATTRIBUTED_FIELDS),
  /**
   * The value before and after, as the board model holds it (links: `{claimId, rating}[]`); a long title or
   * judgment as the part that changed, `{excerpt, start, length}` (shared/text-excerpt.ts); tags and links as the
   * items removed (`from`) and added (`to`) with the list's length, `{items, length}` (shared/list-excerpt.ts), but
   * whole in changes recorded before that form, and in a change that only reordered them; a likelihood as its band,
   * or where stated under another yardstick than the board's, `{band, yardstick}` (shared/stated-likelihood.ts).
   */
  from: z.unknown(),
  to: z.unknown(),
  by: authorSchema,
  /** The first and last edit of the change: one person's edits of one field within a few minutes are one change. */
  firstAt: z.string(),
  at: z.string(),
})
export type AssessmentChange = z.infer<typeof assessmentChangeSchema>
/** Set to `true` on a listing of changes when older ones that match were left out (README, "History"). */
export const CHANGES_TRUNCATED_HEADER = 'Assay-Changes-Truncated'

export const editSessionSchema = z.object({
  by: authorSchema,
  from: z.string(),
  to: z.string(),
  /** Committed changes (log rows) in the session. */
  edits: z.number().int(),
})
export type EditSession = z.infer<typeof editSessionSchema>

export const boardHistorySchema = z.object({
  /** Sessions of editing, newest first, grouped per person and per few minutes. */
  sessions: z.array(editSessionSchema),
  /** Times whose board was kept past the detail window (one a day), newest first: the board can be shown as of these. */
  keptMoments: z.array(z.string()),
  /** From this time on any moment can be rebuilt exactly; null when the board's whole history is kept in detail. */
  detailFrom: z.string().nullable(),
  /** True when there were more sessions than listed (the oldest are left out). */
  truncated: z.boolean(),
})
export type BoardHistory = z.infer<typeof boardHistorySchema>

/** What the API says about a board shown as of a past time (headers of `GET /api/boards/:id?asOf=`). */
export const asOfSchema = z.object({
  /** The time asked for. */
  asOf: z.string(),
  /** The moment the content is of: the time asked for, or the nearest kept moment before it when that time's detail was thinned away. */
  at: z.string(),
  exact: z.boolean(),
  contentHash: z.string(),
})
export type AsOf = z.infer<typeof asOfSchema>

/** Edits of one person closer together than this are one session, and one change of a field. */
export const EDIT_SESSION_GAP_MS = 5 * 60_000
