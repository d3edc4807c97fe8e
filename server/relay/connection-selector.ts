/**
 * Whose connections to close when rights change: a person's, one API token's
 * or one session's, on every board or on one; or everyone's on one board (it
 * was archived, restored or deleted). Plain data, so that it can
 * travel to the other instances. And the close each connection picked gets.
 */
import { z } from 'zod'
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import type { ConnectionIdentity } from './connection.ts'

/** Every field given must match; at least one names whose connections they are. */
export type ConnectionSelector = { userId?: string; tokenId?: string; sessionId?: string; boardId?: string } & (
  | { userId: string }
  | { tokenId: string }
  | { sessionId: string }
  | { boardId: string }
)

const optionalFields = { userId: z.string().optional(), tokenId: z.string().optional(), sessionId: z.string().optional(), boardId: z.string().optional() }

/** A selector that travelled (from another instance), checked before it picks anyone's connections. */
export const connectionSelectorSchema = z.union([
  z.object({ ...optionalFields, userId: z.string() }),
  z.object({ ...optionalFields, tokenId: z.string() }),
  z.object({ ...optionalFields, sessionId: z.string() }),
  z.object({ ...optionalFields, boardId: z.string() }),
]) satisfies z.ZodType<ConnectionSelector>

export function selects(selector: ConnectionSelector, boardId: string, identity: Pick<ConnectionIdentity, 'userId' | 'tokenId' | 'sessionId'>): boolean {
  return (
    (selector.boardId === undefined || selector.boardId === boardId) &&
    (selector.userId === undefined || identity.userId === selector.userId) &&
    (selector.tokenId === undefined || identity.tokenId === selector.tokenId) &&
    (selector.sessionId === undefined || identity.sessionId === selector.sessionId)
  )
}

/**
 * The close a picked connection gets for `event`: a deactivated account's
 * session sockets close as ended sessions (their page goes to sign in, which
 * refuses the account), its token sockets for good. The deactivation is told
 * in its own commit, before the account's sessions are ended in another.
 */
export function closeFor(event: CloseEvent, identity: Pick<ConnectionIdentity, 'sessionId'>): CloseEvent {
  return event.code === CLOSE.accountDeactivated.code && identity.sessionId !== null ? CLOSE.sessionEnded : event
}
