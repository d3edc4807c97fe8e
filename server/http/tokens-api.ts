/** Personal API tokens: listed, created (the token is shown once) and revoked by their owner. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { textField } from '../../shared/text-hygiene.ts'
import { audited, type AuditEntry } from '../access/audit.ts'
import { closingSocketsOf } from '../access/close-sockets.ts'
import { issueApiToken } from '../auth/accounts.ts'
import type { ApiTokenRecord } from '../storage/storage.ts'
import { givenBackOnFailure, spendAccessChange } from './allowance.ts'
import type { SignedInEnv } from './app-env.ts'
import { ApiError, notFound, unauthorized } from './errors.ts'
import { requireSession } from './session-required.ts'
import { errorResponses, jsonBody, jsonResponse } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

const tokenSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() })
const createdTokenSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), token: z.string() })

/**
 * Each token is a row, an audit entry and a line of the account page: a
 * person signed in could otherwise mint them without end (the CLI, run by
 * the operator, is not counted).
 */
const ACTIVE_TOKENS_PER_ACCOUNT = 100

export function tokensApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/tokens',
      summary: "The caller's API tokens that are not revoked (never the tokens themselves)",
      responses: { 200: jsonResponse(z.array(tokenSchema), 'Tokens, oldest first'), 401: errorResponses[401], 403: errorResponses[403] },
    }),
    async (c) => {
      const userId = requireAccount(c.var.principal.userId)
      const tokens = await c.var.services.storage.tokens.listActive(userId)
      return c.json(tokens.map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt })), 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      summary: 'Create an API token; the response is the only time it is shown (at most 100 not revoked an account: 409 beyond)',
      request: { body: jsonBody(z.object({ name: textField().trim().min(1).max(100) }).strict()) },
      responses: { 201: jsonResponse(createdTokenSchema, 'The new token'), ...errorResponses },
    }),
    async (c) => {
      await spendAccessChange(c.var.services, c.var.principal)
      const services = c.var.services
      const principal = c.var.principal
      const userId = requireAccount(principal.userId)
      // A leaked token must not be able to mint others that outlive its revocation.
      requireSession(principal, 'create tokens', 'yourself (or use `assay token create`)')
      if ((await services.storage.tokens.listActive(userId)).length >= ACTIVE_TOKENS_PER_ACCOUNT) {
        throw new ApiError(409, 'too_many_tokens', `You have ${ACTIVE_TOKENS_PER_ACCOUNT} API tokens that are not revoked: revoke one you no longer use, then create this one.`)
      }
      // Made only while the session asking has not ended: a reset that ended it meanwhile revokes every token it could see.
      // Stored with its audit entry or not at all, and not counted when storage refused it (a full disk).
      const sessionId = principal.sessionId
      const created = (record: ApiTokenRecord): AuditEntry => ({ actor: principal, action: 'token-created', detail: { tokenId: record.id, name: record.name } })
      const issue = (inSession: string) => issueApiToken(services, userId, c.req.valid('json').name, { inSession, audit: created })
      const issued = sessionId === undefined ? null : await givenBackOnFailure(services.allowances.accessChanges, principal, () => issue(sessionId))
      if (!issued) throw unauthorized()
      const { record, token } = issued
      c.header('Cache-Control', 'no-store')
      return c.json({ id: record.id, name: record.name, createdAt: record.createdAt, token }, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/tokens/{tokenId}',
      summary: 'Revoke an API token: it stops working at once, its open sockets included',
      request: { params: z.object({ tokenId: z.string().min(1).max(64) }) },
      responses: { 204: { description: 'Revoked' }, 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] },
    }),
    async (c) => {
      await spendAccessChange(c.var.services, c.var.principal)
      const services = c.var.services
      const userId = requireAccount(c.var.principal.userId)
      const { tokenId } = c.req.valid('param')
      // Revoked with its audit entry or not at all, and not counted when storage refused it (a full disk).
      const closing = closingSocketsOf(services.rooms, { tokenId })
      const entry: AuditEntry = { actor: c.var.principal, action: 'token-revoked', detail: { tokenId }, tells: [closing] }
      const revoke = () => audited(services, entry, (row) => services.storage.tokens.revoke(tokenId, userId, new Date().toISOString(), row))
      if (!(await givenBackOnFailure(services.allowances.accessChanges, c.var.principal, revoke))) throw notFound('Token')
      services.rooms.closeConnectionsToldInCommit(closing)
      return c.body(null, 204)
    },
  )

  return api
}

/** Tokens belong to accounts; a server without accounts (or the CLI's operator) has none. */
function requireAccount(userId: string | null): string {
  if (userId === null) throw new ApiError(403, 'forbidden', 'Only a signed-in account has API tokens.')
  return userId
}
