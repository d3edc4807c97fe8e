/**
 * The wire: y-websocket message types and the close codes the server uses.
 * Close codes are `{ code, reason }` pairs so the client and the logs name the
 * same cause.
 */

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3

/** The socket path; the stock WebsocketProvider appends `/<boardId>`. */
export const WEBSOCKET_PATH = '/ws'

export type CloseEvent = { code: number; reason: string }

export const CLOSE = {
  /** 4400–4499 are final for the stock WebsocketProvider: a client that sent garbage is not asked to send it again. */
  malformedMessage: { code: 4400, reason: 'malformed message' },
  updateRejected: { code: 4422, reason: 'update could not be applied' },
  /** Text no document format can carry (shared/text-hygiene.ts); final, as the client would only send it again. */
  invalidText: { code: 4415, reason: 'text with control characters or noncharacters refused' },
  /** ws itself closes an oversized frame with 1009; we use the same code for our own size checks. */
  messageTooBig: { code: 1009, reason: 'message too big' },
  /** Final: an update that rewrites an imported claim's quote, any claim's provenance (shared/board-mutations.ts refuses the same) or a document's text. */
  quoteFixed: { code: 4423, reason: "an imported claim's quoted text, source and provenance, and its document's text, cannot change" },
  /**
   * Below 4400 on purpose: the stock WebsocketProvider treats 4400–4499 as final and stops, but a
   * person whose role changed must reconnect, to be admitted (or refused) under the new rights.
   */
  accessChanged: { code: 4001, reason: 'access changed; reconnect' },
  /** Signed out, expired, or ended by a password change: the reconnection is refused (401) and the page asks the person to sign in. */
  sessionEnded: { code: 4002, reason: 'session ended; sign in again' },
  /** Final: the admin deactivated the account; its API tokens' sockets end with this (its sessions' with sessionEnded). */
  accountDeactivated: { code: 4403, reason: 'account deactivated' },
  /** Final: the board's stored history cannot be applied (server/relay/damaged-board.ts); every join fails alike until an operator repairs it. */
  boardDamaged: { code: 4424, reason: "this board's stored history is damaged; an operator must repair it" },
  /** Final: an admin deleted the board; there is nothing to reconnect to. */
  boardDeleted: { code: 4410, reason: 'board deleted' },
  /** Reconnecting is the cure (a fresh sync), so this stays below the final range. */
  tooSlow: { code: 4008, reason: 'client too slow to keep up; reconnect' },
  serverShutdown: { code: 1001, reason: 'server shutting down' },
  /**
   * Another connection's change (or a server-side one) left the board's document in a state Yjs could not
   * finish (room.ts, reset): the board is loaded again from storage. Below 4400 so that the stock
   * WebsocketProvider reconnects by itself and sends again what was not saved; 4012 after 1012, service restart.
   */
  boardReloaded: { code: 4012, reason: 'board reloaded from storage after an error; reconnect' },
  /** The server failed to set up the connection; reconnecting may succeed. */
  internalError: { code: 1011, reason: 'server error; reconnect' },
  /** More messages or bytes a second than one connection may send; below 4400 so the stock client backs off and returns. */
  rateLimited: { code: 4029, reason: 'too many messages; slow down' },
  /** Final: a presence state over the size or nesting limit, or not an object, is not sent again. */
  presenceRefused: { code: 4413, reason: 'presence state too large, too deeply nested or not an object, or too many at once' },
  /** Final: the person added as many bytes of change to boards as one may in an hour (RELAY_LIMITS.writtenBytesPerHour); the page keeps what was not saved. */
  writtenTooMuch: { code: 4429, reason: 'you have changed boards as much as one person may in an hour here; reload the page later' },
  /** Final: changes waiting on content the server never received grew past the cap. */
  missingDependencies: { code: 4409, reason: 'changes depend on content the server does not have' },
  /** A message still arriving slower than a client on a working network sends (RELAY_LIMITS.messageTimeoutMs); a slow network may do better on the next try. */
  messageTooSlow: { code: 4009, reason: 'message arriving too slowly; reconnect' },
  /** Bytes of messages still arriving across all connections reached the cap: the messages begun longest ago go first. */
  unfinishedOverload: { code: 1013, reason: 'server holds too many unfinished messages; reconnect later' },
  /** Nothing came from the client for a whole ping interval: its network is presumed gone (it will not see this). */
  unanswered: { code: 4004, reason: 'no answer to ping; reconnect' },
  /** An update dear to check found no worker thread to check it in time (server/relay/update-checks.ts): sent again once the client reconnects. */
  checksBusy: { code: 1013, reason: 'server too busy to check a large update; reconnect later' },
  /** Bytes queued to slow readers across all connections reached the cap: the largest backlogs go first. */
  serverOverloaded: { code: 1013, reason: 'server has too much queued for slow clients; reconnect later' },
} as const satisfies Record<string, CloseEvent>

