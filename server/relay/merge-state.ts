import * as Y from 'yjs'

/**
 * Folds a checkpoint and the log rows after it into one state. Going through a
 * Y.Doc (rather than Y.mergeUpdates) lets Yjs garbage-collect deleted content,
 * so a checkpoint is smaller than the updates it replaces.
 */
export function mergeBoardState(checkpoint: Uint8Array | null, updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc()
  try {
    doc.transact(() => {
      if (checkpoint) Y.applyUpdate(doc, checkpoint)
      for (const update of updates) Y.applyUpdate(doc, update)
    })
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}
