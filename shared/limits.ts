/**
 * Size limits both sides enforce. The server also feeds `maxMessageBytes` to the
 * websocket's max payload, so an oversized frame is refused before it is read.
 */
export const LIMITS = {
  /** A title, a name, a marking. */
  shortText: 500,
  /** A judgment, a claim, a note. */
  longText: 20_000,
  /** One websocket frame (a y-protocols message). A full board sync can be large. */
  maxMessageBytes: 16 * 1024 * 1024,
  /** One HTTP request body. */
  maxBodyBytes: 4 * 1024 * 1024,
  /** One imported source document. */
  maxDocumentBytes: 2 * 1024 * 1024,
} as const
