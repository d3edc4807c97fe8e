/**
 * A board's members and its audit log. Any member sees who else is on the
 * board; only owners change it. Every change closes the affected person's open
 * sockets, so they reconnect with the rights they now have.
 *
 * Adding a member and raising a role need the owner signed in: access granted
 * with a leaked API token would outlive the token's revocation. Lowering a role
 * and removing a member take a token, so a script can offboard someone.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { audited, toAuditView, type AuditEntry } from '../access/audit.ts'
import { closingSocketsOf } from '../access/close-sockets.ts'
import type { MemberChange, MemberView } from '../storage/storage.ts'
import { givenBackOnFailure, spendAccessChange } from './allowance.ts'
import type { SignedInEnv } from './app-env.ts'
import { boardParams, boardRole } from './board-role.ts'
import { ApiError, notFound } from './errors.ts'
import { ROLE_RANK, roleSchema, type Role } from '../../shared/roles.ts'
import { auditEntrySchema, auditQuerySchema, emailSchema, errorResponses, jsonBody, jsonResponse } from './openapi-parts.ts'
import { requireSession } from './session-required.ts'
import { validationHook } from './validation-hook.ts'

const memberParams = boardParams.extend({ userId: z.string().min(1).max(64) })
const memberSchema = z.object({ userId: z.string(), email: z.string(), name: z.string(), role: roleSchema })

/** A member change's answer when it was made, and its audit entry written with it. */
const made = (change: MemberChange) => change === 'done'

function refuseChange(change: MemberChange, verb: string): void {
  if (change === 'not-member') throw notFound('Member')
  if (change === 'last-owner') {
    throw new ApiError(409, 'last_owner', `Cannot ${verb} the board's last owner: make someone else an owner first.`)
  }
}

/** Mounted at `/boards/:id`. */
export function membersApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/members',
      middleware: boardRole('reviewer'),
      summary: "The board's members and their roles (any member)",
      request: { params: boardParams },
      responses: { 200: jsonResponse(z.array(memberSchema), 'Members, by name'), ...errorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      return c.json(await c.var.services.storage.members.list(id), 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/members',
      middleware: boardRole('owner'),
      summary: 'Add an account to the board with a role (owners, signed in: not with an API token)',
      request: { params: boardParams, body: jsonBody(z.object({ email: emailSchema, role: roleSchema }).strict()) },
      responses: { 201: jsonResponse(memberSchema, 'The new member'), ...errorResponses },
    }),
    async (c) => {
      requireSession(c.var.principal, 'add a member', 'an owner')
      await spendAccessChange(c.var.services, c.var.principal)
      const services = c.var.services
      const id = c.var.board.id
      const { email, role } = c.req.valid('json')
      const user = await services.storage.users.getByEmail(email)
      if (!user) throw new ApiError(404, 'no_account', 'No account has this email: ask the admin to add one, or send an invite link.')
      // Stored with its audit entry or not at all, and not counted when storage refused it (a full disk).
      const entry: AuditEntry = { actor: c.var.principal, action: 'member-added', boardId: id, detail: { userId: user.id, email: user.email, role } }
      const member = { boardId: id, userId: user.id, role, addedAt: new Date().toISOString() }
      const add = () => audited(services, entry, (row) => services.storage.members.add(member, row))
      const added = await givenBackOnFailure(services.allowances.accessChanges, c.var.principal, add)
      if (!added) throw new ApiError(409, 'already_member', 'This person is a member already: change their role instead.')
      const view: MemberView = { userId: user.id, email: user.email, name: user.name, role }
      return c.json(view, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/members/{userId}',
      middleware: boardRole('owner'),
      summary: "Change a member's role (owners; raising it needs the owner signed in, not an API token); their open sockets reconnect with the new role",
      request: { params: memberParams, body: jsonBody(z.object({ role: roleSchema }).strict()) },
      responses: { 200: jsonResponse(memberSchema, 'The member after the change'), ...errorResponses },
    }),
    async (c) => {
      const services = c.var.services
      const id = c.var.board.id
      const { userId } = c.req.valid('param')
      const { role } = c.req.valid('json')
      const principal = c.var.principal
      const raises = (current: Role) => ROLE_RANK[role] > ROLE_RANK[current]
      const needsSession = () => requireSession(principal, "raise a member's role", 'an owner')
      const before = await services.storage.members.role(id, userId)
      // Someone who is no member is answered 404 by the change itself.
      if (before !== undefined && raises(before)) needsSession()
      await spendAccessChange(services, principal)
      // Decided again on the role as it is written: one lowered meanwhile would make a token's lowering a raise.
      const allowed = principal.via === 'session' ? undefined : (current: Role) => !raises(current)
      const closing = closingSocketsOf(services.rooms, { userId, boardId: id })
      const entry: AuditEntry = { actor: principal, action: 'member-role-changed', boardId: id, detail: { userId, from: before ?? null, to: role }, tells: [closing] }
      const setRole = () => audited(services, entry, (row) => services.storage.members.setRole(id, userId, role, allowed, row), made)
      const change = await givenBackOnFailure(services.allowances.accessChanges, principal, setRole)
      if (change === 'not-allowed') needsSession()
      refuseChange(change, 'demote')
      services.rooms.closeConnectionsToldInCommit(closing)
      const member = (await services.storage.members.list(id)).find((m) => m.userId === userId)
      if (!member) throw notFound('Member')
      return c.json(member, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/members/{userId}',
      middleware: boardRole('owner'),
      summary: 'Remove a member (owners); their open sockets close',
      request: { params: memberParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      await spendAccessChange(c.var.services, c.var.principal)
      const services = c.var.services
      const id = c.var.board.id
      const { userId } = c.req.valid('param')
      const closing = closingSocketsOf(services.rooms, { userId, boardId: id })
      const entry: AuditEntry = { actor: c.var.principal, action: 'member-removed', boardId: id, detail: { userId }, tells: [closing] }
      const remove = () => audited(services, entry, (row) => services.storage.members.remove(id, userId, row), made)
      refuseChange(await givenBackOnFailure(services.allowances.accessChanges, c.var.principal, remove), 'remove')
      services.rooms.closeConnectionsToldInCommit(closing)
      return c.body(null, 204)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      middleware: boardRole('owner'),
      summary: "A page of the board's audit log, newest first (owners); `before` reads on past the page, `action` keeps one action",
      request: {
        params: boardParams,
        query: auditQuerySchema,
      },
      responses: { 200: jsonResponse(z.array(auditEntrySchema), 'Entries, newest first'), ...errorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const records = await c.var.services.storage.audit.listForBoard(id, c.req.valid('query'))
      return c.json(records.map(toAuditView), 200)
    },
  )

  return api
}
