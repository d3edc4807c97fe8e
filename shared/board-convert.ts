/**
 * Board document ⇄ board model. Pure functions of their inputs: exports, diffs,
 * hashes and checks all work on the model this returns.
 */
import * as Y from 'yjs'
import type { ChangeOrigin } from './change-origin.ts'
import { quoteMismatch } from './claim-quote.ts'
import {
  acknowledgementsMap,
  ASSESSMENT_TEXT_FIELDS,
  blufText,
  boardProfile,
  collection,
  COLLECTIONS,
  entities,
  entity,
  META_STRING_KEYS,
  metaMap,
  readString,
  SCHEMA_VERSION,
  YARDSTICK_CHANGE_KEYS,
  type Collection,
  type EntityMap,
} from './board-doc.ts'
import {
  acknowledgementSchema,
  boardSettingsSchema,
  ENTITY_SCHEMAS as ENTITY_MODEL_SCHEMAS,
  entityFieldSchema,
  type AcknowledgementModel,
  type AssessmentModel,
  type BoardModel,
  type BoardSettings,
  type ClaimModel,
  type DocumentModel,
  type LinkModel,
  type SourceModel,
  type UnrecognisedField,
} from './board-model.ts'
import { replaceText } from './replace-text.ts'
import { compareOrder } from './stored-card-order.ts'
import { byClaimOrder, byCreation, byImport, bySourceOrder } from './entity-order.ts'
import { parseWithinLimits } from './within-limits.ts'
import { onePerPair, type LinkPairs } from './link-pairs.ts'
import { isLikelihoodProfile } from './domain.ts'
import type { YardstickChange } from './yardstick-change.ts'
import type { z } from 'zod'

const ENTITY_SCHEMAS: { [C in Collection]: z.ZodType<EntityModels[C]> } = ENTITY_MODEL_SCHEMAS

/**
 * Fields of an imported document that the model leaves out: its body (large)
 * and the import's content hash (how a re-import is recognized).
 */
const DOCUMENT_BODY_FIELDS: ReadonlySet<string> = new Set(['text', 'hash'])

const isDocumentBodyField = (map: EntityMap, key: string) => DOCUMENT_BODY_FIELDS.has(key) && map.has('importedAt')

const SHARED_TEXT_FIELDS: ReadonlySet<string> = new Set(ASSESSMENT_TEXT_FIELDS)

/**
 * The plain fields of an entity; shared texts become strings. Document bodies stay out of the model. An
 * assessment's title or judgment stored as something other than a shared text or a string (a number, a map),
 * before the relay refused it, reads as empty: the card, its links and its other fields stay on the board.
 */
function entityToJson(name: Collection, map: EntityMap): Record<string, unknown> {
  const json: Record<string, unknown> = {}
  for (const [key, value] of map.entries()) {
    if (isDocumentBodyField(map, key)) continue
    if (value instanceof Y.Text) json[key] = value.toString()
    else if (name === 'assessments' && SHARED_TEXT_FIELDS.has(key) && typeof value !== 'string') json[key] = ''
    else json[key] = value
  }
  return json
}

/** The plain entities of each collection, as the model holds them. */
export type EntityModels = {
  sources: SourceModel
  documents: DocumentModel
  claims: ClaimModel
  assessments: AssessmentModel
  links: LinkModel
}

/**
 * The entity stored at `id` as the model holds it, or null when there is none
 * or it is not valid: a value that is not a map, a field of the wrong type, or
 * an `id` other than the one it is stored at (the model would then hold two
 * entities of one id). A text over its limit is read cut to it
 * (within-limits.ts), and a field of a fixed set of values holding none of
 * them reads as not assessed (NOT_ASSESSED): the entity stays. Lets a reader that follows a board change by change
 * (the client, on every keystroke) convert only what changed, where
 * boardToModel converts the whole board; `noteUnrecognised` is told each field
 * read as not assessed. References between entities are not checked here.
 */
export function readEntity<C extends Collection>(doc: Y.Doc, name: C, id: string, noteUnrecognised?: (field: string) => void): EntityModels[C] | null {
  const map = entity(doc, name, id)
  return map ? parseEntity(name, id, map, noteUnrecognised) : null
}

/**
 * What a field whose value its schema refuses reads as: not assessed, as the
 * board makes an entity whose maker assessed nothing (the create schemas'
 * defaults: reliability F and credibility 6, "cannot be judged"; no
 * likelihood, confidence or impact; a claim's relevance unrated, so M), and
 * a link's rating as not applicable. A reliability of "b" written past the
 * relay made its source vanish, with every claim from it, from the board,
 * every export and the checks; read so, the source stays, and the checks name
 * the field (analysis-checks.ts).
 */
