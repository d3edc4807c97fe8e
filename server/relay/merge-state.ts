import * as Y from 'yjs'
import type { StoredBoardState } from '../storage/storage.ts'

/** Applies a board's stored state (its checkpoint, then the log after it) to `doc`, in one transaction. */
export function applyStoredState(doc: Y.Doc, stored: Pick<StoredBoardState, 'checkpoint' | 'updates'>, origin?: unknown): void {
  doc.transact(() => {
    if (stored.checkpoint) Y.applyUpdate(doc, stored.checkpoint)
    for (const update of stored.updates) Y.applyUpdate(doc, update)
  }, origin)
}

/**
 * Folds a checkpoint and the log rows after it into one state. Going through a
 * Y.Doc (rather than Y.mergeUpdates) lets Yjs garbage-collect deleted content,
 * so a checkpoint is smaller than the updates it replaces.
 */
export function mergeBoardState(checkpoint: Uint8Array | null, updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc()
  try {
    applyStoredState(doc, { checkpoint, updates })
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}
