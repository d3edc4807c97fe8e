/**
 * The admin's API: list people, add them, reset their passwords, make them
 * admins or not, deactivate and reactivate them; the whole audit log.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { CLOSE } from '../../shared/protocol.ts'
import { auditedAs, auditedTogether, toAuditView, type AuditEntry } from '../access/audit.ts'
import { closingSocketsOf } from '../access/close-sockets.ts'
import { createAccount, toAccountView } from '../auth/accounts.ts'
import { hashPassword } from '../auth/passwords.ts'
import { endSessionsOf, PasswordEndings } from '../auth/sessions.ts'
import type { ControlMessage } from '../relay/control-message.ts'
import type { AccessChange, AccountChange, EndedWithPassword } from '../storage/storage.ts'
import type { SignedInEnv } from './app-env.ts'
import { callerNow } from './authentication.ts'
import { newPasswordSchema } from './auth-api.ts'
import { ApiError, forbidden, notFound } from './errors.ts'
import { auditEntrySchema, auditQuerySchema, emailSchema, errorResponses, jsonBody, jsonResponse, nameSchema } from './openapi-parts.ts'
import { requireSession } from './session-required.ts'
import { validationHook } from './validation-hook.ts'

const accountSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  isAdmin: z.boolean(),
  createdAt: z.string(),
  /** Set while the account is deactivated. */
  deactivatedAt: z.string().nullable(),
})
const newAccountSchema = z.object({ email: emailSchema, name: nameSchema, password: newPasswordSchema, isAdmin: z.boolean().optional() }).strict()
const accountPatchSchema = z
  .object({ isAdmin: z.boolean().optional(), deactivated: z.boolean().optional() })
  .strict()
  .refine((patch) => patch.isAdmin !== undefined || patch.deactivated !== undefined, { message: 'give isAdmin, deactivated or both' })
const userIdParam = z.object({ userId: z.string().min(1).max(64) })

function requireAdmin(c: Context<SignedInEnv>): void {
  if (!c.var.principal.isAdmin) throw forbidden('Only the admin manages accounts.')
}

/**
 * What gives an account a password someone knows, admin rights, or its use
 * back, needs the admin signed in: a leaked API token could otherwise make an
 * admin, or a password of its own, that outlives the token's revocation.
 * Taking rights away (making someone not an admin, deactivating) needs no more
 * than the admin's token, so a script can do it.
 */
function requireSignedInAdmin(c: Context<SignedInEnv>, what: string): void {
  requireAdmin(c)
  requireSession(c.var.principal, what, 'the admin')
}

/** requireSignedInAdmin decided again as if the request started now: right before a write that follows a password's hashing. */
async function stillSignedInAdmin(c: Context<SignedInEnv>, what: string): Promise<void> {
  await callerNow(c)
  requireSignedInAdmin(c, what)
}