const NOT_ASSESSED: { [C in Collection]: Partial<EntityModels[C]> } = {
  sources: { reliability: 'F' },
  documents: {},
  claims: { credibility: 6, status: 'active', relevance: undefined },
  assessments: { kind: 'assessment', likelihood: null, likelihoodYardstick: undefined, confidence: null, impact: null, status: 'draft' },
  links: { rating: 'NA' },
}

/** Each field NOT_ASSESSED reads, with a schema of it alone (entityFieldSchema). */
const ASSESSED_FIELDS: ReadonlyMap<Collection, readonly [field: string, schema: z.ZodType][]> = new Map(
  COLLECTIONS.map((name) => [name, Object.keys(NOT_ASSESSED[name]).map((field) => [field, entityFieldSchema(name, field)!] as const)]),
)

function parseEntity<C extends Collection>(name: C, id: string, map: EntityMap, noteUnrecognised?: (field: string) => void): EntityModels[C] | null {
  const json = entityToJson(name, map)
  // A valid entity is parsed once; only one that fails is read again with what it does not recognise not assessed.
  const parsed = parseWithinLimits(ENTITY_SCHEMAS[name], json) ?? parseWithinLimits(ENTITY_SCHEMAS[name], notAssessedWhereUnrecognised(name, json, noteUnrecognised))
  return parsed !== null && parsed.id === id ? parsed : null
}

/** `json` with each field NOT_ASSESSED reads that holds a value its schema refuses (or none) set to its reading, each such field noted. */
function notAssessedWhereUnrecognised(name: Collection, json: Record<string, unknown>, note?: (field: string) => void): Record<string, unknown> {
  const read = { ...json }
  const readings = NOT_ASSESSED[name] as Record<string, unknown>
  for (const [field, schema] of ASSESSED_FIELDS.get(name)!) {
    if (schema.safeParse({ [field]: json[field] }).success) continue
    // An optional field not assessed (a claim's relevance) is absent, as on an entity that never had it.
    if (readings[field] === undefined) delete read[field]
    else read[field] = readings[field]
    note?.(field)
  }
  return read
}

/**
 * Only entities that are valid make it into the model, and only those whose
 * references resolve: two people can, at the same moment, delete a claim and
 * link to it, and the model must never hold the dangling id that leaves.
 */
function validEntities<C extends Collection>(doc: Y.Doc, name: C, unrecognised?: UnrecognisedField[]): EntityModels[C][] {
  const stored = Array.from(entities(doc, name))
  if (name === 'assessments') stored.sort(([, a], [, b]) => compareOrder(a, b))
  return stored.flatMap(([id, map]) => parseEntity(name, id, map, unrecognised && ((field) => unrecognised.push({ collection: name, id, field }))) ?? [])
}

/** The board's valid assessments in board order, as the model holds them. */
export function readAssessments(doc: Y.Doc): AssessmentModel[] {
  return validEntities(doc, 'assessments')
}

/** The last confirmed change of the board's yardstick, or null: both keys written, the profile one Assay knows. */
export function readYardstickChange(doc: Y.Doc): YardstickChange | null {
  const meta = metaMap(doc)
  const at = readString(meta, YARDSTICK_CHANGE_KEYS.at)
  const from = readString(meta, YARDSTICK_CHANGE_KEYS.from)
  return at.length > 0 && at.length <= 40 && isLikelihoodProfile(from) ? { at, from } : null
}

type Holds = (id: string) => boolean

/**
 * A valid claim as the model holds it, given which sources the model holds and
 * the text of each document it holds: left out without its source, its
 * provenance dropped without its document or where its words are not the
 * document's there (claim-quote.ts), so that no claim reads as a quote of
 * words its document does not hold, whatever wrote it.
 */
export function claimInModel(claim: ClaimModel, hasSource: Holds, heldDocumentText: (id: string) => string | undefined): ClaimModel | null {
  if (!hasSource(claim.sourceId)) return null
  if (claim.documentId === undefined) return claim
  const text = heldDocumentText(claim.documentId)
  return text !== undefined && quoteMismatch(text, claim) === null ? claim : withoutProvenance(claim)
}

/**
 * The valid links of one claim and one assessment, as boardToModel reads them: the one the board counts, and those
 * set aside (link-pairs.ts). A link the model leaves out (no creation time, say) is neither, so that what a change
 * rates is what the board shows.
 */
export function linksOfPair(doc: Y.Doc, assessmentId: string, claimId: string): LinkPairs {
  const pair = Array.from(entities(doc, 'links')).filter(([, link]) => link.get('assessmentId') === assessmentId && link.get('claimId') === claimId)
  return onePerPair(pair.flatMap(([id, map]) => parseEntity('links', id, map) ?? []).sort(byCreation))
}

