/**
 * The one check in front of every route of a board (`/api/boards/:id/…`): the
 * board exists and the caller holds at least the role the route needs. The
 * handler then reads the board and the caller's role from `c.var.board`. A
 * route that changes the board makes the same check again right before its
 * change is applied (`rightStillHeld`): work that takes a while (an import
 * planned in a worker thread, or queued behind others) must not outlive the
 * right that asked for it; a review entry, written after its snapshot was
 * read, checks the role again likewise (`roleStillHeld`). A route that
 * answers what long work made (an export, a comparison, a snapshot's checks or
 * model, a read of the history, a preview) decides the role again once the
 * answer is made and before it is sent (`boardRoleUntilAnswered`).
 */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { atLeast, type Role } from '../../shared/roles.ts'
import type { Access, Principal } from '../access/access.ts'
import { auditedAnswer, type AnswerAudit } from '../access/audited-answer.ts'
import type { ChangeCheck } from '../relay/room.ts'
import type { BoardRecord, Storage } from '../storage/storage.ts'
import type { BoardEnv } from './app-env.ts'
import { callerNow } from './authentication.ts'
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
    const { board, role } = await boardAccess(c.var.services, c.var.principal, id.data, needed)
    if (needed === 'editor') refuseArchived(board)
    c.set('board', { id: id.data, role, needed, record: board })
    await next()
  })
}

/**
 * The request's right to change the board's content, decided again as if it
 * started now: its role (`roleStillHeld`) and the board's state (409 once archived).
 */
export function rightStillHeld(c: Context<BoardEnv>): ChangeCheck {
  return async function confirmBoardRole() {
    refuseArchived(await roleStillHeld(c))
  }
}

/**
 * The request's right to read what its work made, decided again once it is
 * made and before it is sent (`roleStillHeld`): work in a worker thread, or
 * queued behind others' reads, takes seconds, and a member removed meanwhile
 * was sent all seven exports they asked for before, 11 to 21 s after their
 * removal (red team 32b).
 */
export function rightToAnswerHeld(c: Context<BoardEnv>): ChangeCheck {
  return async function confirmRightToAnswer() {
    await roleStillHeld(c)
  }
}

/**
 * `boardRole` for a route whose whole answer is what long work made: a
 * success is sent only while `rightToAnswerHeld`, the refusal in its place
 * otherwise. The answer's audit entry (`auditAnswer`) is written then, saying
 * which of the two happened.
 */
export function boardRoleUntilAnswered(needed: Role) {
  const role = boardRole(needed)
  return createMiddleware<BoardEnv>(async function requireBoardRoleUntilAnswered(c, next) {
    await role(c, async () => {
      c.set('answerAudit', UNAUDITED)
      await next()
      // A refusal (and a 304) discloses nothing the caller may no longer read.
      if (c.res.ok) await auditedAnswer(rightToAnswerHeld(c), c.var.answerAudit ?? UNAUDITED, c.var.services.logger)
    })
  })
}

/** Most long reads (a comparison, checks, a snapshot's model) write no entry. */
const UNAUDITED: AnswerAudit = { sent: async () => undefined, refused: async () => undefined }

/**
 * The audit entry of the answer the route is making, written by
 * `boardRoleUntilAnswered` once it decides the right to the answer again: a
 * route without it would write none.
 */
export function auditAnswer(c: Context<BoardEnv>, entry: AnswerAudit): void {
  if (c.var.answerAudit === undefined) throw new Error('An answer is audited only behind boardRoleUntilAnswered, which writes its entry once the right to it is decided.')
  c.set('answerAudit', entry)
}

/**
 * The request's role on the board, decided again as if it started now: its
 * credential (401 once signed out, revoked or deactivated), the board (404
 * once deleted) and the caller's role on it (404 once removed, 403 once below
 * what the route needs). The board as it now stands.
 */
export async function roleStillHeld(c: Context<BoardEnv>): Promise<BoardRecord> {
  const principal = await callerNow(c)
  return (await boardAccess(c.var.services, principal, c.var.board.id, c.var.board.needed)).board
}

async function boardAccess(services: { storage: Storage; access: Access }, principal: Principal, boardId: string, needed: Role): Promise<{ board: BoardRecord; role: Role }> {
  const board = await services.storage.boards.get(boardId)
  const role = board ? await services.access.authorize(principal, boardId) : null
  // A board the caller cannot see is "not found", not "forbidden": its existence is not disclosed.
  if (!board || role === null) throw notFound('Board')
  if (!atLeast(role, needed)) throw forbidden(`This needs the ${needed} role on this board; you are ${role}.`)
  return { board, role }
}

/** An archived board's content is read-only for everyone until an owner restores it. */
export function refuseArchived(board: Pick<BoardRecord, 'archivedAt' | 'archivedBy'>): void {
  if (board.archivedAt === null) return
  throw new ApiError(409, 'board_archived', `This board was archived by ${board.archivedBy ?? 'an owner'}: it is read-only until an owner restores it.`)
}
