/**
 * One board's content, mounted at `/boards/:id`: the board model (now or as of
 * a past time), its settings, and its sources, claims, assessments and links.
 * Every edit goes through the board's live room, so connected clients see it
 * at once, and every response is sent only after the change is committed.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import * as Y from 'yjs'
import { applyBatch, batchSchema, MAX_BATCH_OPERATIONS } from '../../shared/board-batch.ts'
import { entityInModel } from '../../shared/board-convert.ts'
import {
  assessmentInputSchema,
  assessmentPatchSchema,
  boardModelSchema,
  claimInputSchema,
  claimPatchSchema,
  linkInputSchema,
  linkPatchSchema,
  boardSettingsPatchSchema,
  sourceInputSchema,
  sourcePatchSchema,
} from '../../shared/board-model.ts'
import * as mutations from '../../shared/board-mutations.ts'
import { changeBoardSettings, type Restatement } from '../../shared/board-settings-change.ts'
import { audit } from '../access/audit.ts'
import type { BoardEnv, SignedInEnv } from './app-env.ts'
import { AS_OF_HEADER, asOfParam } from './as-of-query.ts'
import { seeBoardAsOf } from './board-history-read.ts'
import { boardParams, boardRole, boardRoleUntilAnswered } from './board-role.ts'
import { ApiError, notFound } from './errors.ts'
import { sendJsonText } from './json-text.ts'
import { changeBoard, mutationContext, readBoardJson } from './live-board.ts'
import { errorResponses, errorSchema, historyReadResponses, jsonBody, jsonResponse, workerErrorResponses } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

const entityParams = boardParams.extend({ entityId: z.string().min(1).max(64) })

export function boardContentApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/',
      middleware: boardRoleUntilAnswered('reviewer'),
      summary: 'The board model (plain JSON); with asOf, the board as it was then, from its history (the Assay-As-Of header describes the moment)',
      request: { params: boardParams, query: z.object({ asOf: asOfParam.optional() }) },
      responses: { 200: jsonResponse(boardModelSchema, 'The board'), ...errorResponses, ...workerErrorResponses, ...historyReadResponses },
    }),
    async (c) => {
      const { asOf } = c.req.valid('query')
      if (asOf === undefined) return sendJsonText(c, await readBoardJson(c))
      const rebuilt = await seeBoardAsOf(c, asOf)
      c.header(AS_OF_HEADER, JSON.stringify(rebuilt.asOf))
      c.header('ETag', `"${rebuilt.asOf.contentHash}"`)
      return c.json(rebuilt.model, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/',
      middleware: boardRole('editor'),
      summary: 'Change the title, marking, key question, likelihood profile or bottom line up front',
      description:
        'A change of profile between ICD 203 and PHIA restates the probability range of every judgment with a likelihood (the two yardsticks give the bands different ranges): ' +
        'it is refused `409 likelihoods_restated`, naming how many judgments and which, unless the body says `restateLikelihoods: true`. ' +
        'A confirmed one is kept on the board (`yardstickChange`: when, from which profile), noted in the briefing, and written to the audit log (`yardstick-changed`). ' +
        'A change between ICD 203 rows A and B changes only words and needs no confirmation.',
      request: { params: boardParams, body: jsonBody(boardSettingsPatchSchema) },
      responses: {
        200: jsonResponse(boardModelSchema, 'The board after the change'),
        ...errorResponses,
        409: jsonResponse(errorSchema, 'likelihoods_restated: the change of yardstick restates judgments’ probability ranges and was not confirmed'),
      },
    }),
    async (c) => {
      const patch = c.req.valid('json')
      const restatement = await changeBoard(c, (doc) => changeBoardSettings(doc, patch, mutationContext(c)))
      if (restatement.restated.length > 0) await auditRestatement(c, restatement)
      return sendJsonText(c, await readBoardJson(c))
    },
  )

  entityRoutes(api, {
    path: 'sources',
    input: sourceInputSchema,
    patch: sourcePatchSchema,
    item: boardModelSchema.shape.sources.element,
    add: mutations.addSource,
    update: mutations.updateSource,
    remove: mutations.deleteSource,
  })
  entityRoutes(api, {
    path: 'claims',
    input: claimInputSchema,
    patch: claimPatchSchema,
    item: boardModelSchema.shape.claims.element,
    add: mutations.addClaim,
    update: mutations.updateClaim,
    remove: mutations.deleteClaim,
  })
  entityRoutes(api, {
    path: 'assessments',
    input: assessmentInputSchema,
    patch: assessmentPatchSchema,
    item: boardModelSchema.shape.assessments.element,
    add: mutations.addAssessment,
    update: mutations.updateAssessment,
    remove: mutations.deleteAssessment,
  })
  entityRoutes(api, {
    path: 'links',
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
      path: '/assessments/{entityId}/move',
      middleware: boardRole('editor'),
      summary: 'Move an assessment right after another one (or to the top with after: null)',
      request: { params: entityParams, body: jsonBody(z.object({ after: z.string().min(1).max(64).nullable() }).strict()) },
      responses: { 200: jsonResponse(boardModelSchema.shape.assessments.element, 'The moved assessment'), ...errorResponses },
    }),
    async (c) => {
      const { entityId } = c.req.valid('param')
      const { after } = c.req.valid('json')
      const moved = await changeBoard(c, (doc) => {
        mutations.moveAssessment(doc, entityId, after, mutationContext(c))
        return entityInModel(doc, 'assessments', entityId)
      })
      if (!moved) throw notFound('Assessment')
      return c.json(moved, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/links/{entityId}/keep',
      middleware: boardRole('editor'),
      summary: "Keep this link's rating of its claim against its assessment (Two ratings of one pair): the counted link takes it, the others are deleted",
      request: { params: entityParams },
      responses: { 200: jsonResponse(boardModelSchema.shape.links.element, 'The one link of the pair, rated as kept'), ...errorResponses },
    }),
    async (c) => {
      const { entityId } = c.req.valid('param')
      const kept = await changeBoard(c, (doc) => entityInModel(doc, 'links', mutations.keepLink(doc, entityId, mutationContext(c))))
      if (!kept) throw notFound('Link')
      return c.json(kept, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/batch',
      middleware: boardRole('editor'),
      summary: `Apply several changes as one: every operation or none, one commit, one step in everyone's undo history (at most ${MAX_BATCH_OPERATIONS} operations)`,
      description:
        'Each operation is `add` (with `input`, and an optional `ref` that later operations name as `@ref` in any id field), `update` (with `patch`), ' +
        '`delete`, or `move` (assessments, with `after`). Each is validated as the single route would; the first refused one is named by its number ' +
        '(`index`, from 0) and nothing is applied.',
      request: { params: boardParams, body: jsonBody(batchSchema) },
      responses: {
        200: jsonResponse(z.object({ ids: z.array(z.string()) }), 'The id each operation added, changed, deleted or moved, in order'),
        ...errorResponses,
        413: jsonResponse(errorSchema, 'The body is over the request size limit.'),
      },
    }),
    async (c) => {
      const batch = c.req.valid('json')
      // A batch that only deletes is what a full board takes.
      const deletesOnly = batch.operations.every((operation) => operation.op === 'delete')
      return c.json(await changeBoard(c, (doc) => applyBatch(doc, batch, mutationContext(c)), { evenWhenFull: deletesOnly }), 200)
    },
  )

  return api
}

/**
 * The validated input of a route built from a generic spec: the validator ran
 * (the route's schemas are the spec's), but TypeScript cannot follow the generic
 * route type through to `c.req.valid`, so the type is stated here once.
 */
