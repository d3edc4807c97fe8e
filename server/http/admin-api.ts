/** The admin's API: list people, add them, reset their passwords; the whole audit log. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { audit, toAuditView } from '../access/audit.ts'
import { createAccount, toAccountView } from '../auth/accounts.ts'
import { hashPassword } from '../auth/passwords.ts'
import { endSessionsOf } from '../auth/sessions.ts'
import type { AppEnv } from './app-env.ts'
import { newPasswordSchema } from './auth-api.ts'
import { ApiError, forbidden, notFound } from './errors.ts'
import { auditEntrySchema, auditQuerySchema, emailSchema, errorResponses, jsonBody, jsonResponse, nameSchema } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

const accountSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), isAdmin: z.boolean(), createdAt: z.string() })
const newAccountSchema = z.object({ email: emailSchema, name: nameSchema, password: newPasswordSchema, isAdmin: z.boolean().optional() }).strict()

function requireAdmin(c: Context<AppEnv>): void {
  if (!c.var.principal.isAdmin) throw forbidden('Only the admin manages accounts.')
}

export function adminApi(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

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
      summary: 'Add an account (admin only)',
      request: { body: jsonBody(newAccountSchema) },
      responses: { 201: jsonResponse(accountSchema, 'The new account'), ...errorResponses },
    }),
    async (c) => {
      requireAdmin(c)
      const services = c.var.services
      const user = await createAccount(services.storage, c.req.valid('json'))
      if (!user) throw new ApiError(409, 'email_taken', 'An account with this email exists already.')
      await audit(services, { actor: c.var.principal, action: 'user-added', detail: { userId: user.id, email: user.email, isAdmin: user.isAdmin } })
      return c.json(toAccountView(user), 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/users/{userId}/password',
      summary: "Set a new password for an account (admin only); ends that person's sessions",
      request: { params: z.object({ userId: z.string().min(1).max(64) }), body: jsonBody(z.object({ password: newPasswordSchema }).strict()) },
      responses: { 204: { description: 'Password set' }, ...errorResponses },
    }),
    async (c) => {
      requireAdmin(c)
      const services = c.var.services
      const { userId } = c.req.valid('param')
      const passwordHash = await hashPassword(c.req.valid('json').password)
      if (!(await services.storage.users.setPasswordHash(userId, passwordHash))) throw notFound('Account')
      // A reset usually means the old password is lost or leaked: every browser signed in with it is signed out.
      await endSessionsOf(services, userId)
      await audit(services, { actor: c.var.principal, action: 'password-reset', detail: { userId } })
      return c.body(null, 204)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      summary: 'The whole audit log, newest first: sign-ins, accounts, tokens and every board (admin only)',
      request: { query: auditQuerySchema },
      responses: { 200: jsonResponse(z.array(auditEntrySchema), 'Entries, newest first'), 401: errorResponses[401], 403: errorResponses[403] },
    }),
    async (c) => {
      requireAdmin(c)
      const records = await c.var.services.storage.audit.listAll(c.req.valid('query').limit)
      return c.json(records.map(toAuditView), 200)
    },
  )

  return api
}