export function adminApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      summary: 'Every account (admin only)',
      responses: { 200: jsonResponse(z.array(accountSchema), 'Accounts, oldest first'), 401: errorResponses[401], 403: errorResponses[403] },
    }),
    async (c) => {
      requireAdmin(c)
      const users = await c.var.services.storage.users.list()
      return c.json(users.map(toAccountView), 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      summary: 'Add an account (admin only, signed in: not with an API token)',
      request: { body: jsonBody(newAccountSchema) },
      responses: { 201: jsonResponse(accountSchema, 'The new account'), ...errorResponses },
    }),
    async (c) => {
      requireSignedInAdmin(c, 'add accounts')
      const services = c.var.services
      // Stored with its audit entry or not at all.
      const user = await createAccount(services, c.req.valid('json'), {
        beforeWrite: () => stillSignedInAdmin(c, 'add accounts'),
        audit: (user) => ({ actor: c.var.principal, action: 'user-added', detail: { userId: user.id, email: user.email, isAdmin: user.isAdmin } }),
      })
      if (!user) throw new ApiError(409, 'email_taken', 'An account with this email exists already.')
      return c.json(toAccountView(user), 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/users/{userId}/password',
      summary: "Set a new password for an account (admin only, signed in: not with an API token); ends that person's sessions and revokes their API tokens, closing their sockets",
      request: { params: userIdParam, body: jsonBody(z.object({ password: newPasswordSchema }).strict()) },
      responses: { 204: { description: 'Password set' }, ...errorResponses },
    }),
    async (c) => {
      requireSignedInAdmin(c, 'set passwords')
      const services = c.var.services
      const { userId } = c.req.valid('param')
      const passwordHash = await hashPassword(c.req.valid('json').password)
      await stillSignedInAdmin(c, 'set passwords')
      // A reset usually means the old password is lost or leaked: every browser signed in with it is signed out,
      // and every token made with it is revoked, as whoever had the password could have made them; all of it in the
      // password's transaction with the audit entry, so that none of it is stored without the rest.
      const endings = new PasswordEndings(services.rooms)
      const entryOf = (ended: EndedWithPassword): AuditEntry => ({ actor: c.var.principal, action: 'password-reset', detail: { userId, tokensRevoked: ended.tokens.length }, tells: endings.tell(ended) })
      const ending = { sessions: {}, tokensRevokedAt: new Date().toISOString() }
      const ended = await auditedAs(services, entryOf, (audited) => services.storage.users.setPasswordHash(userId, passwordHash, undefined, { ...ending, audited }))
      if (!ended) throw notFound('Account')
      endings.close()
      return c.body(null, 204)
    },
  )

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{userId}',
      summary:
        "Make an account an admin or not, deactivate or reactivate it (admin only; making an admin and reactivating need the admin signed in, not an API token). A deactivated account cannot sign in; its sessions end and its tokens stop working, their sockets closed; it stays in boards' history and the audit log",
      request: { params: userIdParam, body: jsonBody(accountPatchSchema) },
      responses: { 200: jsonResponse(accountSchema, 'The account after the change'), ...errorResponses },
    }),
    async (c) => {
      const { isAdmin, deactivated } = c.req.valid('json')
      if (isAdmin === true || deactivated === false) requireSignedInAdmin(c, 'make admins or reactivate accounts')
      else requireAdmin(c)
      const services = c.var.services
      const principal = c.var.principal
      const { userId } = c.req.valid('param')
      if (deactivated === true && userId === principal.userId) {
        throw new ApiError(409, 'own_account', 'You cannot deactivate your own account: another admin can.')
      }
      const before = await services.storage.users.get(userId)
      if (!before) throw notFound('Account')
      // Both changes are stored with their audit entries in one transaction, or nothing is.
      // Each told in the change's commit: a deactivated account's sockets close (its sessions' as ended, its tokens' for good),
      // and an admin's, who counts as an owner of every board, reconnect under the rights they hold now.
      const change: AccessChange = {}
      const entries: AuditEntry[] = []
      const closings: ControlMessage[] = []
      const deactivating = deactivated !== undefined && deactivated !== (before.deactivatedAt !== null)
      if (deactivating) {
        change.deactivatedAt = deactivated ? new Date().toISOString() : null
        const tells = deactivated ? [services.rooms.closingToTell({ userId }, CLOSE.accountDeactivated)] : []
        closings.push(...tells)
        entries.push({ actor: principal, action: deactivated ? 'user-deactivated' : 'user-reactivated', detail: { userId, email: before.email }, tells })
      }
      const rightChanging = isAdmin !== undefined && isAdmin !== before.isAdmin
      if (rightChanging) {
        change.isAdmin = isAdmin
        const closing = closingSocketsOf(services.rooms, { userId })
        closings.push(closing)
        entries.push({ actor: principal, action: isAdmin ? 'admin-granted' : 'admin-revoked', detail: { userId, email: before.email }, tells: [closing] })
      }
      if (entries.length > 0) refuseLastAdmin(await auditedTogether(services, entries, (rows) => services.storage.users.setAccess(userId, change, rows), done))
      for (const closing of closings) services.rooms.closeConnectionsToldInCommit(closing)
      // Its sessions' sockets are closed already; the sessions end too, so that none is valid again should it be reactivated.
      if (deactivating && deactivated) await endSessionsOf(services, userId)
      const after = await services.storage.users.get(userId)
      if (!after) throw notFound('Account')
      return c.json(toAccountView(after), 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      summary: 'A page of the whole audit log, newest first: sign-ins, accounts, tokens and every board (admin only); `before` reads on past the page, `action` keeps one action',
      request: { query: auditQuerySchema },
      responses: { 200: jsonResponse(z.array(auditEntrySchema), 'Entries, newest first'), 401: errorResponses[401], 403: errorResponses[403] },
    }),
    async (c) => {
      requireAdmin(c)
      const records = await c.var.services.storage.audit.listAll(c.req.valid('query'))
      return c.json(records.map(toAuditView), 200)
    },
  )

  return api
}

/** An account change's answer when it was made, and its audit entry written with it. */
const done = (change: AccountChange) => change === 'done'

function refuseLastAdmin(change: AccountChange): void {
  if (change === 'not-found') throw notFound('Account')
  if (change === 'last-admin') {
    throw new ApiError(409, 'last_admin', 'This is the last active admin: make someone else an admin first.')
  }
}