function validated<T>(c: Context<BoardEnv>, target: 'param' | 'json'): T {
  return (c.req as unknown as { valid(target: string): T }).valid(target)
}

type EntityKey = 'sources' | 'claims' | 'assessments' | 'links'

type EntityRoutesSpec<I extends z.ZodType, P extends z.ZodType, M extends z.ZodType> = {
  path: EntityKey
  input: I
  patch: P
  item: M
  add: (doc: Y.Doc, input: z.input<I>, ctx: mutations.MutationContext) => string
  update: (doc: Y.Doc, id: string, patch: z.output<P>, ctx: mutations.MutationContext) => void
  remove: (doc: Y.Doc, id: string, ctx: mutations.MutationContext) => void
}

/** POST /<things>, PATCH and DELETE /<things>/{entityId}: the same shape for every collection (editors and owners). */
function entityRoutes<I extends z.ZodType, P extends z.ZodType, M extends z.ZodType>(
  api: OpenAPIHono<SignedInEnv>,
  spec: EntityRoutesSpec<I, P, M>,
): void {
  const noun = spec.path.slice(0, -1)

  api.openapi(
    createRoute({
      method: 'post',
      path: `/${spec.path}`,
      middleware: boardRole('editor'),
      summary: `Add a ${noun}`,
      request: { params: boardParams, body: jsonBody(spec.input) },
      responses: { 201: jsonResponse(spec.item, `The new ${noun}`), ...errorResponses },
    }),
    async (c) => {
      const input = validated<z.input<I>>(c, 'json')
      const created = await changeBoard(c, (doc) => {
        const entityId = spec.add(doc, input, mutationContext(c))
        return entityInModel(doc, spec.path, entityId)
      })
      if (!created) throw new ApiError(409, 'conflict', `The ${noun} was removed by someone else as it was created.`)
      return c.json(created as z.infer<M>, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'patch',
      path: `/${spec.path}/{entityId}`,
      middleware: boardRole('editor'),
      summary: `Change a ${noun}`,
      request: { params: entityParams, body: jsonBody(spec.patch) },
      responses: { 200: jsonResponse(spec.item, `The ${noun} after the change`), ...errorResponses },
    }),
    async (c) => {
      const { entityId } = validated<{ entityId: string }>(c, 'param')
      const patch = validated<z.output<P>>(c, 'json')
      const updated = await changeBoard(c, (doc) => {
        spec.update(doc, entityId, patch, mutationContext(c))
        return entityInModel(doc, spec.path, entityId)
      })
      if (!updated) throw notFound(noun[0]!.toUpperCase() + noun.slice(1))
      return c.json(updated as z.infer<M>, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: `/${spec.path}/{entityId}`,
      middleware: boardRole('editor'),
      summary: `Delete a ${noun} (and what depends on it)`,
      request: { params: entityParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    async (c) => {
      const { entityId } = validated<{ entityId: string }>(c, 'param')
      await changeBoard(c, (doc) => spec.remove(doc, entityId, mutationContext(c)), { evenWhenFull: true })
      return c.body(null, 204)
    },
  )
}

/** A confirmed change of yardstick in the audit log: who restated how many judgments' ranges, from which profile to which, and which judgments. */
async function auditRestatement(c: Context<BoardEnv>, { from, to, restated }: Restatement): Promise<void> {
  await audit(c.var.services, {
    actor: c.var.principal,
    action: 'yardstick-changed',
    boardId: c.var.board.id,
    detail: { from, to, restated: restated.length, assessmentIds: restated.map((r) => r.id).join(',') },
  })
}
