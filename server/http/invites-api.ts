/**
 * Invitation links: an owner makes a link that carries a role and expires;
 * anyone signed in who opens it before then joins the board with that role.
 * A link may be used by several people until it expires or an owner revokes
 * it. Only the hash of its token is stored.
 *
 * A link is only as good as its maker: it works while the account that made
 * it may still grant its role on the board (an owner, or the admin). A demoted
 * or removed owner's old owner link makes nobody owner, its maker included.
 * Accepting never lowers a role: someone who holds a higher one keeps it, and
 * is told so. Someone an owner removed gets back in only when an owner adds
 * them: no link, old or new, lets them in until then. An owner's later
 * decision about a member outranks a link made before it: someone an owner
 * demoted (or added, or set a role for) is raised only by a link made after
 * that, and told so, so a demoted editor cannot make themselves one again with
 * the link they joined by.
 *
 * Making a link needs the owner signed in: a link made with a leaked API token
 * would let its holder in after the token is revoked. Listing and revoking
 * links take a token.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { roleSchema, type Role } from '../../shared/roles.ts'
import { mayGrant } from '../access/access.ts'
import { accountRole } from '../access/account-access.ts'
import { audited, auditedAs, type AuditEntry } from '../access/audit.ts'
import { closingSocketsOf } from '../access/close-sockets.ts'
import { hashSecret, newSecret } from '../auth/secret-token.ts'
import type { Services } from '../services.ts'
import type { InviteMaker, InviteRecord, InviteWithMaker, NewAuditRecord } from '../storage/storage.ts'
import { givenBackOnFailure, spendAccessChange } from './allowance.ts'
import type { AppEnv, SignedInEnv } from './app-env.ts'
import { boardParams, boardRole } from './board-role.ts'
import { ApiError, forbidden, notFound } from './errors.ts'
import { errorResponses, jsonBody, jsonResponse } from './openapi-parts.ts'
import { requireSession } from './session-required.ts'
import { validationHook } from './validation-hook.ts'

const DEFAULT_EXPIRY_HOURS = 72
const MAX_EXPIRY_HOURS = 30 * 24
/**
 * Links a board may have that have not expired. Each is a row that the owners'
 * list reads with its maker's right: one owner's loops made 563 a second, and
 * listing 5,631 of them held the relay's thread 153 to 176 ms, longer with each.
 */
const LIVE_INVITES_PER_BOARD = 100

const tokenParam = z.object({ token: z.string().min(1).max(128) })
const inviteSchema = z.object({ boardId: z.string(), boardTitle: z.string(), role: roleSchema, expiresAt: z.string() })
const listedInviteSchema = z.object({
  id: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
  /** Who made it; null when that account no longer exists. */
  maker: z.object({ userId: z.string(), name: z.string() }).nullable(),
  /** False when its maker can no longer grant its role: the link then lets nobody in. */
  usable: z.boolean(),
})
const acceptedSchema = z.object({
  boardId: z.string(),
  /** The role the person holds now. */
  role: roleSchema,
  /**
   * joined: a new member; raised: the link's role is higher than the one they had; kept: they hold the link's
   * role or a higher one already, or an owner set their role after the link was made (the message says which).
   */
  outcome: z.enum(['joined', 'raised', 'kept']),
  message: z.string(),
})

const unknownInvite = () =>
  new ApiError(404, 'invite_not_found', 'This invite link is unknown, has expired or was withdrawn: ask a board owner for a new one.')

/** The role the invite's maker holds on its board now, or null when they hold none (or their account is gone). */
async function makerRole(services: Services, invite: InviteRecord): Promise<Role | null> {
  const maker = await services.storage.users.get(invite.createdBy)
  // A deactivated maker grants nothing: their links stop working with them.
  return maker && maker.deactivatedAt === null ? accountRole(services.storage, { userId: maker.id, isAdmin: maker.isAdmin }, invite.boardId) : null
}

/** As `makerRole`, from a maker read with the invite: the admin owns every board, as `accountRole` has it. */
const listedMakerRole = (maker: InviteMaker | null): Role | null =>
  maker && maker.deactivatedAt === null ? (maker.isAdmin ? 'owner' : maker.role) : null

