/**
 * Who is asking, and what may they do with a board. One `authorize()` decides
 * for HTTP requests and websocket upgrades alike.
 */
import { ROLE_RANK, type Role } from '../../shared/roles.ts'

export type Principal = {
  userId: string | null
  /** Set when the request authenticated with an API token rather than a session. */
  tokenId: string | null
  /** Set when it authenticated with a session cookie: the hash of its token, which names the session. */
  sessionId?: string
  name: string
  isAdmin: boolean
  /** How the request proved who it is; cookie-authenticated requests get CSRF and Origin checks. */
  via: 'session' | 'token' | 'open'
}

/** A principal's roles: one on every board (the admin's, or anyone's without accounts), or each of their boards'. */
export type BoardRoles = { everyBoard: Role } | { byBoard: ReadonlyMap<string, Role> }

export function roleIn(roles: BoardRoles, boardId: string): Role | null {
  return 'everyBoard' in roles ? roles.everyBoard : (roles.byBoard.get(boardId) ?? null)
}

/**
 * What a credential is read from: a `Request`, or a websocket upgrade's headers
 * read straight from Node's request (server/http/direct-upgrade.ts), which
 * never builds one.
 */
export type CredentialRequest = {
  /** The whole URL, as `Request.url` serializes it. */
  readonly url: string
  readonly headers: { get(name: string): string | null; has(name: string): boolean }
}

export type PrincipalOptions = {
  /**
   * Accept an API token as `?token=`: only for the websocket upgrade, whose
   * browser API cannot set headers. Elsewhere a token in a URL would end up in
   * histories and proxy logs.
   */
  allowQueryToken?: boolean
}

export interface Access {
  /** The principal behind a request, or null when it carries no valid credential. */
  principal(request: CredentialRequest, options?: PrincipalOptions): Promise<Principal | null>
  /** The principal's role on a board, or null when they have none. */
  authorize(principal: Principal, boardId: string): Promise<Role | null>
  /**
   * The principal's roles on all boards at once, each what `authorize` would
   * answer: the board list asks once instead of once a board.
   */
  boardRoles(principal: Principal): Promise<BoardRoles>
}

/**
 * Whether someone holding `granter` may give others `role` (by adding them, or
 * by an invite link, which is only as good as its maker's right): owners
 * grant every role, nobody else grants any.
 */
export function mayGrant(granter: Role | null, role: Role): boolean {
  return granter === 'owner' && ROLE_RANK[role] <= ROLE_RANK[granter]
}
