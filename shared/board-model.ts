/**
 * The board model: a board's content as plain JSON (ARCHITECTURE.md, "The board
 * model", a contract). The zod schemas here are the one definition of each
 * entity: they type the model, validate HTTP bodies and mutations, and feed the
 * OpenAPI document.
 */
import { z } from 'zod'
import {
  ACH_RATINGS,
  ASSESSMENT_KINDS,
  ASSESSMENT_STATUSES,
  CLAIM_CREDIBILITIES,
  CLAIM_STATUSES,
  CONFIDENCE_LEVELS,
  IMPACT_LEVELS,
  LIKELIHOOD_BANDS,
  LIKELIHOOD_PROFILES,
  RELEVANCE_LEVELS,
  SOURCE_RELIABILITIES,
  YARDSTICKS,
} from './domain.ts'
import { LIMITS } from './limits.ts'
import { textField } from './text-hygiene.ts'
import { markingMisspelling, normalizeMarking } from './marking.ts'
import { CHECK_RULE_IDS } from './check-rules.ts'
import { COLLECTIONS } from './board-doc.ts'

const literalUnion = <T extends readonly (string | number)[]>(values: T) =>
  z.union(values.map((v) => z.literal(v)) as unknown as [z.ZodLiteral<T[number]>, z.ZodLiteral<T[number]>]) as z.ZodType<
    T[number]
  >

const id = z.string().min(1).max(64)
/** A time as the board stores it (the server's `toISOString()`); the relay gives the server's to a new entry whose time is not one (server/relay/stamped-fields.ts). */
export const isoTime = z.string().datetime({ offset: false })
/** A title or a name, wherever it comes in (HTTP bodies, imports, the command line): cleaned, trimmed, 1 to LIMITS.shortText characters. */
export const shortTextSchema = textField().trim().min(1).max(LIMITS.shortText)
/** A handling marking as the board holds it: read by programs (the exports' TLP) as by eyes, so normalised (shared/marking.ts). */
export const markingSchema = textField().overwrite(normalizeMarking).trim().max(LIMITS.shortText)
/** A marking given to the board (HTTP, the browser's mutations): one that shows a TLP label its letters do not spell is refused. */
const markingInputSchema = markingSchema.superRefine((marking, context) => {
  const misspelling = markingMisspelling(marking)
  if (misspelling) context.addIssue({ code: 'custom', message: misspelling })
})

export const reliabilitySchema = z.enum(SOURCE_RELIABILITIES)
export const credibilitySchema = literalUnion(CLAIM_CREDIBILITIES)
export const likelihoodSchema = literalUnion(LIKELIHOOD_BANDS).nullable()
export const confidenceSchema = z.enum(CONFIDENCE_LEVELS).nullable()
export const impactSchema = z.enum(IMPACT_LEVELS).nullable()
export const profileSchema = z.enum(LIKELIHOOD_PROFILES)
export const ratingSchema = z.enum(ACH_RATINGS)
export const relevanceSchema = z.enum(RELEVANCE_LEVELS)

export const sourceSchema = z.object({
  id,
  name: shortTextSchema,
  kind: textField().max(LIMITS.shortText),
  reliability: reliabilitySchema,
  url: textField().max(LIMITS.shortText).optional(),
  note: textField().max(LIMITS.longText).optional(),
  /** Where the import that created this source first cites it (0 first); absent for sources added by hand. Orders sources made at one moment. */
  position: z.number().int().nonnegative().optional(),
  createdAt: isoTime,
})

export const documentSchema = z.object({
  id,
  title: textField().max(LIMITS.shortText),
  importedAt: isoTime,
  importedBy: textField().optional(),
})

export const claimSchema = z.object({
  id,
  text: textField().trim().min(1).max(LIMITS.longText),
  sourceId: id,
  credibility: credibilitySchema,
  status: z.enum(CLAIM_STATUSES),
  documentId: id.optional(),
  paragraph: z.number().int().nonnegative().optional(),
  start: z.number().int().nonnegative().optional(),
  end: z.number().int().nonnegative().optional(),
  /** The analyst's paraphrase or note: never quoted as the source's words. */
  note: textField().max(LIMITS.longText).optional(),
  /** Its relevance as ACH evidence (L, M, H), a factor of its weight in the weighted score; absent until rated, read as M. */
  relevance: relevanceSchema.optional(),
  createdAt: isoTime,
  createdBy: textField().optional(),
})

