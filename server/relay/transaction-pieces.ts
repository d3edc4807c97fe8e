/**
 * What one transaction added to a document: the structs it added and the
 * ranges it deleted, read from the transaction itself (its state vectors
 * before and after, its delete set), so without a walk over the document's
 * clients. written-cost.ts charges a change by them; load-cost.ts bounds by
 * them the structs a board gained between two counts of all it holds.
 */
import * as Y from 'yjs'

export type Pieces = { structs: number; ranges: number }

/** The structs `transaction` added (as merged at its end) and the ranges it deleted. */
export function piecesOf(transaction: Y.Transaction): Pieces {
  let structs = 0
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0
    if (after <= before) continue
    const clientStructs = transaction.doc.store.clients.get(client)
    if (clientStructs) structs += clientStructs.length - Y.findIndexSS(clientStructs, before)
  }
  let ranges = 0
  for (const clientRanges of transaction.deleteSet.clients.values()) ranges += clientRanges.length
  return { structs, ranges }
}
