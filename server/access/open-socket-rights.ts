/**
 * The rights of sockets already open, decided again from the database as
 * their upgrade decided them (the credential in account-access.ts, the role
 * as accountRole answers it, the board's archiving), for many sockets at
 * once: after this instance may have missed a control message, each socket is
 * given the close that message would have carried, or none while its grant
 * stands. The reads are bounded whatever the number of sockets: the boards,
 * accounts, sessions and tokens named are each read in one query (in groups of
 * IDS_PER_QUERY), and each board's members in one query a board, only for
 * boards with a socket of an account that is not an admin.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import type { Role } from '../../shared/roles.ts'
import type { OpenGrant, RightsCheck } from '../relay/rights-recheck.ts'
import type { ApiTokenRecord, BoardRecord, SessionRecord, Storage, UserRecord } from '../storage/storage.ts'

type Read = {
  boards: Map<string, BoardRecord>
  accounts: Map<string, UserRecord>
  sessions: Map<string, SessionRecord>
  tokens: Map<string, ApiTokenRecord>
  /** Each board's members' roles, for the boards read. */
  members: Map<string, Map<string, Role>>
  now: number
}

export function openSocketRights(storage: Storage): RightsCheck {
  return async (open) => {
    if (open.length === 0) return []
    const named = (id: (grant: OpenGrant) => string | null) => [...new Set(open.map(id).filter((value) => value !== null))]
    const [boards, accounts, sessions, tokens] = await Promise.all([
      storage.boards.list(named((grant) => grant.boardId)),
      storage.users.getMany(named((grant) => grant.identity.userId)),
      storage.sessions.getMany(named((grant) => grant.identity.sessionId)),
      storage.tokens.getMany(named((grant) => grant.identity.tokenId)),
    ])
    const read: Read = {
      boards: new Map(boards.map((board) => [board.id, board])),
      accounts: new Map(accounts.map((account) => [account.id, account])),
      sessions: new Map(sessions.map((session) => [session.tokenHash, session])),
      tokens: new Map(tokens.map((token) => [token.id, token])),
      members: new Map(),
      now: Date.now(),
    }
    const membersNeeded = named(({ boardId, identity }) => (read.boards.has(boardId) && identity.userId !== null && read.accounts.get(identity.userId)?.isAdmin === false ? boardId : null))
    for (const boardId of membersNeeded) read.members.set(boardId, new Map((await storage.members.list(boardId)).map((member) => [member.userId, member.role])))
    return open.map((grant) => closeFor(grant, read))
  }
}

/**
 * The close a socket's control message would have carried, or null: a
 * deleted board's sockets close for good (4410); an ended session's with
 * 4002, as a deactivated account's sessions do; a deactivated account's
 * token sockets for good (4403); a revoked token's, and any socket whose role
 * or board's archiving is not what its upgrade read, reconnect (4001).
 */
function closeFor({ boardId, identity, grant }: OpenGrant, read: Read): CloseEvent | null {
  const board = read.boards.get(boardId)
  if (!board) return CLOSE.boardDeleted
  // A socket of no account (a server without accounts, as the relay's own tests run): its role is what that server's
  // access gave it at the upgrade, which no change of membership takes away.
  let role: Role | null = grant.role
  if (identity.userId !== null) {
    if (identity.sessionId !== null) {
      const session = read.sessions.get(identity.sessionId)
      if (!session || Date.parse(session.expiresAt) <= read.now) return CLOSE.sessionEnded
    }
    const account = read.accounts.get(identity.userId)
    if (!account || account.deactivatedAt !== null) return identity.sessionId !== null ? CLOSE.sessionEnded : CLOSE.accountDeactivated
    if (identity.tokenId !== null) {
      const token = read.tokens.get(identity.tokenId)
      if (!token || token.revokedAt !== null) return CLOSE.accessChanged
    }
    // As accountRole: the admin owns every board.
    role = account.isAdmin ? 'owner' : (read.members.get(boardId)?.get(identity.userId) ?? null)
  }
  if (role !== grant.role || (board.archivedAt !== null) !== grant.archived) return CLOSE.accessChanged
  return null
}