export const assessmentSchema = z.object({
  id,
  title: textField().max(LIMITS.shortText),
  judgment: textField().max(LIMITS.longText),
  kind: z.enum(ASSESSMENT_KINDS),
  likelihood: likelihoodSchema,
  /**
   * The yardstick the likelihood was stated under, written with it (shared/stated-likelihood.ts); absent on
   * boards written before it, read as the board's. One that is not the board's marks the band as needing restatement.
   */
  likelihoodYardstick: z.enum(YARDSTICKS).optional(),
  confidence: confidenceSchema,
  impact: impactSchema,
  status: z.enum(ASSESSMENT_STATUSES),
  tags: z.array(textField().trim().min(1).max(64)).max(32),
  order: z.string().min(1),
  createdAt: isoTime,
  createdBy: textField().optional(),
})

export const linkSchema = z.object({
  id,
  assessmentId: id,
  claimId: id,
  rating: ratingSchema,
  note: textField().max(LIMITS.longText).optional(),
  createdAt: isoTime,
})

/**
 * Each collection's entity schema, by collection name: what a reader of the
 * board document parses an entity with (shared/board-convert.ts) and what the
 * relay holds each field an update sets to (server/relay/field-values.ts).
 */
export const ENTITY_SCHEMAS = {
  sources: sourceSchema,
  documents: documentSchema,
  claims: claimSchema,
  assessments: assessmentSchema,
  links: linkSchema,
} as const

/**
 * A schema of an object holding only `field` of an entity of `name`, null for
 * a field its schema does not name: parsed so, a value the field accepts as
 * null (a likelihood not assessed) is told from one it refuses, and a text
 * over its limit is reported as the entity's would be (within-limits.ts).
 */
export function entityFieldSchema(name: keyof typeof ENTITY_SCHEMAS, field: string): z.ZodObject | null {
  const shape: Readonly<Record<string, z.ZodType>> = ENTITY_SCHEMAS[name].shape
  return Object.hasOwn(shape, field) ? z.object({ [field]: shape[field]! }) : null
}

/** An editor's acknowledgement of an analytic check's finding (analysis-checks.ts), with the reason it stands. */
export const acknowledgementSchema = z.object({
  /** The finding's key: the acknowledgement applies while the same finding stands. */
  key: z.string().min(1).max(LIMITS.shortText),
  rule: z.enum(CHECK_RULE_IDS),
  reason: textField().trim().min(1).max(LIMITS.longText),
  createdAt: isoTime,
  createdBy: textField().optional(),
})

/**
 * A field of an entity the board holds with a value its schema does not
 * recognise (a reliability of "b", a likelihood of 9), written before the
 * relay refused it or past it: the entity is read with that field not
 * assessed (shared/board-convert.ts), and the checks name it so that an
 * editor sets it.
 */
export const unrecognisedFieldSchema = z.object({ collection: z.enum(COLLECTIONS), id, field: z.string().min(1).max(64) })

export const boardModelSchema = z.object({
  id,
  title: textField().max(LIMITS.shortText),
  marking: markingSchema,
  question: textField().max(LIMITS.longText),
  profile: profileSchema,
  schemaVersion: z.number().int().positive(),
  sources: z.array(sourceSchema),
  documents: z.array(documentSchema),
  claims: z.array(claimSchema),
  assessments: z.array(assessmentSchema),
  links: z.array(linkSchema),
  /** The bottom line up front, written by the analysts; absent while empty. */
  bluf: textField().max(LIMITS.longText).optional(),
  /** The last confirmed change of yardstick (ICD 203 ⇄ PHIA) that restated the likelihoods: when, and from which profile; absent if none. */
  yardstickChange: z.object({ at: z.string().max(40), from: profileSchema }).optional(),
  /** Acknowledged check findings, by creation time then key; absent while there are none. */
  acknowledgements: z.array(acknowledgementSchema).optional(),
  /** The fields read as not assessed because what they hold is no value their schema recognises; absent while there are none. */
  unrecognised: z.array(unrecognisedFieldSchema).optional(),
  /**
   * The links set aside because their claim is already rated against their assessment by an earlier link
   * (shared/link-pairs.ts): they count nowhere, and the checks name each until an editor keeps one rating; absent
   * while there are none.
   */
  setAsideLinks: z.array(linkSchema).optional(),
})

/** The board's settings as the model holds them: its title, marking, key question and bottom line. */
export const boardSettingsSchema = boardModelSchema.pick({ title: true, marking: true, question: true, bluf: true })

