/**
 * What one person may still add to boards this hour (RELAY_LIMITS
 * .writtenBytesPerHour), for changes made over HTTP: an edit, a batch, an
 * import. Their sockets count against the same budget (room.ts). A change is
 * refused before it is made when what the request carries is more than is
 * left; once made, what the board took in is counted (written-cost.ts), so
 * one change may go past what was left and the next is refused.
 */
import type * as Y from 'yjs'
import { writtenCostInBytes } from './written-cost.ts'
import { piecesOf } from './transaction-pieces.ts'
import type { IncomingRates } from './incoming-rates.ts'

/** Nothing of the change was made. */
export class WrittenTooMuch extends Error {
  override name = 'WrittenTooMuch'
}

/** Refuses a change that carries `bytes` when its person has less than that left this hour; null: no person, nothing counted. */
export function requireWritable(rates: IncomingRates | null, bytes: number): void {
  if (rates && !rates.mayWrite(bytes)) throw new WrittenTooMuch(`a change of about ${bytes} bytes, past what its person may still add to boards this hour`)
}

/** `change`, counting the bytes of the updates it makes against its person's hour. */
export function counted<T>(rates: IncomingRates | null, change: (doc: Y.Doc) => T): (doc: Y.Doc) => T {
  if (!rates) return change
  return (doc) => {
    let bytes = 0
    const count = (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
      bytes += writtenCostInBytes(update, transaction, piecesOf(transaction))
    }
    doc.on('update', count)
    try {
      return change(doc)
    } finally {
      doc.off('update', count)
      rates.wrote(bytes)
    }
  }
}
