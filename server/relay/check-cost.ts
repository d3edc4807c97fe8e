/**
 * What checking an update costs the relay, in bytes of an ordinary update
 * that cost as much (README: a byte of update costs the relay up to about
 * 200 ns), so that a frame dense in structs counts against its sender's
 * bytes a second like the large frame it costs as much as. Yjs builds an
 * object for each struct and range of deletions, and the checks walk each,
 * however few bytes it takes on the wire: 199,000 collected structs of 2
 * bytes each (398 KB) took the relay's thread 220 to 490 ms to check, 150,000
 * one-character items typed backwards (1.18 MB) 1.31 s, about 6 times what
 * their bytes were counted for (the twenty-fifth red team).
 */
import type * as Y from 'yjs'
import { structsCovered } from './held-deletions.ts'
import type { ScannedUpdate } from './inserted-values-scan.ts'
import { MAX_UPDATE_PIECES } from './validate-update.ts'

/**
 * The bytes one struct or range of deletions counts for at least: checking an
 * item of one character took 8.7 µs (the red team's items), a collected
 * struct 1.1 to 2.5 µs, against 200 ns a byte. The dearest counted: the whole
 * board of 1,000 assessments sent as one update (85,247 structs) then counts
 * as 4.1 MB, and an update of MAX_UPDATE_PIECES as 9.6 MB, within the
 * 16 MiB burst a whole offline session is sent in.
 */
export const BYTES_PER_PIECE = 48

/**
 * The bytes each struct of the board a deleted range covers counts for: the
 * rules walk every one (held-deletions.ts), and so does Yjs applying the
 * deletion, deleted already or not, however few bytes the range takes. A
 * 9-byte frame deleting one client's 150,000 deleted items cost
 * `validateUpdate` 25 ms on a loaded machine (BENCHMARKS.md), about 0.17 µs a
 * struct, a byte's cost each; counted at twice that, such a frame counts as
 * 300 KB and is checked off the relay's thread (update-checks.ts), while a
 * page's sync, whose delete set covers every deleted struct of the board,
 * counts a few hundred KB on a board of a hundred thousand.
 */
export const BYTES_PER_COVERED_STRUCT = 2

/**
 * What checking an update of `byteLength` bytes holding `scanned`'s pieces
 * counts for: its bytes, or its pieces at BYTES_PER_PIECE each and the
 * structs of `doc` its deleted ranges cover at BYTES_PER_COVERED_STRUCT each
 * when that is more. An update the scan could not read (null) counts its
 * bytes: Yjs decides on it as before (inserted-values-scan.ts).
 */
export function checkCostInBytes(byteLength: number, scanned: ScannedUpdate | null, doc: Y.Doc): number {
  if (scanned === null) return byteLength
  // The scan's count may pass the bound by a whole run at once; such an update is refused as the scan ends, unchecked.
  const pieces = Math.min(scanned.pieces, MAX_UPDATE_PIECES) * BYTES_PER_PIECE
  return Math.max(byteLength, pieces + structsCovered(doc, scanned.deleted) * BYTES_PER_COVERED_STRUCT)
}
