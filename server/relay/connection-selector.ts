/**
 * Whose connections to close when rights change: a person's, one API token's
 * or one session's, on every board or on one; or everyone's on one board (it
 * was archived, restored or deleted). Plain data, so that it can
 * travel to the other instances.
 */
import type { ConnectionIdentity } from './connection.ts'

/** Every field given must match; at least one names whose connections they are. */
export type ConnectionSelector = { userId?: string; tokenId?: string; sessionId?: string; boardId?: string } & (
  | { userId: string }
  | { tokenId: string }
  | { sessionId: string }
  | { boardId: string }
)

export function selects(selector: ConnectionSelector, boardId: string, identity: Pick<ConnectionIdentity, 'userId' | 'tokenId' | 'sessionId'>): boolean {
  return (
    (selector.boardId === undefined || selector.boardId === boardId) &&
    (selector.userId === undefined || identity.userId === selector.userId) &&
    (selector.tokenId === undefined || identity.tokenId === selector.tokenId) &&
    (selector.sessionId === undefined || identity.sessionId === selector.sessionId)
  )
}
