/**
 * A run of combining marks on one character stays within MAX_MARK_RUN
 * (shared/text-hygiene.ts says why) in every shared text, however the marks
 * come. Each string an update inserts is held to it where all its values are
 * read (validate-update.ts); this rule reads what the string joins: a
 * hostile stock client otherwise built the run 30 marks a frame, each frame
 * inserted after the last, or as many items of one mark each in one frame.
 *
 * An item lands after its `origin` and before its `rightOrigin` (the
 * characters beside it when it was typed). The run it makes is read from
 * there: the marks ending at its origin, and when the whole item is marks,
 * those that start at its right origin or just after its origin (an item
 * sent with the same origin as marks already there lands beside them,
 * whatever right origin it names). Both are read in the room's document or
 * in the update's own items, past deleted characters however many lie
 * between (MAX_SKIPPED_PER_UPDATE), each walk stopping once the run passes
 * the bound. This can only count a run longer
 * than it will be, never shorter, and only beside marks already there: an
 * honest client, which keeps its own text within the rule (the field's
 * rules, client/src/board/field-rules.ts), meets it only where two people
 * put more than 30 marks on one letter at the same moment, or beside more
 * deleted characters than MAX_SKIPPED_PER_UPDATE.
 */
import * as Y from 'yjs'
import { joinedMarkRun, LONG_RUN_NAME, markRunEnds, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { isHeldWhole } from './held-already.ts'
import { heldItem, itemFinder, type Landing } from './item-landing.ts'

/**
 * Deleted characters the walks of one update step over in all. A deleted
 * character is invisible, so a run goes on past it: a walk that stopped
 * after a few items (64, before) took the run to end amid them, and a
 * hostile editor put batch after batch of 30 marks on one letter, each after
 * a hundred characters typed backwards (an item each, which Yjs cannot merge)
 * and deleted. Deleted items pile up in honest use too: every character
 * replaced while composing with an input method stays beside the cursor, an
 * item of its own (typing forwards and deleting, Yjs merges into one). So
 * every walk steps over all of them, each stretch of the room's document
 * once an update (the walks of one update share what they found), up to
 * this many in all: 0.2 to 0.5 ms (BENCHMARKS.md; the join check's walks,
 * mark-joins.ts, as many again, dearer a step), a bound on each update
 * whatever it holds. The steps taken are charged to the sender as bytes
 * (walk-cost.ts), so frame after frame of them is paid for. Past it the run
 * is taken to be past the bound, which refuses an item only where its own marks face the stretch not read (a
 * side no mark of the item faces is not walked at all); an honest edit
 * meets that only typing a mark beside more deleted characters than this,
 * side by side with no character left between them.
 */
export const MAX_SKIPPED_PER_UPDATE = 32_768

/** A walk that ran out of steps: a run past the bound, for the side it stands for. */
const UNREAD = MAX_MARK_RUN + 1

type Step = { item: Y.Item; held: boolean }

/** The items an update's walks stepped over, added up as they go: their sender pays for them (walk-cost.ts, walkCostInBytes). */
export type WalkedSteps = { steps: number }

/** Why the update makes a run of more than MAX_MARK_RUN marks in a shared text, or null; the items its walks stepped over are added to `walked`. */
export function longMarkRun(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[], walked: WalkedSteps): string | null {
  const steps = { skipped: 0 }
  try {
    return runPastBound(doc, landings, steps)
  } finally {
    walked.steps += steps.skipped
  }
}

function runPastBound(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[], steps: { skipped: number }): string | null {
  const inUpdate = itemFinder(landings.map(({ item }) => item))
  const sentOrHeld = (id: Y.ID): Step | null => {
    const held = heldItem(doc, id)
    if (held) return { item: held, held: true }
    const sent = inUpdate(id)
    return sent ? { item: sent, held: false } : null
  }

  /** For each deleted item of the room's document a walk stepped onto, walking left or right: the first item past its stretch, null at the text's end, undefined where the steps ran out. */
  const pastStretch = { left: new Map<Y.Item, Y.Item | null | undefined>(), right: new Map<Y.Item, Y.Item | null | undefined>() }
  const beside = (item: Y.Item, leftward: boolean): Y.Item | null => {
    const next = leftward ? item.left : item.right
    return next instanceof Y.Item ? next : null
  }
  /** The item the walk goes on from at `item`, past the deleted ones; undefined once the update's steps run out. */
  const goOn = ({ item, held }: Step, leftward: boolean): Step | null | undefined => {
    if (!held) {
      if (textOf(item) === '') {
        if (steps.skipped === MAX_SKIPPED_PER_UPDATE) return undefined
        steps.skipped++
      }
      const id = leftward ? item.origin : item.rightOrigin
      return id === null ? null : sentOrHeld(id)
    }
    const known = pastStretch[leftward ? 'left' : 'right']
    const first = beside(item, leftward)
    if (first === null || !first.deleted) return first && { item: first, held }
    if (!known.has(first)) {
      let at: Y.Item | null = first
      while (at !== null && at.deleted && steps.skipped < MAX_SKIPPED_PER_UPDATE) {
        steps.skipped++
        at = beside(at, leftward)
      }
      known.set(first, at !== null && at.deleted ? undefined : at)
    }
    const past = known.get(first)
    return past === undefined ? undefined : past && { item: past, held }
  }

  /** The marks that end at `id`, inclusive, walking left; UNREAD where the walk ran out of steps amid deleted characters. */
  const marksEndingAt = (id: Y.ID | null): number => {
    let count = 0
    let at = id === null ? null : sentOrHeld(id)
    let end = id === null || at === null ? 0 : id.clock - at.item.id.clock + 1
    while (at !== null && count <= MAX_MARK_RUN) {
      const text = textOf(at.item)
      if (text === null) break
      if (text !== '') {
        const { trailing, onlyMarks } = markRunEnds(text.slice(0, end))
        count += trailing
        if (!onlyMarks) break
      }
      const next = goOn(at, true)
      if (next === undefined) return UNREAD
      end = next === null ? 0 : at.held ? next.item.length : at.item.origin!.clock - next.item.id.clock + 1
      at = next
    }
    return count
  }

  /** The marks that start at `id`, inclusive, walking right; UNREAD likewise. */
  const marksStartingAt = (id: Y.ID | null): number => {
    let count = 0
    let at = id === null ? null : sentOrHeld(id)
    let start = id === null || at === null ? 0 : id.clock - at.item.id.clock
    while (at !== null && count <= MAX_MARK_RUN) {
      const text = textOf(at.item)
      if (text === null) break
      if (text !== '') {
        const { leading, onlyMarks } = markRunEnds(text.slice(start))
        count += leading
        if (!onlyMarks) break
      }
      const next = goOn(at, false)
      if (next === undefined) return UNREAD
      start = next === null || at.held ? 0 : at.item.rightOrigin!.clock - next.item.id.clock
      at = next
    }
    return count
  }

  /** The marks just after the character at `id`, in the room's document. */
  const marksAfter = (id: Y.ID | null): number => {
    if (id === null) return 0
    const held = heldItem(doc, id)
    if (held === null) return 0
    return id.clock + 1 < held.id.clock + held.length ? marksStartingAt(Y.createID(id.client, id.clock + 1)) : held.right instanceof Y.Item ? marksStartingAt(held.right.id) : 0
  }

  for (const { item, landing } of landings) {
    if (landing === null || landing.key !== null || !(item.content instanceof Y.ContentString) || isHeldWhole(doc, item)) continue
    const text = item.content.str
    const { leading, trailing } = markRunEnds(text)
    // Only a side the item's own marks face joins them: the other is not read, and not walked.
    const before = leading === 0 ? 0 : marksEndingAt(item.origin)
    const after = trailing === 0 ? 0 : Math.max(marksStartingAt(item.rightOrigin), marksAfter(item.origin))
    if (joinedMarkRun(before, text, after) > MAX_MARK_RUN) return `update makes ${LONG_RUN_NAME} in a shared text`
  }
  return null
}

/** The characters an item holds: none where they are deleted (the walk steps over it), null where it holds something else (an embed or a type ends a run). */
function textOf(item: Y.Item): string | null {
  if (item.deleted || item.content instanceof Y.ContentDeleted) return ''
  return item.content instanceof Y.ContentString ? item.content.str : null
}
