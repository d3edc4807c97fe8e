/**
 * The one check in front of every route of a board (`/api/boards/:id/…`): the
 * board exists and the caller holds at least the role the route needs. The
 * handler then reads the board and the caller's role from `c.var.board`.
 */
import { z } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import { atLeast, type Role } from '../../shared/roles.ts'
import type { BoardRecord } from '../storage/storage.ts'
import type { BoardEnv } from './app-env.ts'
import { ApiError, forbidden, notFound } from './errors.ts'

export const boardIdSchema = z.string().min(1).max(64)
/** The path parameter every board route declares (the sub-app is mounted at `/boards/:id`). */
export const boardParams = z.object({ id: boardIdSchema })
export const snapshotParams = boardParams.extend({ snapshotId: z.string().min(1).max(64) })

/**
 * Refuses with 400 (a malformed id), 404 (no board, or not the caller's to
 * see) or 403 (a lower role than `needed`). Needing the editor role means
 * changing the board's content, which an archived board refuses to everyone
 * (409 board_archived).
 */
export function boardRole(needed: Role) {
  return createMiddleware<BoardEnv>(async function requireBoardRole(c, next) {
    const id = boardIdSchema.safeParse(c.req.param('id'))
    if (!id.success) throw new ApiError(400, 'invalid', 'Invalid param: id must be 1 to 64 characters.')
    const { storage, access } = c.var.services
    const board = await storage.boards.get(id.data)
    const role = board ? await access.authorize(c.var.principal, id.data) : null
    // A board the caller cannot see is "not found", not "forbidden": its existence is not disclosed.
    if (!board || role === null) throw notFound('Board')
    if (!atLeast(role, needed)) throw forbidden(`This needs the ${needed} role on this board; you are ${role}.`)
    if (needed === 'editor') refuseArchived(board)
    c.set('board', { id: id.data, role, record: board })
    await next()
  })
}

/** An archived board's content is read-only for everyone until an owner restores it. */
export function refuseArchived(board: Pick<BoardRecord, 'archivedAt' | 'archivedBy'>): void {
  if (board.archivedAt === null) return
  throw new ApiError(409, 'board_archived', `This board was archived by ${board.archivedBy ?? 'an owner'}: it is read-only until an owner restores it.`)
}
