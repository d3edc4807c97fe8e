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
  /**
   * Below 4400 on purpose: the stock WebsocketProvider treats 4400–4499 as final and stops, but a
   * person whose role changed must reconnect, to be admitted (or refused) under the new rights.
   */
  accessChanged: { code: 4001, reason: 'access changed; reconnect' },
  /** Reconnecting is the cure (a fresh sync), so this stays below the final range. */
  tooSlow: { code: 4008, reason: 'client too slow to keep up; reconnect' },
  serverShutdown: { code: 1001, reason: 'server shutting down' },
} as const satisfies Record<string, CloseEvent>
