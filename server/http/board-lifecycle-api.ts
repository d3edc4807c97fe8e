/**
 * Archiving, restoring and deleting a board. An owner archives a board: it
 * leaves the default board list and its content is read-only for everyone (the
 * relay and the API refuse changes) until an owner restores it. The admin
 * deletes a board: its rows go on either database and its sockets close for
 * good. Each closes the board's sockets on every instance, so that the relay
 * decides again what they may do.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { CLOSE } from '../../shared/protocol.ts'
import { audited, type AuditEntry } from '../access/audit.ts'
import { closingSocketsOf } from '../access/close-sockets.ts'
import { givenBackOnFailure, spendAccessChange } from './allowance.ts'
import type { SignedInEnv } from './app-env.ts'
import { boardParams, boardRole } from './board-role.ts'
import { forbidden, notFound } from './errors.ts'
import { errorResponses, jsonResponse } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

const archiveStateSchema = z.object({ archivedAt: z.string().nullable(), archivedBy: z.string().nullable() })

/** Mounted at `/boards/:id`. */
export function boardLifecycleApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'post',
      path: '/archive',
      middleware: boardRole('owner'),
      summary: 'Archive the board (owners): hidden from the default board list, read-only for everyone until restored',
      request: { params: boardParams },
      responses: { 200: jsonResponse(archiveStateSchema, 'The board is archived'), ...errorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const services = c.var.services
      const board = c.var.board.record
      if (board.archivedAt !== null) return c.json({ archivedAt: board.archivedAt, archivedBy: board.archivedBy }, 200)
      await spendAccessChange(c.var.services, c.var.principal)
      const archived = { at: new Date().toISOString(), by: c.var.principal.name }
      // Archived with its audit entry or not at all, and not counted when storage refused it (a full disk).
      // Writers reconnect, and are admitted read-only.
      const closing = closingSocketsOf(services.rooms, { boardId: id })
      const entry: AuditEntry = { actor: c.var.principal, action: 'board-archived', boardId: id, detail: { title: board.title }, tells: [closing] }
      const archive = () => audited(services, entry, (row) => services.storage.boards.setArchived(id, archived, row))
      if (!(await givenBackOnFailure(services.allowances.accessChanges, c.var.principal, archive))) throw notFound('Board')
      services.rooms.closeConnectionsToldInCommit(closing)
      return c.json({ archivedAt: archived.at, archivedBy: archived.by }, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/archive',
      middleware: boardRole('owner'),
      summary: 'Restore an archived board (owners): back in the board list and editable',
      request: { params: boardParams },
      responses: { 200: jsonResponse(archiveStateSchema, 'The board is no longer archived'), ...errorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const services = c.var.services
      const board = c.var.board.record
      if (board.archivedAt === null) return c.json({ archivedAt: null, archivedBy: null }, 200)
      await spendAccessChange(c.var.services, c.var.principal)
      const closing = closingSocketsOf(services.rooms, { boardId: id })
      const entry: AuditEntry = { actor: c.var.principal, action: 'board-restored', boardId: id, detail: { title: board.title, archivedBy: board.archivedBy }, tells: [closing] }
      const restore = () => audited(services, entry, (row) => services.storage.boards.setArchived(id, null, row))
      if (!(await givenBackOnFailure(services.allowances.accessChanges, c.var.principal, restore))) throw notFound('Board')
      services.rooms.closeConnectionsToldInCommit(closing)
      return c.json({ archivedAt: null, archivedBy: null }, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/',
      // Any member learns that only the admin deletes; anyone else is told there is no such board.
      middleware: boardRole('reviewer'),
      summary:
        'Delete the board (admin only): its update log, history, snapshots, reviews, members and invites go; its sockets close for good (4410); the audit log keeps the deletion',
      request: { params: boardParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    async (c) => {
      const { id, record: board } = c.var.board
      const services = c.var.services
      if (!c.var.principal.isAdmin) throw forbidden('Only the admin deletes a board; an owner can archive it.')
      const closing = services.rooms.closingToTell({ boardId: id }, CLOSE.boardDeleted)
      const entry: AuditEntry = {
        actor: c.var.principal,
        action: 'board-deleted',
        boardId: id,
        detail: { title: board.title, assessments: board.assessmentCount, claims: board.claimCount },
        tells: [closing],
      }
      // Deleted with its audit entry or not at all, while its room here commits nothing (so no edit is acknowledged
      // and then taken away). Should storage refuse it, its room goes on and its members keep editing.
      await services.rooms.deleteBoard(id, async () => {
        await audited(services, entry, (row) => services.storage.boards.delete(id, row))
      })
      // Only once deleted are its sockets told so, for good, here and on every instance.
      services.rooms.closeConnectionsToldInCommit(closing)
      services.historyReads.forgetBoard(id)
      return c.body(null, 204)
    },
  )

  return api
}
