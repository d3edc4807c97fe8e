/**
 * Where a change to a board's document came from. Every transaction that
 * changes a board carries one as its Yjs origin, on the server and in the
 * browser, and the origin decides what is stored, relayed and undone.
 *
 * A change a websocket connection sends is made with the relay's connection
 * itself as origin (as the browser's provider applies the server's changes
 * with itself as origin): those are not listed here.
 */
export type ChangeOrigin =
  /** The person at this browser: the only origin their undo manager takes back. */
  | { readonly source: 'local' }
  /** A server-side change (an HTTP edit, an import, a restore, a layout migration), stored and relayed; `by` is who made it. */
  | { readonly source: 'server'; readonly by: string }
  /** Stored content shown as it is (a room loading its board, a browser opening a snapshot): neither stored again, relayed nor undone. */
  | { readonly source: 'load' }
  /** A change another instance committed: relayed here, not stored again. */
  | { readonly source: 'remote' }

export const LOAD_ORIGIN: ChangeOrigin = { source: 'load' }
export const REMOTE_ORIGIN: ChangeOrigin = { source: 'remote' }

/** A fresh object for each board a browser holds, so that an undo manager tracks its own board's changes only. */
export function localOrigin(): ChangeOrigin {
  return { source: 'local' }
}

export function serverOrigin(by: string): ChangeOrigin {
  return { source: 'server', by }
}

/** Whether a transaction's origin is one of these (not a connection, a provider, or none). */
export function isChangeOrigin(origin: unknown): origin is ChangeOrigin {
  if (typeof origin !== 'object' || origin === null || !('source' in origin)) return false
  const { source } = origin
  if (source === 'server') return 'by' in origin && typeof origin.by === 'string'
  return source === 'local' || source === 'load' || source === 'remote'
}