export type SourceModel = z.infer<typeof sourceSchema>
export type DocumentModel = z.infer<typeof documentSchema>
export type ClaimModel = z.infer<typeof claimSchema>
export type AssessmentModel = z.infer<typeof assessmentSchema>
export type LinkModel = z.infer<typeof linkSchema>
export type AcknowledgementModel = z.infer<typeof acknowledgementSchema>
export type UnrecognisedField = z.infer<typeof unrecognisedFieldSchema>
export type BoardModel = z.infer<typeof boardModelSchema>
export type BoardSettings = z.infer<typeof boardSettingsSchema>

/*
 * Create and update bodies: the model's field names. The server fills ids and
 * times, and authorship (createdBy, importedBy) from who is making the change:
 * a body that names an author is refused, like one that names an id. Over the
 * websocket the relay names the sender (server/relay/stamped-fields.ts).
 */

export const metaPatchSchema = z
  .object({
    title: shortTextSchema,
    marking: markingInputSchema,
    question: textField().max(LIMITS.longText),
    profile: profileSchema,
    bluf: textField().max(LIMITS.longText),
  })
  .partial()
  .strict()

/** PATCH /api/boards/:id: the settings, and the confirmation a change of yardstick needs while a judgment states a likelihood. */
export const boardSettingsPatchSchema = metaPatchSchema.extend({
  restateLikelihoods: z
    .boolean()
    .optional()
    .describe('Confirms a change of profile between ICD 203 and PHIA that restates the probability range of the judgments with a likelihood; without it such a change is refused 409 likelihoods_restated'),
})

export const sourceInputSchema = sourceSchema.omit({ id: true, createdAt: true, position: true }).extend({
  kind: textField().max(LIMITS.shortText).default(''),
  reliability: reliabilitySchema.default('F'),
}).strict()
export const sourcePatchSchema = sourceSchema.omit({ id: true, createdAt: true, position: true }).partial().strict()

export const claimInputSchema = claimSchema
  .omit({ id: true, createdAt: true, createdBy: true })
  .extend({ credibility: credibilitySchema.default(6), status: z.enum(CLAIM_STATUSES).default('active') })
  .strict()
export const claimPatchSchema = claimSchema.pick({ text: true, credibility: true, status: true, sourceId: true, note: true, relevance: true }).partial().strict()

// The yardstick a likelihood is stated under is the board's when it is set (shared/board-mutations.ts), never given.
export const assessmentInputSchema = assessmentSchema
  .omit({ id: true, createdAt: true, createdBy: true, order: true, likelihoodYardstick: true })
  .extend({
    title: shortTextSchema,
    judgment: textField().max(LIMITS.longText).default(''),
    kind: z.enum(ASSESSMENT_KINDS).default('assessment'),
    likelihood: likelihoodSchema.default(null),
    confidence: confidenceSchema.default(null),
    impact: impactSchema.default(null),
    status: z.enum(ASSESSMENT_STATUSES).default('draft'),
    tags: assessmentSchema.shape.tags.default([]),
    /** Place the new card after this assessment (or first, when null); last when absent. */
    after: id.nullable().optional(),
  })
  .strict()
export const assessmentPatchSchema = assessmentSchema
  .omit({ id: true, createdAt: true, createdBy: true, order: true, likelihoodYardstick: true })
  .partial()
  .strict()

export const acknowledgementInputSchema = acknowledgementSchema.pick({ key: true, rule: true, reason: true }).strict()

export const linkInputSchema = linkSchema.omit({ id: true, createdAt: true }).strict()
export const linkPatchSchema = linkSchema.pick({ rating: true, note: true }).partial().strict()

export type MetaPatch = z.infer<typeof metaPatchSchema>
export type BoardSettingsPatch = z.infer<typeof boardSettingsPatchSchema>
export type SourceInput = z.input<typeof sourceInputSchema>
export type SourcePatch = z.infer<typeof sourcePatchSchema>
export type ClaimInput = z.input<typeof claimInputSchema>
export type ClaimPatch = z.infer<typeof claimPatchSchema>
export type AssessmentInput = z.input<typeof assessmentInputSchema>
export type AssessmentPatch = z.infer<typeof assessmentPatchSchema>
export type LinkInput = z.infer<typeof linkInputSchema>
export type LinkPatch = z.infer<typeof linkPatchSchema>
export type AcknowledgementInput = z.infer<typeof acknowledgementInputSchema>
