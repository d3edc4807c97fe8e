/**
 * Runs of combining marks an update's deletions join in a shared text, held
 * to MAX_MARK_RUN (shared/text-hygiene.ts says why) as what it inserts is
 * (mark-runs.ts). A frame that only deletes the letters between runs of 30
 * marks (inserted earlier, each run within the bound) joined them into one of
 * 36,990, which held a colleague's tab 12.7 to 15.3 s.
 *
 * Each stretch of characters the update deletes is read with the marks that
 * end just before it and start just after it, as the text will be once it is
 * applied (applied-text.ts: what is deleted already and what the same update
 * deletes skipped; what it inserts there is mark-runs.ts's to count, as it
 * reads the same text): where the stretch held anything but marks and the
 * two runs it joins pass the bound, the update is refused. Deleting only
 * marks shortens the run it was in.
 *
 * The live items the deleted ranges cover are found once an update, for
 * every rule that reads them (held-deletions.ts), and a stretch is walked
 * once: a letter the update deletes inside a stretch already walked joins
 * nothing more (a frame of 19 bytes deleting 1,368 letters, each behind 257
 * deleted items, walked each stretch again from each letter, 80 to 360 ms of
 * the relay's thread). Where the walker's budget runs out so the run on a
 * side is unknown, it is taken as too long: the update is refused only where
 * marks lie on the other side of the join too.
 */
import { LONG_RUN_NAME, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { UNKNOWN, type AppliedText, type Position, type Way } from './applied-text.ts'
import type { HeldDeletion } from './held-deletions.ts'

/** Why the update's deletions join runs of marks in a shared text into one past the bound, or null. */
export function markRunsJoined(deletions: readonly HeldDeletion[], text: AppliedText): string | null {
  for (const { item, from } of deletions) {
    // An item's place in a sequence, not a map's entries: a sequence of anything but text holds no marks (charactersOf).
    if (item.parentSub !== null || text.walkedThrough(item)) continue
    const stretch = text.stretchAt(item, from)
    if (!stretch.removesNonMark) continue
    const before = runBeside(text, stretch.start, 'left')
    const after = before === 0 ? 0 : runBeside(text, stretch.end, 'right')
    if (after > 0 && before + after > MAX_MARK_RUN) {
      return `update makes ${LONG_RUN_NAME} in a shared text (deleting characters between ${describe(before)} and ${describe(after)} marks)`
    }
  }
  return null
}

/** The marks that run from a stretch's end on its side, away from it. */
function runBeside(text: AppliedText, end: Position | null | 'unknown', way: Way): number {
  if (end === 'unknown') return UNKNOWN
  return end === null ? 0 : text.marks(end.item, way === 'left' ? end.offset + 1 : end.offset, way)
}

function describe(run: number): string {
  return run === UNKNOWN ? 'an unknown number of' : String(run)
}
