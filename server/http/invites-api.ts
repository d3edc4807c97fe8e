/**
 * Invitation links: an owner makes a link that carries a role and expires;
 * anyone signed in who opens it before then joins the board with that role.
 * A link may be used by several people until it expires. Only the hash of its
 * token is stored.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { atLeast } from '../access/access.ts'
import { audit } from '../access/audit.ts'
import { closeSocketsOf } from '../access/close-sockets.ts'
import { hashSecret, newSecret } from '../auth/secret-token.ts'
import type { Services } from '../services.ts'
import type { InviteRecord } from '../storage/storage.ts'
import type { AppEnv } from './app-env.ts'
import { requireBoardRole } from './boards-api.ts'
import { ApiError } from './errors.ts'
import { errorResponses, jsonBody, jsonResponse, roleSchema } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

const DEFAULT_EXPIRY_HOURS = 72
const MAX_EXPIRY_HOURS = 30 * 24

const tokenParam = z.object({ token: z.string().min(1).max(128) })
const inviteSchema = z.object({ boardId: z.string(), boardTitle: z.string(), role: roleSchema, expiresAt: z.string() })

const unknownInvite = () => new ApiError(404, 'invite_not_found', 'This invite link is unknown or has expired: ask the board owner for a new one.')

async function liveInvite(services: Services, token: string): Promise<InviteRecord> {
  const invite = await services.storage.invites.get(hashSecret(token))
  if (!invite || Date.parse(invite.expiresAt) <= Date.now()) throw unknownInvite()
  return invite
}

/** Reading an invite needs no account: the link itself is the credential, and the page offers to sign in. */
export function publicInvitesApi(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  api.openapi(
    createRoute({
      method: 'get',
      path: '/invites/{token}',
      summary: 'What an invite link offers: the board and the role',
      request: { params: tokenParam },
      responses: { 200: jsonResponse(inviteSchema, 'The invite'), 404: errorResponses[404] },
    }),
    async (c) => {
      const services = c.var.services
      const invite = await liveInvite(services, c.req.valid('param').token)
      const board = await services.storage.boards.get(invite.boardId)
      if (!board) throw unknownInvite()
      return c.json({ boardId: board.id, boardTitle: board.title, role: invite.role, expiresAt: invite.expiresAt }, 200)
    },
  )
  return api
}

export function invitesApi(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'post',
      path: '/boards/{id}/invites',
      summary: 'Make an invite link to the board with a role (owners)',
      request: {
        params: z.object({ id: z.string().min(1).max(64) }),
        body: jsonBody(z.object({ role: roleSchema, expiresInHours: z.number().int().min(1).max(MAX_EXPIRY_HOURS).optional() }).strict()),
      },
      responses: { 201: jsonResponse(z.object({ url: z.string(), token: z.string(), expiresAt: z.string() }), 'The link'), ...errorResponses },
    }),
    async (c) => {
      const services = c.var.services
      const { id } = c.req.valid('param')
      await requireBoardRole(c, id, 'owner')
      const { role, expiresInHours = DEFAULT_EXPIRY_HOURS } = c.req.valid('json')
      const token = newSecret()
      const now = new Date()
      const expiresAt = new Date(now.getTime() + expiresInHours * 3600_000).toISOString()
      await services.storage.invites.deleteExpired(now.toISOString())
      await services.storage.invites.create({
        tokenHash: hashSecret(token),
        boardId: id,
        role,
        createdBy: c.var.principal.userId ?? c.var.principal.name,
        createdAt: now.toISOString(),
        expiresAt,
      })
      await audit(services, { actor: c.var.principal, action: 'invite-created', boardId: id, detail: { role, expiresAt } })
      c.header('Cache-Control', 'no-store')
      return c.json({ url: `/invite/${token}`, token, expiresAt }, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/invites/{token}/accept',
      summary: "Join the invite's board; a member already holding a higher role keeps it",
      request: { params: tokenParam },
      responses: { 200: jsonResponse(z.object({ boardId: z.string(), role: roleSchema }), 'Joined'), ...errorResponses },
    }),
    async (c) => {
      const services = c.var.services
      const { members } = services.storage
      const userId = c.var.principal.userId
      if (userId === null) throw new ApiError(403, 'forbidden', 'Sign in with an account to accept an invite.')
      const invite = await liveInvite(services, c.req.valid('param').token)
      const current = await members.role(invite.boardId, userId)
      if (current !== undefined && atLeast(current, invite.role)) return c.json({ boardId: invite.boardId, role: current }, 200)
      const joined =
        current === undefined
          ? await members.add({ boardId: invite.boardId, userId, role: invite.role, addedAt: new Date().toISOString() })
          : (await members.setRole(invite.boardId, userId, invite.role)) === 'done'
      if (!joined) throw new ApiError(409, 'conflict', 'Your membership changed meanwhile: open the invite link again.')
      closeSocketsOf(services, { userId, boardId: invite.boardId })
      await audit(services, { actor: c.var.principal, action: 'invite-accepted', boardId: invite.boardId, detail: { userId, role: invite.role, from: current ?? null } })
      return c.json({ boardId: invite.boardId, role: invite.role }, 200)
    },
  )

  return api
}
