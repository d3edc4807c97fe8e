/**
 * Signing in and out, first-run setup, and who am I. These routes (but /me)
 * are public: they are mounted ahead of the authentication middleware.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Principal } from '../access/access.ts'
import { audit, audited, auditedAs, type AuditEntry } from '../access/audit.ts'
import { createAccount, normalizeEmail, startSession, toMe } from '../auth/accounts.ts'
import { identifierHash } from '../auth/identifier-hash.ts'
import { checkDurationMs, hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from '../auth/passwords.ts'
import { hashSecret } from '../auth/secret-token.ts'
import type { EndedWithPassword, UserRecord } from '../storage/storage.ts'
import { clearSessionCookie, readSessionToken, setSessionCookie } from '../auth/session-cookie.ts'
import { endSession, PasswordEndings } from '../auth/sessions.ts'
import { ensureAllowance, givenBackOnFailure, spendAllowance } from './allowance.ts'
import type { AppEnv, SignedInEnv } from './app-env.ts'
import { clientAddress } from './client-address.ts'
import { ApiError, errorBody, unauthorized } from './errors.ts'
import { requireSession } from './session-required.ts'
import { emailSchema, errorResponses, errorSchema, jsonBody, jsonResponse, nameSchema } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

export const meSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), isAdmin: z.boolean() })
export const newPasswordSchema = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH)
const loginSchema = z.object({ email: z.string().max(254), password: z.string().max(PASSWORD_MAX_LENGTH) }).strict()
const setupSchema = z.object({ email: emailSchema, name: nameSchema, password: newPasswordSchema }).strict()

/** Status, setup, sign-in and sign-out: no credential needed. */
export function publicAuthApi(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/auth/status',
      summary: 'Whether the first-run setup is still open, and who is signed in',
      responses: { 200: jsonResponse(z.object({ setupNeeded: z.boolean(), user: meSchema.nullable() }), 'Status') },
    }),
    async (c) => {
      const { access, storage } = c.var.services
      const setupNeeded = (await storage.users.count()) === 0
      const principal = await access.principal(c.req.raw)
      const user = principal?.userId ? await storage.users.get(principal.userId) : undefined
      return c.json({ setupNeeded, user: user ? toMe(user) : null }, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/auth/setup',
      summary: 'Create the admin account on a server that has no account yet, and sign in',
      request: { body: jsonBody(setupSchema) },
      responses: { 200: jsonResponse(meSchema, 'The admin, signed in'), 400: errorResponses[400], 409: errorResponses[409] },
    }),
    async (c) => {
      const services = c.var.services
      const body = c.req.valid('json')
      // Asked before hashing the password: anyone may send this, and a hash costs a worker thread for a while.
      if ((await services.storage.users.count()) > 0) throw setupDone()
      // Two setups at once: only one creates the admin.
      const admin = await createAccount(services, { ...body, isAdmin: true }, { onlyIfFirst: true })
      if (!admin) throw setupDone()
      const token = await startSession(services, admin, { actor: principalOf(admin), action: 'setup' })
      // Only an admin could have reset the password or deactivated the account since, and this is the only one.
      if (token === null) throw new ApiError(409, 'password_changed', changedMeanwhile('you were signing in'))
      setSessionCookie(c, services.config, token)
      return c.json(toMe(admin), 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/auth/login',
      summary: 'Sign in with email and password; sets the session cookie',
      request: { body: jsonBody(loginSchema) },
      responses: {
        200: jsonResponse(meSchema, 'Signed in'),
        400: errorResponses[400],
        401: jsonResponse(errorSchema, 'Wrong email or password (invalid_credentials), or the password was reset or changed while it was being checked (password_changed)'),
        403: jsonResponse(errorSchema, 'The account is deactivated'),
        429: jsonResponse(errorSchema, 'Too many failed attempts, or as many sign-ins as SIGN_INS_PER_HOUR_PER_ACCOUNT allows for now; Retry-After says when to try again'),
        503: jsonResponse(errorSchema, 'As many passwords being checked on the instance as PASSWORD_CHECKS_IN_FLIGHT allows, and as many waiting as PASSWORD_CHECKS_WAITING (password_checks_busy); Retry-After says when to try again'),
      },
    }),
    async (c) => {
      const services = c.var.services
      const body = c.req.valid('json')
      const email = normalizeEmail(body.email)
      const password = body.password
      const found = await services.storage.users.getByEmail(email)
      // Only an account's password takes a place, before anything is counted: a refusal spends no one's count. An
      // unknown email, which anyone can send from address after address, gets the same answer without a place.
      const checkMs = found ? 0 : await checkDurationMs()
      const check = found ? await services.passwordChecks.start(email) : await services.passwordChecks.standIn(email, checkMs)
      try {
        // Read again once the place is taken (its wait may be seconds): a reset or deactivation meanwhile must count.
        const user = found ? await services.storage.users.getByEmail(email) : undefined
        const address = clientAddress(c)
        // What was typed as the email is sometimes a password: logs and the audit name it by a keyed hash only.
        const identifier = identifierHash(email)
        const attempt = await services.signInThrottle.begin(email, address, user !== undefined)
        if (!attempt.allowed) {
          const seconds = attempt.retryAfterSeconds
          services.logger.info({ identifier, address, limit: attempt.limit, retryAfter: seconds }, 'sign-in refused: too many failures')
          return c.json(errorBody('rate_limited', `Too many failed sign-ins. Try again in ${seconds} s.`), 429, { 'Retry-After': String(seconds) })
        }
        // Refused before the password is checked: each check is some 19 ms of a core, and whoever knows a password could otherwise ask without end.
        if (user) await ensureAllowance(services.allowances.signIns, principalOf(user), SIGNED_IN)
        // An unknown email answers as slowly as a wrong password, so the timing does not tell which emails have accounts.
        const valid = user ? await verifyPassword(user.passwordHash, password) : await sleep(checkMs).then(() => false)
        // What follows is quick storage work: the place is for the check.
        check.end()
        if (!user || !valid) {
          services.logger.info({ identifier, address, userId: user?.id ?? null }, 'sign-in failed')
          // Only an account's failures are audit rows, bounded by its counts: the audit log is kept for ever, and
          // anyone could write a row per unknown email from address after address.
          if (user) await audit(services, { actor: null, actorLabel: user.email, action: 'sign-in-failed', detail: { address, identifier, userId: user.id } })
          // One answer for an unknown email and a wrong password: it must not tell which emails have accounts.
          return c.json(errorBody('invalid_credentials', 'Wrong email or password.'), 401)
        }
        await attempt.succeeded()
        // Told only to whoever knows the password: the account exists, and signing in will not help.
        const refuseDeactivated = async () => {
          await audit(services, { actor: null, actorLabel: user.email, action: 'sign-in-refused', detail: { address, userId: user.id, reason: 'deactivated' } })
          return c.json(errorBody('account_deactivated', 'This account has been deactivated. Ask an administrator if you need it back.'), 403)
        }
        if (user.deactivatedAt !== null) return refuseDeactivated()
        const principal = principalOf(user)
        // Each sign-in is a session row and an audit entry: knowing the password is no licence to add them without end.
        await spendAllowance(services.allowances.signIns, principal, SIGNED_IN)
        // Started only if the account still has the hash just checked and is active: a reset or deactivation that
        // came while the password was being checked ended every session, and this one must not begin after it.
        // Stored with its audit entry or not at all; not counted when storage refused it (a full disk).
        const signedIn = { actor: principal, action: 'sign-in', detail: { address } } as const
        const token = await givenBackOnFailure(services.allowances.signIns, principal, () => startSession(services, user, signedIn))
        if (token === null) {
          const now = await services.storage.users.get(user.id)
          if (now && now.deactivatedAt !== null) return refuseDeactivated()
          await audit(services, { actor: null, actorLabel: user.email, action: 'sign-in-refused', detail: { address, userId: user.id, reason: 'password changed' } })
          return c.json(errorBody('password_changed', changedMeanwhile('you were signing in')), 401)
        }
        setSessionCookie(c, services.config, token)
        return c.json(toMe(user), 200)
      } finally {
        check.end()
      }
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      summary: "Sign out: ends the session, clears the cookie and asks the browser to drop this site's HTTP cache",
      responses: { 204: { description: 'Signed out' } },
    }),
    async (c) => {
      const services = c.var.services
      const token = readSessionToken(c.req.raw)
      if (token !== null) {
        const principal = await services.access.principal(c.req.raw)
        const sessionId = hashSecret(token)
        // Its sockets close with it (not the person's other sessions, nor their API tokens' sockets). Ended with its
        // audit entry or not at all: a sign-out storage refused (a full disk) is answered as refused, and keeps the
        // cookie of the session that lives on, for the page to end it at a later load (client/src/app/session.svelte.ts).
        if (principal?.via === 'session') await audited(services, { actor: principal, action: 'sign-out' }, (row) => endSession(services, sessionId, row))
        else await endSession(services, sessionId)
      }
      clearSessionCookie(c, services.config)
      // Answers cached before every API answer said no-store (or by a browser that ignored it) go with the session.
      // Not "storage": the offline copies of boards, with edits not yet saved, must outlive a sign-out.
      c.header('Clear-Site-Data', '"cache"')
      return c.body(null, 204)
    },
  )

  return api
}