/** Whether the model holds a valid link, given which claims and assessments it holds. */
function linkInModel(link: LinkModel, hasClaim: Holds, hasAssessment: Holds): boolean {
  return hasClaim(link.claimId) && hasAssessment(link.assessmentId)
}

/**
 * The board's title, marking, key question and bottom line as the model holds
 * them: each cut to its limit and normalised as the HTTP API does (the
 * marking without format characters, trimmed), since an editor's client can
 * write them into the document as it likes.
 */
export function readBoardSettings(doc: Y.Doc): BoardSettings {
  const meta = metaMap(doc)
  const stored = { title: readString(meta, 'title'), marking: readString(meta, 'marking'), question: readString(meta, 'question'), bluf: blufText(doc).toString() }
  // Every value is a string, and a string's only way to fail these schemas is its length, which is cut: never null.
  return parseWithinLimits(boardSettingsSchema, stored) ?? { title: '', marking: '', question: '' }
}

export function boardToModel(doc: Y.Doc, id: string): BoardModel {
  const meta = metaMap(doc)
  const { title, marking, question, bluf = '' } = readBoardSettings(doc)
  const noted: UnrecognisedField[] = []
  const sources = validEntities(doc, 'sources', noted).sort(bySourceOrder)
  const documents = validEntities(doc, 'documents', noted).sort(byImport)
  const sourceIds = new Set(sources.map((s) => s.id))
  const documentIds = new Set(documents.map((d) => d.id))
  const claims = validEntities(doc, 'claims', noted)
    .flatMap((c) => claimInModel(c, (s) => sourceIds.has(s), (d) => (documentIds.has(d) ? documentText(doc, d) : undefined)) ?? [])
    .sort(byClaimOrder)
  const assessments = validEntities(doc, 'assessments', noted)
  const claimIds = new Set(claims.map((c) => c.id))
  const assessmentIds = new Set(assessments.map((a) => a.id))
  const { links, setAside: setAsideLinks } = onePerPair(
    validEntities(doc, 'links', noted)
      .filter((l) => linkInModel(l, (c) => claimIds.has(c), (a) => assessmentIds.has(a)))
      .sort(byCreation),
  )
  const acknowledgements = readAcknowledgements(doc)
  const yardstickChange = readYardstickChange(doc)
  const held = { sources, documents, claims, assessments, links }
  const inModel = new Set(COLLECTIONS.flatMap((name) => held[name].map((e) => `${name}:${e.id}`)))
  // Of the entities the model holds: a claim left out without its source is named nowhere.
  const unrecognised = noted.filter((field) => inModel.has(`${field.collection}:${field.id}`))
  return {
    id,
    title,
    marking,
    question,
    profile: boardProfile(doc),
    schemaVersion: typeof meta.get('schemaVersion') === 'number' ? (meta.get('schemaVersion') as number) : SCHEMA_VERSION,
    sources,
    documents,
    claims,
    assessments,
    links,
    // Absent while empty, so that boards without them keep the content hash they always had.
    ...(bluf.length > 0 ? { bluf } : {}),
    ...(acknowledgements.length > 0 ? { acknowledgements } : {}),
    ...(yardstickChange ? { yardstickChange } : {}),
    ...(unrecognised.length > 0 ? { unrecognised } : {}),
    ...(setAsideLinks.length > 0 ? { setAsideLinks } : {}),
  }
}

/**
 * The entity with this id as boardToModel places it (a link set aside for an
 * earlier one of its pair among the model's setAsideLinks), or null when the model
 * leaves it out (not valid, or a reference that does not resolve), without
 * converting the rest of the board: an HTTP change answers with the item it
 * changed, and converting the board of 1,000 assessments for that took 60 to
 * 240 ms of the relay's thread.
 */
export function entityInModel<C extends Collection>(doc: Y.Doc, name: C, id: string): EntityModels[C] | null {
  const holds = (kind: Collection): Holds => (entityId) => readEntity(doc, kind, entityId) !== null
  const item = readEntity(doc, name, id)
  if (item === null) return null
  if (name === 'claims') {
    const heldDocumentText = (documentId: string) => (holds('documents')(documentId) ? documentText(doc, documentId) : undefined)
    return claimInModel(item as ClaimModel, holds('sources'), heldDocumentText) as EntityModels[C] | null
  }
  if (name === 'links') {
    const inModel = linkInModel(item as LinkModel, (claimId) => entityInModel(doc, 'claims', claimId) !== null, holds('assessments'))
    return inModel ? item : null
  }
  return item
}