/** The invite behind a link, if it has not expired and its maker may still grant its role. */
async function usableInvite(services: Services, token: string): Promise<InviteRecord> {
  const invite = await services.storage.invites.get(hashSecret(token))
  if (!invite || Date.parse(invite.expiresAt) <= Date.now()) throw unknownInvite()
  if (!mayGrant(await makerRole(services, invite), invite.role)) throw unknownInvite()
  return invite
}

/** Whether an invite read with its maker admits anyone now: it has not expired and its maker may grant its role. */
const isUsable = (invite: InviteWithMaker): boolean => Date.parse(invite.expiresAt) > Date.now() && mayGrant(listedMakerRole(invite.maker), invite.role)

const article = (role: Role) => (role === 'owner' || role === 'editor' ? 'an' : 'a')

const keptMessage = (current: Role, offered: Role) =>
  current === offered
    ? `You are ${article(current)} ${current} of this board already.`
    : `You are ${article(current)} ${current} of this board already; the link's ${offered} role does not lower that.`

const setByOwnerMessage = (current: Role) =>
  `An owner set your role on this board to ${current} after this link was made, so the link does not raise it: ask an owner if you need another role.`

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
      const invite = await usableInvite(services, c.req.valid('param').token)
      const board = await services.storage.boards.get(invite.boardId)
      if (!board) throw unknownInvite()
      return c.json({ boardId: board.id, boardTitle: board.title, role: invite.role, expiresAt: invite.expiresAt }, 200)
    },
  )
  return api
}

/** An owner's invite links of a board: mounted at `/boards/:id`. */
export function boardInvitesApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'post',
      path: '/invites',
      middleware: boardRole('owner'),
      summary: 'Make an invite link to the board with a role (owners, signed in: not with an API token)',
      request: {
        params: boardParams,
        body: jsonBody(z.object({ role: roleSchema, expiresInHours: z.number().int().min(1).max(MAX_EXPIRY_HOURS).optional() }).strict()),
      },
      responses: { 201: jsonResponse(z.object({ id: z.string(), url: z.string(), token: z.string(), expiresAt: z.string() }), 'The link'), ...errorResponses },
    }),
    async (c) => {
      requireSession(c.var.principal, 'make an invite link', 'an owner')
      await spendAccessChange(c.var.services, c.var.principal)
      const services = c.var.services
      const boardId = c.var.board.id
      // The link stands on its maker's right, so it needs a maker whose right can be checked later.
      const maker = c.var.principal.userId
      if (maker === null) throw forbidden('Only a signed-in account makes invite links.')
      const { role, expiresInHours = DEFAULT_EXPIRY_HOURS } = c.req.valid('json')
      const token = newSecret()
      const now = new Date()
      const invite: InviteRecord = {
        id: crypto.randomUUID(),
        tokenHash: hashSecret(token),
        boardId,
        role,
        createdBy: maker,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + expiresInHours * 3600_000).toISOString(),
      }
      await services.storage.invites.deleteExpired(invite.createdAt)
      if ((await services.storage.invites.listForBoard(boardId, invite.createdAt)).length >= LIVE_INVITES_PER_BOARD) {
        throw new ApiError(409, 'too_many_invites', `The board has ${LIVE_INVITES_PER_BOARD} invite links that have not expired: revoke one that is no longer needed, then make this one.`)
      }
      // Stored with its audit entry or not at all, and not counted when storage refused it (a full disk).
      const entry: AuditEntry = { actor: c.var.principal, action: 'invite-created', boardId, detail: { inviteId: invite.id, role, expiresAt: invite.expiresAt } }
      const create = () => audited(services, entry, (row) => services.storage.invites.create(invite, row))
      await givenBackOnFailure(services.allowances.accessChanges, c.var.principal, create)
      c.header('Cache-Control', 'no-store')
      return c.json({ id: invite.id, url: `/invite/${token}`, token, expiresAt: invite.expiresAt }, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/invites',
      middleware: boardRole('owner'),
      summary: "The board's invite links that have not expired, newest first (owners); never the links themselves",
      request: { params: boardParams },
      responses: { 200: jsonResponse(z.array(listedInviteSchema), 'Invites, newest first'), ...errorResponses },
    }),
    async (c) => {
      const services = c.var.services
      const boardId = c.var.board.id
      // One query for the whole list: a read per link held the pool's connections for as long as 100 links took.
      const invites = await services.storage.invites.listWithMakers(boardId, new Date().toISOString())
      const listed = invites.map((invite) => ({
        id: invite.id,
        role: invite.role,
        createdAt: invite.createdAt,
        expiresAt: invite.expiresAt,
        maker: invite.maker ? { userId: invite.maker.id, name: invite.maker.name } : null,
        usable: mayGrant(listedMakerRole(invite.maker), invite.role),
      }))
      return c.json(listed, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/invites/{inviteId}',
      middleware: boardRole('owner'),
      summary: 'Revoke an invite link (owners): it lets nobody else in; those who joined by it stay members',
      request: { params: boardParams.extend({ inviteId: z.string().min(1).max(64) }) },
      responses: { 204: { description: 'Revoked' }, ...errorResponses },
    }),
    async (c) => {
      await spendAccessChange(c.var.services, c.var.principal)
      const services = c.var.services
      const boardId = c.var.board.id
      const { inviteId } = c.req.valid('param')
      const entry: AuditEntry = { actor: c.var.principal, action: 'invite-revoked', boardId, detail: { inviteId } }
      const revoke = () => audited(services, entry, (row) => services.storage.invites.delete(boardId, inviteId, row))
      if (!(await givenBackOnFailure(services.allowances.accessChanges, c.var.principal, revoke))) throw notFound('Invite')
      return c.body(null, 204)
    },
  )

  return api
}