/** `GET /me` and `POST /me/password`: behind the authentication middleware. */
export function meApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })
  api.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      summary: 'The signed-in account',
      responses: { 200: jsonResponse(meSchema, 'The account'), 401: errorResponses[401] },
    }),
    async (c) => {
      const { userId } = c.var.principal
      const user = userId === null ? undefined : await c.var.services.storage.users.get(userId)
      if (!user) throw unauthorized()
      return c.json(toMe(user), 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/me/password',
      summary: "Change one's own password (the current one is required); signs out every other session, and closes their sockets",
      request: { body: jsonBody(z.object({ currentPassword: z.string().max(PASSWORD_MAX_LENGTH), newPassword: newPasswordSchema }).strict()) },
      responses: {
        204: { description: 'Changed; this session stays signed in' },
        ...errorResponses,
        409: jsonResponse(errorSchema, 'The password was reset or changed, or the account deactivated, while this change was under way (password_changed): nothing changed'),
        429: jsonResponse(errorSchema, 'Too many wrong passwords; Retry-After says when to try again'),
        503: jsonResponse(errorSchema, 'As many passwords being checked on the instance as PASSWORD_CHECKS_IN_FLIGHT allows, and as many waiting as PASSWORD_CHECKS_WAITING (password_checks_busy); Retry-After says when to try again'),
      },
    }),
    async (c) => {
      const services = c.var.services
      const principal = c.var.principal
      // A token is a credential of its own: whoever holds one must not be able to take the account's password too.
      requireSession(principal, 'change a password', 'yourself')
      const signedIn = principal.userId === null ? undefined : await services.storage.users.get(principal.userId)
      if (!signedIn) throw unauthorized()
      const { currentPassword, newPassword } = c.req.valid('json')
      // Taken before anything is spent or counted, as a sign-in's.
      const check = await services.passwordChecks.start(signedIn.email)
      try {
        // Read again once the place is taken (its wait may be seconds): the current password is checked against the
        // hash as it is now, not as it was before a reset or another change; a deactivation meanwhile ended this session.
        const user = await services.storage.users.get(signedIn.id)
        if (!user || user.deactivatedAt !== null) throw unauthorized()
        // Checking the password and hashing the new one cost as much as two sign-ins: counted as one, before either is done.
        await spendAllowance(services.allowances.signIns, principal, SIGNED_IN)
        // A wrong current password is a failed sign-in: a stolen session cannot guess its way to the password.
        const attempt = await services.signInThrottle.begin(user.email, clientAddress(c), true)
        if (!attempt.allowed) {
          const seconds = attempt.retryAfterSeconds
          return c.json(errorBody('rate_limited', `Too many wrong passwords. Try again in ${seconds} s.`), 429, { 'Retry-After': String(seconds) })
        }
        if (!(await verifyPassword(user.passwordHash, currentPassword))) {
          await audit(services, { actor: principal, action: 'sign-in-failed', detail: { address: clientAddress(c), userId: user.id, during: 'password change' } })
          throw new ApiError(403, 'wrong_password', 'The current password is not right: type it again.')
        }
        await attempt.succeeded()
        const passwordHash = await hashPassword(newPassword)
        // Written only over the hash just checked: a reset (or a change, or a deactivation) that came meanwhile stands.
        // The person's other sessions end and the audit entry is written in the same transaction, all or nothing; a
        // change storage refused (a full disk) is not counted.
        const endings = new PasswordEndings(services.rooms)
        const entryOf = (ended: EndedWithPassword): AuditEntry => ({ actor: principal, action: 'password-changed', detail: { sessionsEnded: ended.sessions.length }, tells: endings.tell(ended) })
        const ending = { sessions: { except: principal.sessionId } }
        const change = () => auditedAs(services, entryOf, (audited) => services.storage.users.setPasswordHash(user.id, passwordHash, user.passwordHash, { ...ending, audited }))
        const ended = await givenBackOnFailure(services.allowances.signIns, principal, change)
        if (!ended) throw new ApiError(409, 'password_changed', changedMeanwhile('this change was under way (or the account was deactivated)'))
        endings.close()
      } finally {
        check.end()
      }
      return c.body(null, 204)
    },
  )
  return api
}

/** What a refused sign-in or password change is told the person did: the two share one allowance (SIGN_INS_PER_HOUR_PER_ACCOUNT). */
const SIGNED_IN = 'signed in or changed your password as many times'

/** Who signs in with this account's password. */
function principalOf(user: UserRecord): Principal {
  return { userId: user.id, tokenId: null, name: user.name, isAdmin: user.isAdmin, via: 'session' }
}

/** What a sign-in or password change is told whose password was checked against a hash that a reset or another change replaced before it was done. */
function changedMeanwhile(during: string): string {
  return `The account's password was reset or changed while ${during}: nothing was done. Sign in with the password as it is now.`
}

function setupDone(): ApiError {
  return new ApiError(409, 'setup_done', 'The admin account exists already: sign in instead.')
}
