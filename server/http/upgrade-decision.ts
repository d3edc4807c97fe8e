/**
 * Whether a websocket upgrade to `/ws/<boardId>` may join its board, decided
 * before any socket exists: a refusal to answer (401; 403 for a cookie from
 * another site; 404 for a board that does not exist or that the caller may
 * not see, alike; or 429/503 over a connection limit), or what the socket needs to join. The stock client
 * reconnects every 100 ms to a socket that is accepted and then closed, but
 * backs off from a refused upgrade. The board is loaded here, before the
 * upgrade is accepted. Both ways in share it: the Hono route
 * (websocket-route.ts) and the server's own `upgrade` listener
 * (direct-upgrade.ts).
 */
import { UPGRADE_REFUSED } from '../../shared/protocol.ts'
import type { CredentialRequest, Principal } from '../access/access.ts'
import { isSameOrigin } from '../auth/same-origin.ts'
import type { Admission } from '../relay/connection-limits.ts'
import type { ConnectionGrant, ConnectionIdentity } from '../relay/connection.ts'
import type { JoinInFlight } from '../relay/joins-in-flight.ts'
import { LoadingTooMuch } from '../relay/cold-loads.ts'
import type { HeldRoom } from '../relay/room-registry.ts'
import type { Services } from '../services.ts'

/** What an accepted upgrade's socket joins with; it holds the room and the admission until it joins or closes. */
export type UpgradeDecision = { boardId: string; principal: Principal; identity: ConnectionIdentity; grant: ConnectionGrant; admission: Admission; held: HeldRoom; join: JoinInFlight }

/** A refused upgrade's answer: a status and a plain-text reason (sent as the status line, with no body). */
export type UpgradeRefusal = { status: 401 | 403 | 404 | 429 | 503; message: string; retryAfterSeconds?: string }

/** How long a client refused over a connection limit is asked to wait. */
const RETRY_AFTER_SECONDS = '5'

const UNAUTHORIZED: UpgradeRefusal = { status: 401, message: 'Unauthorized' }
const FORBIDDEN: UpgradeRefusal = { status: 403, message: 'Forbidden' }
const NOT_FOUND: UpgradeRefusal = { status: 404, message: 'Not Found' }

/**
 * Decides the upgrade. Begins the join before the first read of rights (a
 * change of them from then on closes the socket as it opens), and ends it on a
 * refusal or a failure; an accepted join ends once its socket joins the room.
 * Rights a re-check doubted meanwhile are read again before it is accepted.
 */
export async function decideUpgrade(services: Services, request: CredentialRequest, boardId: string): Promise<UpgradeDecision | UpgradeRefusal> {
  const join = services.rooms.beginJoin(boardId)
  let decided: UpgradeDecision | UpgradeRefusal
  try {
    decided = await decide(services, request, boardId, join)
  } catch (error) {
    join.end()
    throw error
  }
  if ('status' in decided) {
    join.end()
    return decided
  }
  try {
    await services.rooms.settleJoin(join, decided.identity, decided.grant)
  } catch (error) {
    // No UpgradeJoin holds them yet: the place and the room go back here, or they would be held for good.
    join.end()
    decided.admission.release()
    decided.held.release()
    throw error
  }
  return decided
}

async function decide(services: Services, request: CredentialRequest, boardId: string, join: JoinInFlight): Promise<UpgradeDecision | UpgradeRefusal> {
  const { access, storage, rooms, logger } = services
  const principal = await access.principal(request, { allowQueryToken: true })
  if (!principal) return UNAUTHORIZED
  const identity: ConnectionIdentity = { userId: principal.userId, tokenId: principal.tokenId, sessionId: principal.sessionId ?? null, name: principal.name }
  join.identify(identity)
  // Browsers send cookies on cross-site websocket upgrades too: a cookie counts only from our own pages.
  if (principal.via === 'session' && !isSameOrigin(request, services.config.PUBLIC_URL)) return FORBIDDEN
  const board = await storage.boards.get(boardId)
  if (!board) return NOT_FOUND
  const role = await access.authorize(principal, boardId)
  // As over HTTP (board-role.ts): a board the caller may not see is one that does not exist, or its existence is told.
  if (role === null) return NOT_FOUND
  const admission = rooms.admit(principal.userId)
  if (typeof admission === 'string') {
    const refused = UPGRADE_REFUSED[admission]
    logger.warn({ boardId, user: principal.userId, status: refused.status }, 'websocket upgrade refused over a connection limit')
    return { ...refused, retryAfterSeconds: RETRY_AFTER_SECONDS }
  }
  // Loaded with the record just read; held until the socket opens (or for a while, should it never).
  let held: HeldRoom | null
  try {
    held = await rooms.acquire(boardId, board, join, admission.rates)
  } catch (error) {
    admission.release()
    if (!(error instanceof LoadingTooMuch)) throw error
    logger.warn({ boardId, user: principal.userId }, 'websocket upgrade refused: its person, or this instance, has loaded as many boards as they may this minute')
    return { ...UPGRADE_REFUSED.loadingTooMuch, retryAfterSeconds: RETRY_AFTER_SECONDS }
  }
  if (!held) {
    admission.release()
    return NOT_FOUND
  }
  // An archived board is read-only for every role; archiving and restoring close its sockets, so this is decided again.
  return { boardId, principal, identity, grant: { role, archived: board.archivedAt !== null }, admission, held, join }
}
