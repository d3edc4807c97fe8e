/**
 * Several mutations as one change: all of them or none. The HTTP batch
 * endpoint and the browser's multi-step actions both go through here, so a
 * batch is validated, applied and undone the same way wherever it is made.
 *
 * All or nothing without rollback (Yjs has none): the batch is first tried on
 * a scratch copy of the board, and only when every operation succeeded there is
 * it applied to the board, in one transaction. The second run meets the same
 * state, operations and time, so it takes the same path; the board itself is
 * changed under its own client id, as by any other mutation.
 */
import * as Y from 'yjs'
import { z } from 'zod'
import { BoardError } from './board-doc.ts'
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

/** Fields whose value names an entity, and may be an `@name` of the batch instead. */
const REFERENCE_FIELDS = ['sourceId', 'claimId', 'assessmentId', 'documentId', 'after'] as const

/** Applies every operation of the batch as one change made by `ctx`, or none of them (throwing a BatchError). */
export function applyBatch(doc: Y.Doc, batch: Batch, ctx: mutations.MutationContext = {}): BatchResult {
  const { operations } = parseInput(batchSchema, batch, 'batch')
  const at: mutations.MutationContext = { ...ctx, now: ctx.now ?? new Date() }
  const scratch = new Y.Doc()
  try {
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc))
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

function applyOperations(doc: Y.Doc, operations: BatchOperation[], ctx: mutations.MutationContext): BatchResult {
  const refs = new Map<string, string>()
  const ids: string[] = []
  for (const [index, operation] of operations.entries()) {
    try {
      ids.push(applyOperation(doc, operation, refs, ctx))
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
    for (const key of REFERENCE_FIELDS) {
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
