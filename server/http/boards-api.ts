/**
 * The boards API. Every edit goes through the board's live room, so connected
 * clients see it at once, and every response is sent only after the change is
 * committed.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import * as Y from 'yjs'
import { applyBatch, batchSchema, MAX_BATCH_OPERATIONS } from '../../shared/board-batch.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import {
  assessmentInputSchema,
  assessmentPatchSchema,
  boardModelSchema,
  claimInputSchema,
  claimPatchSchema,
  linkInputSchema,
  linkPatchSchema,
  metaPatchSchema,
  sourceInputSchema,
  sourcePatchSchema,
  type BoardModel,
} from '../../shared/board-model.ts'
import * as mutations from '../../shared/board-mutations.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import { boardReview, snapshotReviewStatusSchema } from '../../shared/review-status.ts'
import { atLeast, roleSchema, type Role } from '../../shared/roles.ts'
import { createBoard } from '../boards/create-board.ts'
import type { BoardRecord } from '../storage/storage.ts'
import { historyAudit } from '../history/history-audit.ts'
import { readBoardAsOf } from '../history/read-history.ts'
import type { AppEnv } from './app-env.ts'
import { AS_OF_HEADER, asOfParam, keptAsOf, pastTime } from './as-of-query.ts'
import { workerErrorResponses } from './openapi-parts.ts'
import { ApiError, forbidden, notFound } from './errors.ts'
import { validationHook } from './validation-hook.ts'

const boardIdParam = z.object({ id: z.string().min(1).max(64) })
const entityParams = boardIdParam.extend({ entityId: z.string().min(1).max(64) })
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
const boardSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: z.string(),
  role: roleSchema,
  /** The summary the server keeps as the board changes; null until the board has first been loaded since it existed. */
  marking: z.string().nullable(),
  assessmentCount: z.number().nullable(),
  claimCount: z.number().nullable(),
  lastChangeAt: z.string().nullable(),
  /** Set while the board is archived (read-only for everyone), with who archived it. */
  archivedAt: z.string().nullable(),
  archivedBy: z.string().nullable(),
  /** The newest signed-off snapshot's review; null when no snapshot has been signed off. */
  review: snapshotReviewStatusSchema.nullable(),
})
const listQuerySchema = z.object({
  archived: z.enum(['exclude', 'include', 'only']).default('exclude').openapi({ description: 'Archived boards are left out unless asked for' }),
})
/** The board's settings, the title required. */
const createBoardSchema = metaPatchSchema.required({ title: true })

const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } })
const jsonResponse = <S extends z.ZodType>(schema: S, description: string) => ({ ...json(schema), description })
const errors = {
  400: jsonResponse(errorSchema, 'The request was invalid; the message says which field and why.'),
  401: jsonResponse(errorSchema, 'No valid credential.'),
  403: jsonResponse(errorSchema, 'No right to do this on this board.'),
  404: jsonResponse(errorSchema, 'No such board or item.'),
  409: jsonResponse(errorSchema, 'The change conflicts with the board as it is.'),
}

/**
 * The role of the caller on the board, refusing with 404 (no board), 403 (not
 * enough rights). Needing the editor role means changing the board's content,
 * which an archived board refuses to everyone (409 board_archived).
 */
export async function requireBoardRole(c: Context<AppEnv>, boardId: string, needed: Role): Promise<Role> {
  const { storage, access } = c.var.services
  const board = await storage.boards.get(boardId)
  const role = board ? await access.authorize(c.var.principal, boardId) : null
  // A board the caller cannot see is "not found", not "forbidden": its existence is not disclosed.
  if (!board || role === null) throw notFound('Board')
  if (!atLeast(role, needed)) throw forbidden(`This needs the ${needed} role on this board; you are ${role}.`)
  if (needed === 'editor') refuseArchived(board)
  return role
}

/** An archived board's content is read-only for everyone until an owner restores it. */
export function refuseArchived(board: Pick<BoardRecord, 'archivedAt' | 'archivedBy'>): void {
  if (board.archivedAt === null) return
  throw new ApiError(409, 'board_archived', `This board was archived by ${board.archivedBy ?? 'an owner'}: it is read-only until an owner restores it.`)
}

/** Changes the board's live document and resolves once the change is committed. */
export async function changeBoard<T>(c: Context<AppEnv>, boardId: string, change: (doc: Y.Doc) => T): Promise<T> {
  const result = await c.var.services.rooms.withRoom(boardId, (room) => room.change(change))
  if (result === null) throw notFound('Board')
  return result
}

/** The board model as stored: an HTTP reader never sees a change before it is committed. */
export async function readBoardModel(c: Context<AppEnv>, boardId: string): Promise<BoardModel> {
  const model = await c.var.services.rooms.withRoom(boardId, (room) => room.read((doc) => boardToModel(doc, boardId)))
  if (model === null) throw notFound('Board')
  return model
}

export function mutationContext(c: Context<AppEnv>): mutations.MutationContext {
  return { by: c.var.principal.name, origin: serverOrigin(c.var.principal.userId ?? c.var.principal.name) }
}