/** The valid acknowledgements of check findings, by creation time then key. */
export function readAcknowledgements(doc: Y.Doc): AcknowledgementModel[] {
  const result: AcknowledgementModel[] = []
  for (const key of acknowledgementsMap(doc).keys()) {
    const acknowledgement = readAcknowledgement(doc, key)
    if (acknowledgement) result.push(acknowledgement)
  }
  return result.sort(byAcknowledgementOrder)
}

/**
 * The acknowledgement stored under this finding key, or null when there is none or it is not valid; a reason over
 * its limit read cut to it, a key over its limit left out (it names no finding).
 */
export function readAcknowledgement(doc: Y.Doc, key: string): AcknowledgementModel | null {
  const value = acknowledgementsMap(doc).get(key)
  const parsed = parseWithinLimits(acknowledgementSchema, typeof value === 'object' && value !== null ? { ...value, key } : null)
  return parsed !== null && parsed.key === key ? parsed : null
}

/** By creation time, then key. */
export function byAcknowledgementOrder(a: AcknowledgementModel, b: AcknowledgementModel): number {
  return a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

function withoutProvenance<T extends { documentId?: string; paragraph?: number; start?: number; end?: number }>(claim: T): T {
  const { documentId: _d, paragraph: _p, start: _s, end: _e, ...rest } = claim
  return rest as T
}

/** The stored text of an imported document (kept in the board document, not in the model). */
export function documentText(doc: Y.Doc, documentId: string): string | undefined {
  const map = entity(doc, 'documents', documentId)
  return map ? readString(map, 'text') : undefined
}

/**
 * Makes the document's content equal to `model` in one transaction, touching
 * only what differs (restore of a snapshot, seeding). Document bodies are kept
 * where `texts` does not give them.
 */
export function replaceBoardContent(doc: Y.Doc, model: BoardModel, origin?: ChangeOrigin, texts: Map<string, string> = new Map()): void {
  doc.transact(() => {
    const meta = metaMap(doc)
    for (const key of META_STRING_KEYS) {
      if (meta.get(key) !== model[key]) meta.set(key, model[key])
    }
    if (meta.get('schemaVersion') !== SCHEMA_VERSION) meta.set('schemaVersion', SCHEMA_VERSION)
    for (const [part, key] of Object.entries(YARDSTICK_CHANGE_KEYS) as [keyof YardstickChange, string][]) {
      const wanted = model.yardstickChange?.[part]
      if (wanted === undefined) meta.delete(key)
      else if (meta.get(key) !== wanted) meta.set(key, wanted)
    }
    replaceText(blufText(doc), model.bluf ?? '')
    const acknowledgements = acknowledgementsMap(doc)
    const wantedAcknowledgements = new Map((model.acknowledgements ?? []).map(({ key, ...rest }) => [key, rest]))
    for (const key of [...acknowledgements.keys()]) if (!wantedAcknowledgements.has(key)) acknowledgements.delete(key)
    for (const [key, value] of wantedAcknowledgements) {
      if (JSON.stringify(acknowledgements.get(key)) !== JSON.stringify(value)) acknowledgements.set(key, value)
    }
    for (const name of COLLECTIONS) {
      const target = collection(doc, name)
      // A restore keeps the links set aside too: they are an analyst's ratings, waiting for an editor to keep one.
      const listed = name === 'links' ? [...model.links, ...(model.setAsideLinks ?? [])] : model[name]
      const wanted = new Map<string, Record<string, unknown>>(listed.map((e) => [e.id, e as Record<string, unknown>]))
      for (const id of [...target.keys()]) if (!wanted.has(id)) target.delete(id)
      for (const [id, fields] of wanted) {
        const existing = entity(doc, name, id)
        const map = existing ?? new Y.Map<unknown>()
        if (!existing) target.set(id, map)
        syncEntity(map, name === 'documents' && texts.has(id) ? { ...fields, text: texts.get(id) } : fields, name === 'assessments')
      }
    }
  }, origin)
}

function syncEntity(map: EntityMap, fields: Record<string, unknown>, hasSharedText: boolean): void {
  for (const key of [...map.keys()]) {
    if (!(key in fields) && !isDocumentBodyField(map, key)) map.delete(key)
  }
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) {
      map.delete(key)
      continue
    }
    if (hasSharedText && SHARED_TEXT_FIELDS.has(key)) {
      const current = map.get(key)
      if (current instanceof Y.Text) {
        replaceText(current, String(value))
      } else {
        map.set(key, new Y.Text(String(value)))
      }
      continue
    }
    if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value)
  }
}
