/**
 * The board order of assessments as the document stores them, on their maps:
 * what the mutations place cards by and the model lists them in.
 */
import { readString, type EntityMap } from './board-doc.ts'

/** By fractional order key, ties (concurrent inserts) by id. */
export function compareOrder(a: EntityMap, b: EntityMap): number {
  const ka = readString(a, 'order')
  const kb = readString(b, 'order')
  if (ka !== kb) return ka < kb ? -1 : 1
  const ia = readString(a, 'id')
  const ib = readString(b, 'id')
  return ia < ib ? -1 : ia > ib ? 1 : 0
}
