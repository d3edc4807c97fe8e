/**
 * Access with accounts: a request is a person by their session cookie or by
 * one of their API tokens; their role on a board is their membership's. The
 * admin is treated as an owner of every board, so that a board whose owners
 * have all left can still be reached and handed on.
 */
import { readSessionToken } from '../auth/session-cookie.ts'
import { hashSecret } from '../auth/secret-token.ts'
import { endExpiredSessions, type SessionParts } from '../auth/sessions.ts'
import type { Storage } from '../storage/storage.ts'
import type { Role } from '../../shared/roles.ts'
import type { Access, Principal } from './access.ts'

/** `last_used_at` is a hint for the token list, not a trail: write it at most this often. */
const TOKEN_TOUCH_INTERVAL_MS = 5 * 60 * 1000

export function accountAccess(parts: SessionParts): Access {
  const { storage } = parts
  return {
    async principal(request, options = {}) {
      const authorization = request.headers.get('authorization')
      if (authorization !== null) {
        // A request that offers a header is judged by it alone: a bad token is not rescued by a cookie.
        const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
        return match ? tokenPrincipal(storage, match[1]!) : null
      }
      if (options.allowQueryToken) {
        const token = new URL(request.url).searchParams.get('token')
        if (token !== null) return tokenPrincipal(storage, token)
      }
      const session = readSessionToken(request)
      return session === null ? null : sessionPrincipal(parts, session)
    },

    authorize: (principal, boardId) => accountRole(storage, principal, boardId),

    async boardRoles(principal) {
      if (principal.isAdmin) return { everyBoard: 'owner' }
      return { byBoard: principal.userId === null ? new Map() : await storage.members.rolesOf(principal.userId) }
    },
  }
}

/** The role an account holds on a board: the admin owns every board, anyone else holds their membership's (as `boardRoles` answers for all boards). */
export async function accountRole(storage: Storage, account: { userId: string | null; isAdmin: boolean }, boardId: string): Promise<Role | null> {
  if (account.isAdmin) return 'owner'
  if (account.userId === null) return null
  return (await storage.members.role(boardId, account.userId)) ?? null
}

async function tokenPrincipal(storage: Storage, token: string): Promise<Principal | null> {
  const record = await storage.tokens.getByHash(hashSecret(token))
  if (!record || record.revokedAt !== null) return null
  const user = await storage.users.get(record.userId)
  if (!user || user.deactivatedAt !== null) return null
  const now = new Date()
  if (record.lastUsedAt === null || now.getTime() - Date.parse(record.lastUsedAt) > TOKEN_TOUCH_INTERVAL_MS) {
    await storage.tokens.touch(record.id, now.toISOString())
  }
  return { userId: user.id, tokenId: record.id, name: user.name, isAdmin: user.isAdmin, via: 'token' }
}

async function sessionPrincipal(parts: SessionParts, token: string): Promise<Principal | null> {
  const sessionId = hashSecret(token)
  const session = await parts.storage.sessions.get(sessionId)
  if (!session) return null
  if (Date.parse(session.expiresAt) <= Date.now()) {
    // Noticed before the sweep: end it now, and the sockets it may still hold open with it.
    await endExpiredSessions(parts)
    return null
  }
  const user = await parts.storage.users.get(session.userId)
  if (!user || user.deactivatedAt !== null) return null
  return { userId: user.id, tokenId: null, sessionId, name: user.name, isAdmin: user.isAdmin, via: 'session' }
}