/** HTTP statuses that refuse a websocket upgrade over a limit; the stock client retries them with its backoff. */
export const UPGRADE_REFUSED = {
  /** This person already has the most connections one person may open on this instance. */
  tooManyForPerson: { status: 429, message: 'Too many open connections for this account; close a tab and try again.' },
  /** This instance holds the most connections it accepts. */
  serverFull: { status: 503, message: 'The server has as many connections as it accepts; try again shortly.' },
  /** The board is not loaded on this instance, and this person, or the instance, has loaded as many boards as they may this minute (LOADED_BYTES_PER_MINUTE_PER_PERSON, LOADED_BYTES_PER_MINUTE). */
  loadingTooMuch: { status: 429, message: 'You, or everyone together, have opened as many boards and snapshots as this server loads in a minute; try again shortly.' },
} as const

/**
 * A restore that replaced a board: who did it and when, which snapshot the
 * board now equals, and the snapshot of what it replaced (restoring that one
 * undoes the restore; null when none was recorded).
 */
export type RestoreNotice = {
  id: string
  by: string
  at: string
  snapshot: { id: string; label: string }
  restorePoint: { id: string; label: string } | null
}

/**
 * A board past its size limit (BOARD_MAX_BYTES): its size when last measured,
 * and the limit. Its size is what loading it costs (server/relay/load-cost.ts):
 * its stored bytes, or its structs counted as bytes when that is more, so it
 * may be far more than anyone wrote; a page shows it as a share of the limit.
 */
export type BoardFullNotice = { bytes: number; limit: number }

/**
 * What the server tells whoever tries to add to a full board, over the
 * websocket and HTTP alike, and every member's banner shows: what is full, as
 * a share of the limit (the size counts the board's editing history, which
 * nobody sees, so bytes read as what nobody wrote), and what makes room.
 */
export function boardFullMessage({ bytes, limit }: BoardFullNotice): string {
  const percent = Math.floor((bytes / limit) * 100)
  return `This board is full: it is at ${String(percent)}% of the most a board may hold, counting its editing history as well as what it shows. Until deleting makes room, only deletions are saved: delete cards, claims, sources, documents or fields you no longer need, or text in them; deleting whole items frees the most room. Nothing you add is saved meanwhile.`
}

/**
 * What the relay tells a connection (a y-protocols "permission denied", which
 * the stock client only logs) whose presence it refuses because the client id
 * is another person's on the board, or the server's own: a page so told takes
 * a new id (client/src/board/fresh-presence-id.ts), or it would stay connected
 * and be seen by nobody.
 */
export function presenceIdTakenMessage(clientId: number): string {
  return `Presence client id ${clientId} is another person's on this board; your presence is not shown under it.`
}

/** The client id a presenceIdTakenMessage names, or null for any other reason. */
export function presenceIdTaken(reason: string): number | null {
  const match = /^Presence client id (\d+) is another person's on this board;/.exec(reason)
  return match ? Number(match[1]) : null
}

/**
 * The presence entry the server itself publishes on a board (never a person):
 * `saving: 'failing'` with `since` while edits have waited too long to be
 * committed (commits failing, or hanging or crawling on a slow database),
 * `restored` for a while after a restore replaced the board, and `full` while
 * the board takes only deletions.
 */
export type ServerPresence = { server: { saving?: 'failing'; since?: string; restored?: RestoreNotice; full?: BoardFullNotice } }
