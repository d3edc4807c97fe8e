/**
 * Ending sessions, and their sockets with them. A socket opened with a session
 * cookie was admitted at its upgrade; once the session ends (signed out,
 * expired, or ended by a password change or reset) the socket must not go on
 * with its rights. Each session's sockets are closed by the session's id (the
 * hash of its token), on every instance: the person's other sessions and their
 * API-token sockets stay open, unless the ending is meant for all of them.
 */
import { CLOSE } from '../../shared/protocol.ts'
import { closingSocketsOf } from '../access/close-sockets.ts'
import type { Logger } from '../log.ts'
import { PeriodicTask } from '../periodic-task.ts'
import type { ControlMessage } from '../relay/control-message.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import { CommitOutcomeUnknown } from '../storage/storage-errors.ts'
import type { EndedWithPassword, NewAuditRecord, Storage } from '../storage/storage.ts'

export type SessionParts = { storage: Storage; rooms: RoomRegistry }

/**
 * How often expired sessions are looked for: a socket outlives its session by
 * at most this, or less when a request carrying the expired cookie notices first.
 */
export const SESSION_SWEEP_MS = 60_000

/**
 * Signs one session out, with `audited` written in the same transaction when
 * it was there to end. Its sockets close also when whether it ended is not
 * known (CommitOutcomeUnknown): a session that lives on costs them a reconnect.
 */
export async function endSession(parts: SessionParts, sessionId: string, audited?: NewAuditRecord): Promise<boolean> {
  let ended: boolean
  try {
    ended = await parts.storage.sessions.delete(sessionId, audited)
  } catch (error) {
    if (error instanceof CommitOutcomeUnknown) closeSessionSockets(parts, [sessionId])
    throw error
  }
  closeSessionSockets(parts, [sessionId])
  return ended
}

/** Ends every session of the person but `except` (the one asking, when it is theirs); returns how many ended. */
export async function endSessionsOf(parts: SessionParts, userId: string, except?: string): Promise<number> {
  const ended = await parts.storage.sessions.deleteForUser(userId, except)
  closeSessionSockets(parts, ended)
  return ended.length
}

/** Ends the sessions that have expired; returns how many. */
export async function endExpiredSessions(parts: SessionParts, now = new Date()): Promise<number> {
  const ended = await parts.storage.sessions.deleteExpired(now.toISOString())
  closeSessionSockets(parts, ended)
  return ended.length
}

/** Ends expired sessions every SESSION_SWEEP_MS until stopped; a failed sweep is logged and the next one tries again. */
export function startSessionSweeper(parts: SessionParts & { logger: Logger }, intervalMs = SESSION_SWEEP_MS): PeriodicTask<number> {
  const sweeper = new PeriodicTask(() => endExpiredSessions(parts), { intervalMs, logger: parts.logger, failure: 'sweeping expired sessions failed; trying again later' })
  sweeper.start()
  return sweeper
}

/** Closes the sockets of sessions ended in storage already (by a new password's transaction). */
export function closeSessionSockets(parts: Pick<SessionParts, 'rooms'>, sessionIds: readonly string[]): void {
  for (const sessionId of sessionIds) parts.rooms.closeConnections({ sessionId }, CLOSE.sessionEnded)
}

/**
 * What a new password ends, told in its commit: `tell` makes the words that
 * close the sockets of the sessions and tokens its transaction ends, as it
 * finds them, for the `tells` of its audit entry; once it committed, `close`
 * closes them here and tells the rest.
 */
export class PasswordEndings {
  private told: ControlMessage[] = []

  constructor(private readonly rooms: Pick<RoomRegistry, 'closingToTell' | 'closeConnectionsToldInCommit'>) {}

  tell(ended: EndedWithPassword): ControlMessage[] {
    const sessions = ended.sessions.map((sessionId) => this.rooms.closingToTell({ sessionId }, CLOSE.sessionEnded))
    this.told = [...sessions, ...ended.tokens.map((tokenId) => closingSocketsOf(this.rooms, { tokenId }))]
    return this.told
  }

  close(): void {
    for (const message of this.told) this.rooms.closeConnectionsToldInCommit(message)
  }
}