/** Accepting a link needs an account: the person joins as themselves. */
export function invitesApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'post',
      path: '/invites/{token}/accept',
      summary: "Join the invite's board with its role; a member's role is raised to it, never lowered, and not by a link made before an owner last set it",
      request: { params: tokenParam },
      responses: { 200: jsonResponse(acceptedSchema, 'What became of the membership'), ...errorResponses },
    }),
    async (c) => {
      const services = c.var.services
      const { members } = services.storage
      const principal = c.var.principal
      const userId = principal.userId
      if (userId === null) throw forbidden('Sign in with an account to accept an invite.')
      const invite = await usableInvite(services, c.req.valid('param').token)
      const boardId = invite.boardId
      if (principal.isAdmin) return c.json({ boardId, role: 'owner' as const, outcome: 'kept' as const, message: keptMessage('owner', invite.role) }, 200)
      // The checks above answer a dead link at once; this one, with the write, decides.
      // Joined or raised with its audit entry or not at all.
      const closing = closingSocketsOf(services.rooms, { userId, boardId })
      const entryOf = (from: Role | null): AuditEntry => ({ actor: principal, action: 'invite-accepted', boardId, detail: { inviteId: invite.id, userId, role: invite.role, from }, tells: [closing] })
      const accept = (audited: (from: Role | null) => NewAuditRecord) => members.acceptInvite(invite, userId, new Date().toISOString(), isUsable, audited)
      const accepted = await auditedAs(services, entryOf, accept)
      if (accepted.outcome === 'unusable') throw unknownInvite()
      if (accepted.outcome === 'removed') {
        throw new ApiError(403, 'removed_from_board', 'An owner removed you from this board, so invite links no longer let you in: ask an owner to add you back.')
      }
      if (accepted.outcome === 'kept') return c.json({ boardId, role: accepted.role, outcome: 'kept' as const, message: keptMessage(accepted.role, invite.role) }, 200)
      if (accepted.outcome === 'set-by-owner') return c.json({ boardId, role: accepted.role, outcome: 'kept' as const, message: setByOwnerMessage(accepted.role) }, 200)
      const from = accepted.outcome === 'raised' ? accepted.from : null
      services.rooms.closeConnectionsToldInCommit(closing)
      const { outcome } = accepted
      const message =
        from === null
          ? `You joined this board as ${article(invite.role)} ${invite.role}.`
          : `You are now ${article(invite.role)} ${invite.role} of this board (you were ${article(from)} ${from}).`
      return c.json({ boardId, role: invite.role, outcome, message }, 200)
    },
  )

  return api
}
