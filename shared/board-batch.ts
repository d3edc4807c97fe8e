/**
 * Several mutations as one change: all of them or none. The HTTP batch
 * endpoint and the browser's multi-step actions both go through here, so a
 * batch is validated, applied and undone the same way wherever it is made.
 *
 * All or nothing without rollback (Yjs has none): the batch is first tried on
 * a scratch board, and only when every operation succeeded there is it applied
 * to the board, in one transaction. The scratch board holds only what the
 * operations can read of the board (scratchBoard), so a batch costs what its
 * operations touch, not what the board holds: a copy of a board of 1,000
 * assessments held the relay's thread most of a second. The second run meets
 * the same state, operations and time, so it takes the same path; the board
 * itself is changed under its own client id, as by any other mutation.
 */
import * as Y from 'yjs'
import { z } from 'zod'
import { BoardError, collection, COLLECTIONS, entities, entity, readString, type Collection } from './board-doc.ts'
import type { AssessmentInput, AssessmentPatch, ClaimInput, ClaimPatch, LinkInput, LinkPatch, SourceInput, SourcePatch } from './board-model.ts'
import * as mutations from './board-mutations.ts'
import { parseInput } from './validation.ts'

/** Most operations in one batch: 200 cards and 400 links fit, a runaway script does not. */
export const MAX_BATCH_OPERATIONS = 1000

const BATCH_COLLECTIONS = ['sources', 'claims', 'assessments', 'links'] as const
type BatchCollection = (typeof BATCH_COLLECTIONS)[number]

/** A name an `add` gives its new entity, so later operations of the batch can refer to it as `@name`. */
const refName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a ref is 1 to 64 letters, digits, "_", "." or "-"')
/** An entity id, or `@name` for one an earlier `add` of the batch created. */
const idOrRef = z.string().min(1).max(65)
const collectionName = z.enum(BATCH_COLLECTIONS)
const fields = z.record(z.string(), z.unknown())

export const batchOperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), collection: collectionName, ref: refName.optional(), input: fields }).strict(),
  z.object({ op: z.literal('update'), collection: collectionName, id: idOrRef, patch: fields }).strict(),
  z.object({ op: z.literal('delete'), collection: collectionName, id: idOrRef }).strict(),
  z.object({ op: z.literal('move'), collection: z.literal('assessments'), id: idOrRef, after: idOrRef.nullable() }).strict(),
])

export const batchSchema = z
  .object({ operations: z.array(batchOperationSchema).min(1).max(MAX_BATCH_OPERATIONS) })
  .strict()

export type BatchOperation = z.infer<typeof batchOperationSchema>
export type Batch = z.infer<typeof batchSchema>

/** What each operation did, in order: the id of the entity it added, changed, deleted or moved. */
export type BatchResult = { ids: string[] }

/** Why an operation of a batch was refused: which one, and the mutation's own reason. */
export class BatchError extends BoardError {
  constructor(
    readonly index: number,
    cause: BoardError,
  ) {
    super(cause.kind, `Operation ${index + 1}: ${cause.message} Nothing in the batch was applied.`)
    this.name = 'BatchError'
  }
}

/** Fields whose value names an entity, and may be an `@name` of the batch instead: the collection each names. */
const REFERENCE_FIELDS: Readonly<Record<string, Collection>> = {
  sourceId: 'sources',
  claimId: 'claims',
  assessmentId: 'assessments',
  documentId: 'documents',
  after: 'assessments',
}

/** Applies every operation of the batch as one change made by `ctx`, or none of them (throwing a BatchError). */
export function applyBatch(doc: Y.Doc, batch: Batch, ctx: mutations.MutationContext = {}): BatchResult {
  const { operations } = parseInput(batchSchema, batch, 'batch')
  const at: mutations.MutationContext = { ...ctx, now: ctx.now ?? new Date() }
  const scratch = scratchBoard(doc, operations)
  try {
    scratch.transact(() => applyOperations(scratch, operations, { ...at, origin: undefined }))
  } finally {
    scratch.destroy()
  }
  let result!: BatchResult
  doc.transact(() => {
    result = applyOperations(doc, operations, at)
  }, ctx.origin)
  return result
}

/**
 * A scratch board holding what the operations can read of `doc`. The mutations
 * read entities by id; deleting a source takes its claims along and, with each
 * claim, its links; adding a link reads the card's links (is this claim linked
 * to it already?); changing a claim reads whether it quotes its document. So
 * the scratch board holds every entity an operation names, as its id or in a
 * field that refers to one; the claims of every source the batch deletes; the
 * links of every card it links a claim to; and the document of every claim it
 * holds. What a
 * delete takes along and the scratch board lacks, no later operation reads:
 * what a later operation reads it names, so it is there, and goes there too.
 * Placing a card reads the others' order keys, which decide where it goes but
 * not whether it may, so the other cards are left out.
 */
function scratchBoard(doc: Y.Doc, operations: BatchOperation[]): Y.Doc {
  const named = namedEntities(operations)
  const deletedSources = idsOf(operations, (operation) => (operation.op === 'delete' && operation.collection === 'sources' ? operation.id : undefined))
  const linkedCards = idsOf(operations, (operation) => (operation.op === 'add' && operation.collection === 'links' ? operation.input.assessmentId : undefined))
  if (deletedSources.size > 0) {
    for (const [id, claim] of entities(doc, 'claims')) {
      if (deletedSources.has(readString(claim, 'sourceId'))) named.claims.add(id)
    }
  }
  if (linkedCards.size > 0) {
    for (const [id, link] of entities(doc, 'links')) {
      if (linkedCards.has(readString(link, 'assessmentId'))) named.links.add(id)
    }
  }
  for (const id of named.claims) {
    const documentId = entity(doc, 'claims', id)?.get('documentId')
    if (typeof documentId === 'string') named.documents.add(documentId)
  }
  const scratch = new Y.Doc()
  scratch.transact(() => {
    for (const name of COLLECTIONS) {
      for (const id of named[name]) {
        const found = entity(doc, name, id)
        if (found) collection(scratch, name).set(id, found.clone())
      }
    }
  })
  return scratch
}

