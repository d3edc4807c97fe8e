import { createHash } from 'node:crypto'
import { canonicalJson } from '../../shared/canonical-json.ts'
import type { BoardModel } from '../../shared/board-model.ts'

/**
 * The identity of a board's content: SHA-256 (hex) of the canonical JSON of its
 * model, the board id included. Equal content gives an equal hash whichever
 * database stored it and however often it was reloaded.
 */
export function boardContentHash(model: BoardModel): string {
  return createHash('sha256').update(canonicalJson(model), 'utf8').digest('hex')
}
