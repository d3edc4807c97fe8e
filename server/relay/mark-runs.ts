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
 * whatever right origin it names). Both are read in the room's document,
 * skipping deleted characters, or in the update's own items, each walk
 * stopping once the run passes the bound. This can only count a run longer
 * than it will be, never shorter, and only beside marks already there: an
 * honest client, which keeps its own text within the rule (the field's
 * rules, client/src/board/field-rules.ts), meets it only where two people
 * put more than 30 marks on one letter at the same moment.
 */
import * as Y from 'yjs'
import { joinedMarkRun, LONG_RUN_NAME, markRunEnds, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { isHeldWhole } from './held-already.ts'
import { heldItem, itemFinder, type Landing } from './item-landing.ts'

/**
 * Items one walk steps over at most (deleted ones, mostly): past it the run
 * is taken to end. A walk costs its steps for each item the update inserts.
 */
const MAX_WALK_STEPS = 64

/** Why the update makes a run of more than MAX_MARK_RUN marks in a shared text, or null. */
export function longMarkRun(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  const inUpdate = itemFinder(landings.map(({ item }) => item))
  const sentOrHeld = (id: Y.ID): { item: Y.Item; held: boolean } | null => {
    const held = heldItem(doc, id)
    if (held) return { item: held, held: true }
    const sent = inUpdate(id)
    return sent ? { item: sent, held: false } : null
  }

  /** The marks that end at `id`, inclusive, walking left. */
  const marksEndingAt = (id: Y.ID | null): number => {
    let count = 0
    let at = id === null ? null : sentOrHeld(id)
    let end = id === null || at === null ? 0 : id.clock - at.item.id.clock + 1
    for (let step = 0; at !== null && count <= MAX_MARK_RUN && step < MAX_WALK_STEPS; step++) {
      const { item, held } = at
      const text = textOf(item)
      if (text === null) break
      if (text !== '') {
        const { trailing, onlyMarks } = markRunEnds(text.slice(0, end))
        count += trailing
        if (!onlyMarks) break
      }
      at = held ? (item.left instanceof Y.Item ? { item: item.left, held } : null) : item.origin === null ? null : sentOrHeld(item.origin)
      end = at === null ? 0 : held ? at.item.length : item.origin!.clock - at.item.id.clock + 1
    }
    return count
  }

  /** The marks that start at `id`, inclusive, walking right. */
  const marksStartingAt = (id: Y.ID | null): number => {
    let count = 0
    let at = id === null ? null : sentOrHeld(id)
    let start = id === null || at === null ? 0 : id.clock - at.item.id.clock
    for (let step = 0; at !== null && count <= MAX_MARK_RUN && step < MAX_WALK_STEPS; step++) {
      const { item, held } = at
      const text = textOf(item)
      if (text === null) break
      if (text !== '') {
        const { leading, onlyMarks } = markRunEnds(text.slice(start))
        count += leading
        if (!onlyMarks) break
      }
      at = held ? (item.right instanceof Y.Item ? { item: item.right, held } : null) : item.rightOrigin === null ? null : sentOrHeld(item.rightOrigin)
      start = at === null || held ? 0 : item.rightOrigin!.clock - at.item.id.clock
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
    if (leading === 0 && trailing === 0) continue
    const after = Math.max(marksStartingAt(item.rightOrigin), marksAfter(item.origin))
    if (joinedMarkRun(marksEndingAt(item.origin), text, after) > MAX_MARK_RUN) return `update makes ${LONG_RUN_NAME} in a shared text`
  }
  return null
}

/** The characters an item holds: none where they are deleted (the walk steps over it), null where it holds something else (an embed or a type ends a run). */
function textOf(item: Y.Item): string | null {
  if (item.deleted || item.content instanceof Y.ContentDeleted) return ''
  return item.content instanceof Y.ContentString ? item.content.str : null
}