/** The board's own ids (not `@name`s) that `pick` finds in the operations. */
function idsOf(operations: BatchOperation[], pick: (operation: BatchOperation) => unknown): Set<string> {
  const ids = new Set<string>()
  for (const operation of operations) {
    const id = pick(operation)
    if (isBoardId(id)) ids.add(id)
  }
  return ids
}

/** The board's own ids that the operations name, by collection. */
function namedEntities(operations: BatchOperation[]): Record<Collection, Set<string>> {
  const named = Object.fromEntries(COLLECTIONS.map((name) => [name, new Set<string>()])) as Record<Collection, Set<string>>
  for (const operation of operations) {
    if (operation.op !== 'add' && isBoardId(operation.id)) named[operation.collection].add(operation.id)
    const fields = operation.op === 'add' ? operation.input : operation.op === 'update' ? operation.patch : operation.op === 'move' ? { after: operation.after } : {}
    for (const [field, referenced] of Object.entries(REFERENCE_FIELDS)) {
      const value = fields[field]
      if (isBoardId(value)) named[referenced].add(value)
    }
  }
  return named
}

/** An id of the board's, not an `@name` of the batch's own. */
function isBoardId(value: unknown): value is string {
  return typeof value === 'string' && !value.startsWith('@')
}

/** Runs within one transaction, so the order of the board's cards is kept across the operations (CardOrder). */
function applyOperations(doc: Y.Doc, operations: BatchOperation[], ctx: mutations.MutationContext): BatchResult {
  const refs = new Map<string, string>()
  const ids: string[] = []
  const within: mutations.MutationContext = { ...ctx, cardOrder: new mutations.CardOrder(doc) }
  for (const [index, operation] of operations.entries()) {
    try {
      ids.push(applyOperation(doc, operation, refs, within))
    } catch (error) {
      throw error instanceof BoardError ? new BatchError(index, error) : error
    }
  }
  return { ids }
}

function applyOperation(doc: Y.Doc, operation: BatchOperation, refs: Map<string, string>, ctx: mutations.MutationContext): string {
  const resolve = (value: string): string => {
    if (!value.startsWith('@')) return value
    const id = refs.get(value.slice(1))
    if (id === undefined) throw new BoardError('invalid', `${value} names no entity an earlier operation of this batch added.`)
    return id
  }
  const withRefs = (values: Record<string, unknown>): Record<string, unknown> => {
    const resolved = { ...values }
    for (const key of Object.keys(REFERENCE_FIELDS)) {
      const value = resolved[key]
      if (typeof value === 'string') resolved[key] = resolve(value)
    }
    return resolved
  }
  switch (operation.op) {
    case 'add': {
      if (operation.ref !== undefined && refs.has(operation.ref)) throw new BoardError('invalid', `The ref ${operation.ref} is already used in this batch.`)
      const id = ADD[operation.collection](doc, withRefs(operation.input), ctx)
      if (operation.ref !== undefined) refs.set(operation.ref, id)
      return id
    }
    case 'update': {
      const id = resolve(operation.id)
      UPDATE[operation.collection](doc, id, withRefs(operation.patch), ctx)
      return id
    }
    case 'delete': {
      const id = resolve(operation.id)
      DELETE[operation.collection](doc, id, ctx)
      return id
    }
    case 'move': {
      const id = resolve(operation.id)
      mutations.moveAssessment(doc, id, operation.after === null ? null : resolve(operation.after), ctx)
      return id
    }
  }
}

/*
 * The mutations validate their own input (parseInput), so a batch's fields are
 * passed on as they came: the batch refuses what the single routes refuse.
 */
type Fields = Record<string, unknown>
type Ctx = mutations.MutationContext

const ADD: Record<BatchCollection, (doc: Y.Doc, input: Fields, ctx: Ctx) => string> = {
  sources: (doc, input, ctx) => mutations.addSource(doc, input as SourceInput, ctx),
  claims: (doc, input, ctx) => mutations.addClaim(doc, input as ClaimInput, ctx),
  assessments: (doc, input, ctx) => mutations.addAssessment(doc, input as AssessmentInput, ctx),
  links: (doc, input, ctx) => mutations.addLink(doc, input as LinkInput, ctx),
}

const UPDATE: Record<BatchCollection, (doc: Y.Doc, id: string, patch: Fields, ctx: Ctx) => void> = {
  sources: (doc, id, patch, ctx) => mutations.updateSource(doc, id, patch as SourcePatch, ctx),
  claims: (doc, id, patch, ctx) => mutations.updateClaim(doc, id, patch as ClaimPatch, ctx),
  assessments: (doc, id, patch, ctx) => mutations.updateAssessment(doc, id, patch as AssessmentPatch, ctx),
  links: (doc, id, patch, ctx) => mutations.updateLink(doc, id, patch as LinkPatch, ctx),
}

const DELETE: Record<BatchCollection, (doc: Y.Doc, id: string, ctx: Ctx) => void> = {
  sources: mutations.deleteSource,
  claims: mutations.deleteClaim,
  assessments: mutations.deleteAssessment,
  links: mutations.deleteLink,
}
