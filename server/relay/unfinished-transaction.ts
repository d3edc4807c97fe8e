/**
 * Whether Yjs left a transaction of `doc` unfinished. It ends a transaction in
 * a cleanup (collecting deleted content, merging structs, encoding and
 * emitting the `update` event) run in a `finally`, which empties
 * `_transactionCleanups` last: a throw inside it (such as collecting an item
 * that a crafted update left undeleted where Yjs expects every item deleted)
 * leaves the transaction listed, and every later one then waits behind it,
 * never cleaned up: the doc changes, but emits no update again.
 */
import type * as Y from 'yjs'

export function transactionLeftUnfinished(doc: Y.Doc): boolean {
  return doc._transaction !== null || doc._transactionCleanups.length > 0
}
