/**
 * The boards: create one (the caller becomes its owner) and list those the
 * caller can open. One board's own routes are in board-content-api.ts and the
 * other files mounted under `/boards/:id`.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { metaPatchSchema } from '../../shared/board-model.ts'
import { boardListingSchema, type BoardListing } from '../../shared/board-listing.ts'
import { formatCount } from '../../shared/format-number.ts'
import { boardReview } from '../../shared/review-status.ts'
import { roleIn, type Principal } from '../access/access.ts'
import { createBoard } from '../boards/create-board.ts'
import type { Services } from '../services.ts'
import { givenBackOnFailure, spendAllowance } from './allowance.ts'
import type { SignedInEnv } from './app-env.ts'
import { ApiError } from './errors.ts'
import { liveHashFor } from './live-hash-for.ts'
import { errorResponses, errorSchema, jsonBody, jsonResponse } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

const listQuerySchema = z.object({
  archived: z.enum(['exclude', 'include', 'only']).default('exclude').openapi({ description: 'Archived boards are left out unless asked for' }),
})
/** The board's settings, the title required. */
const createBoardSchema = metaPatchSchema.required({ title: true })

export function boardsApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'post',
      path: '/boards',
      summary: 'Create a board; the caller becomes its owner',
      request: { body: jsonBody(createBoardSchema) },
      responses: {
        201: jsonResponse(z.object({ id: z.string(), title: z.string() }), 'The new board'),
        ...errorResponses,
        429: jsonResponse(errorSchema, 'Created as many boards as BOARDS_PER_HOUR_PER_PERSON allows for now; Retry-After says when to try again'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const { principal, services } = c.var
      await ensureRoomForBoard(services, principal)
      await spendAllowance(services.allowances.boards, principal, 'created as many boards')
      // Stored whole or not at all: a creation refused (a full disk) left nothing, and is not counted.
      const id = await givenBackOnFailure(services.allowances.boards, principal, () => createBoard(services, body, principal))
      return c.json({ id, title: body.title }, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/boards',
      summary: 'The boards the caller can open, with their marking, size, last change and review status; archived ones only when asked for',
      request: { query: listQuerySchema },
      responses: { 200: jsonResponse(z.array(boardListingSchema), 'Boards, oldest first'), 400: errorResponses[400], 401: errorResponses[401] },
    }),
    async (c) => {
      const { storage, access } = c.var.services
      const { archived } = c.req.valid('query')
      const roles = await access.boardRoles(c.var.principal)
      const boards = await storage.boards.list('everyBoard' in roles ? undefined : [...roles.byBoard.keys()])
      const listed = boards.flatMap((board) => {
        const role = roleIn(roles, board.id)
        const wanted = archived === 'include' || (archived === 'only') === (board.archivedAt !== null)
        return role !== null && wanted ? [{ board, role }] : []
      })
      const signoffs = await storage.reviews.boardSignoffs(listed.map(({ board }) => board.id))
      const liveHashes = await reviewedBoardHashes(c.var.services, c.var.principal, signoffs)
      const visible = listed.map(({ board, role }): BoardListing => {
        const { id, title, createdAt, marking, assessmentCount, claimCount, lastChangeAt, archivedAt, archivedBy } = board
        const review = boardReview(signoffs.get(id) ?? [], liveHashes.get(id) ?? null).latest
        return { id, title, createdAt, role, marking, assessmentCount, claimCount, lastChangeAt, archivedAt, archivedBy, review }
      })
      return c.json(visible, 200)
    },
  )

  return api
}

/** The live content hash of each board with a signed-off snapshot, to say whether it changed since (liveHashFor). */
async function reviewedBoardHashes(services: Pick<Services, 'liveContentHashes' | 'rooms'>, principal: Principal, signoffs: Map<string, unknown[]>): Promise<Map<string, string | null>> {
  const reviewed = [...signoffs].filter(([, signed]) => signed.length > 0).map(([id]) => id)
  const hashes = await Promise.all(reviewed.map((id) => liveHashFor(services, principal, id)))
  return new Map(reviewed.map((id, i) => [id, hashes[i] ?? null]))
}

/** Refuses a board to a person who can open BOARDS_MAX_PER_PERSON already: each of their board lists walks every one. */
async function ensureRoomForBoard(services: Pick<Services, 'access' | 'config'>, principal: Principal): Promise<void> {
  if (principal.isAdmin) return
  const roles = await services.access.boardRoles(principal)
  if ('everyBoard' in roles || roles.byBoard.size < services.config.BOARDS_MAX_PER_PERSON) return
  throw new ApiError(
    409,
    'too_many_boards',
    `You can open ${formatCount(roles.byBoard.size)} boards, as many as one person may (BOARDS_MAX_PER_PERSON): no board was created. ` +
      'The admin can delete boards no longer needed, and owners can remove you from theirs.',
  )
}