export function boardsApi(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'post',
      path: '/boards',
      summary: 'Create a board; the caller becomes its owner',
      request: { body: { ...json(createBoardSchema), required: true } },
      responses: { 201: jsonResponse(z.object({ id: z.string(), title: z.string() }), 'The new board'), ...errors },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const id = await createBoard(c.var.services, body, c.var.principal)
      return c.json({ id, title: body.title }, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/boards',
      summary: 'The boards the caller can open, with their marking, size, last change and review status; archived ones only when asked for',
      request: { query: listQuerySchema },
      responses: { 200: jsonResponse(z.array(boardSummarySchema), 'Boards, oldest first'), 400: errors[400], 401: errors[401] },
    }),
    async (c) => {
      const { storage, access } = c.var.services
      const { archived } = c.req.valid('query')
      const boards = await storage.boards.list()
      const visible: z.infer<typeof boardSummarySchema>[] = []
      for (const board of boards) {
        if (archived === 'exclude' ? board.archivedAt !== null : archived === 'only' ? board.archivedAt === null : false) continue
        const role = await access.authorize(c.var.principal, board.id)
        if (role === null) continue
        const { id, title, createdAt, marking, assessmentCount, claimCount, lastChangeAt, archivedAt, archivedBy } = board
        const review = boardReview(await storage.reviews.boardSignoffs(id)).latest
        visible.push({ id, title, createdAt, role, marking, assessmentCount, claimCount, lastChangeAt, archivedAt, archivedBy, review })
      }
      return c.json(visible, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/boards/{id}',
      summary: 'The board model (plain JSON); with asOf, the board as it was then, from its history (the Assay-As-Of header describes the moment)',
      request: { params: boardIdParam, query: z.object({ asOf: asOfParam.optional() }) },
      responses: { 200: jsonResponse(boardModelSchema, 'The board'), ...errors, ...workerErrorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      await requireBoardRole(c, id, 'reviewer')
      const { asOf } = c.req.valid('query')
      if (asOf === undefined) return c.json(await readBoardModel(c, id), 200)
      const rebuilt = keptAsOf(await readBoardAsOf(c.var.services, id, pastTime(c, asOf)))
      await historyAudit.viewed(c.var.services, c.var.principal, id, 'as-of', { asOf, at: rebuilt.asOf.at })
      c.header(AS_OF_HEADER, JSON.stringify(rebuilt.asOf))
      c.header('ETag', `"${rebuilt.asOf.contentHash}"`)
      return c.json(rebuilt.model, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/boards/{id}',
      summary: 'Change the title, marking, key question, likelihood profile or bottom line up front',
      request: { params: boardIdParam, body: { ...json(metaPatchSchema), required: true } },
      responses: { 200: jsonResponse(boardModelSchema, 'The board after the change'), ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      await requireBoardRole(c, id, 'editor')
      const patch = c.req.valid('json')
      const model = await changeBoard(c, id, (doc) => {
        mutations.updateMeta(doc, patch, mutationContext(c))
        return boardToModel(doc, id)
      })
      if (patch.title !== undefined) await c.var.services.storage.boards.rename(id, model.title)
      return c.json(model, 200)
    },
  )

  entityRoutes(api, {
    path: 'sources',
    modelKey: 'sources',
    input: sourceInputSchema,
    patch: sourcePatchSchema,
    item: boardModelSchema.shape.sources.element,
    add: mutations.addSource,
    update: mutations.updateSource,
    remove: mutations.deleteSource,
  })
  entityRoutes(api, {
    path: 'claims',
    modelKey: 'claims',
    input: claimInputSchema,
    patch: claimPatchSchema,
    item: boardModelSchema.shape.claims.element,
    add: mutations.addClaim,
    update: mutations.updateClaim,
    remove: mutations.deleteClaim,
  })
  entityRoutes(api, {
    path: 'assessments',
    modelKey: 'assessments',
    input: assessmentInputSchema,
    patch: assessmentPatchSchema,
    item: boardModelSchema.shape.assessments.element,
    add: mutations.addAssessment,
    update: mutations.updateAssessment,
    remove: mutations.deleteAssessment,
  })
  entityRoutes(api, {
    path: 'links',
    modelKey: 'links',
    input: linkInputSchema,
    patch: linkPatchSchema,
    item: boardModelSchema.shape.links.element,
    add: mutations.addLink,
    update: mutations.updateLink,
    remove: mutations.deleteLink,
  })

  api.openapi(
    createRoute({
      method: 'post',
      path: '/boards/{id}/assessments/{entityId}/move',
      summary: 'Move an assessment right after another one (or to the top with after: null)',
      request: {
        params: entityParams,
        body: { ...json(z.object({ after: z.string().min(1).max(64).nullable() }).strict()), required: true },
      },
      responses: { 200: jsonResponse(boardModelSchema.shape.assessments.element, 'The moved assessment'), ...errors },
    }),
    async (c) => {
      const { id, entityId } = c.req.valid('param')
      await requireBoardRole(c, id, 'editor')
      const { after } = c.req.valid('json')
      const moved = await changeBoard(c, id, (doc) => {
        mutations.moveAssessment(doc, entityId, after, mutationContext(c))
        return boardToModel(doc, id).assessments.find((a) => a.id === entityId)
      })
      if (!moved) throw notFound('Assessment')
      return c.json(moved, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/boards/{id}/batch',
      summary: `Apply several changes as one: every operation or none, one commit, one step in everyone's undo history (at most ${MAX_BATCH_OPERATIONS} operations)`,
      description:
        'Each operation is `add` (with `input`, and an optional `ref` that later operations name as `@ref` in any id field), `update` (with `patch`), ' +
        '`delete`, or `move` (assessments, with `after`). Each is validated as the single route would; the first refused one is named by its number ' +
        '(`index`, from 0) and nothing is applied.',
      request: { params: boardIdParam, body: { ...json(batchSchema), required: true } },
      responses: {
        200: jsonResponse(z.object({ ids: z.array(z.string()) }), 'The id each operation added, changed, deleted or moved, in order'),
        ...errors,
        413: jsonResponse(errorSchema, 'The body is over the request size limit.'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      await requireBoardRole(c, id, 'editor')
      const batch = c.req.valid('json')
      return c.json(await changeBoard(c, id, (doc) => applyBatch(doc, batch, mutationContext(c))), 200)
    },
  )

  return api
}

/**
 * The validated input of a route built from a generic spec: the validator ran
 * (the route's schemas are the spec's), but TypeScript cannot follow the generic
 * route type through to `c.req.valid`, so the type is stated here once.
 */
function validated<T>(c: Context<AppEnv>, target: 'param' | 'json'): T {
  return (c.req as unknown as { valid(target: string): T }).valid(target)
}

type EntityKey = 'sources' | 'claims' | 'assessments' | 'links'

type EntityRoutesSpec<I extends z.ZodType, P extends z.ZodType, M extends z.ZodType> = {
  path: EntityKey
  modelKey: EntityKey
  input: I
  patch: P
  item: M
  add: (doc: Y.Doc, input: z.input<I>, ctx: mutations.MutationContext) => string
  update: (doc: Y.Doc, id: string, patch: z.output<P>, ctx: mutations.MutationContext) => void
  remove: (doc: Y.Doc, id: string, ctx: mutations.MutationContext) => void
}

/** POST /boards/{id}/<things>, PATCH and DELETE /boards/{id}/<things>/{entityId}: the same shape for every collection. */
function entityRoutes<I extends z.ZodType, P extends z.ZodType, M extends z.ZodType>(
  api: OpenAPIHono<AppEnv>,
  spec: EntityRoutesSpec<I, P, M>,
): void {
  const noun = spec.path.slice(0, -1)
  const find = (model: BoardModel, entityId: string) =>
    (model[spec.modelKey] as { id: string }[]).find((item) => item.id === entityId)

  api.openapi(
    createRoute({
      method: 'post',
      path: `/boards/{id}/${spec.path}`,
      summary: `Add a ${noun}`,
      request: { params: boardIdParam, body: { ...json(spec.input), required: true } },
      responses: { 201: jsonResponse(spec.item, `The new ${noun}`), ...errors },
    }),
    async (c) => {
      const { id } = validated<{ id: string }>(c, 'param')
      await requireBoardRole(c, id, 'editor')
      const input = validated<z.input<I>>(c, 'json')
      const created = await changeBoard(c, id, (doc) => {
        const entityId = spec.add(doc, input, mutationContext(c))
        return find(boardToModel(doc, id), entityId)
      })
      if (!created) throw new ApiError(409, 'conflict', `The ${noun} was removed by someone else as it was created.`)
      return c.json(created as z.infer<M>, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'patch',
      path: `/boards/{id}/${spec.path}/{entityId}`,
      summary: `Change a ${noun}`,
      request: { params: entityParams, body: { ...json(spec.patch), required: true } },
      responses: { 200: jsonResponse(spec.item, `The ${noun} after the change`), ...errors },
    }),
    async (c) => {
      const { id, entityId } = validated<{ id: string; entityId: string }>(c, 'param')
      await requireBoardRole(c, id, 'editor')
      const patch = validated<z.output<P>>(c, 'json')
      const updated = await changeBoard(c, id, (doc) => {
        spec.update(doc, entityId, patch, mutationContext(c))
        return find(boardToModel(doc, id), entityId)
      })
      if (!updated) throw notFound(noun[0]!.toUpperCase() + noun.slice(1))
      return c.json(updated as z.infer<M>, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: `/boards/{id}/${spec.path}/{entityId}`,
      summary: `Delete a ${noun} (and what depends on it)`,
      request: { params: entityParams },
      responses: { 204: { description: 'Deleted' }, ...errors },
    }),
    async (c) => {
      const { id, entityId } = validated<{ id: string; entityId: string }>(c, 'param')
      await requireBoardRole(c, id, 'editor')
      await changeBoard(c, id, (doc) => spec.remove(doc, entityId, mutationContext(c)))
      return c.body(null, 204)
    },
  )
}
