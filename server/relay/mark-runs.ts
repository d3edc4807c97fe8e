/**
 * A run of combining marks on one character stays within MAX_MARK_RUN
 * (shared/text-hygiene.ts says why) in every shared text, however the marks
 * come. Each string an update inserts is held to it where all its values are
 * read (validate-update.ts); this rule reads what the update's items join
 * where they land, in the text as it will be once the update is applied
 * (applied-text.ts: what the same update deletes is gone, so a frame adding
 * 30 marks after a letter and deleting the letter after them, which carried
 * 30 of its own, is read as the run of 60 it makes). A hostile stock client
 * otherwise built the run 30 marks a frame, each frame inserted after the
 * last, or as many items of one mark each in one frame, or 64 clients of one
 * frame each adding 30 marks after one letter (a run of 1,920).
 *
 * Items of one update that land at one place lie side by side once applied
 * (Yjs puts items with one origin next to each other, and an item whose
 * origin is deleted beside the live character before it): the items are
 * grouped by the live character they land after, found where Yjs integrates
 * them among the room's items (integrated-place.ts), and each group's marks
 * are counted with those around that character, a group of one item too.
 * Groups at places of one run of the room's text are then read along it
 * together (longestRunAcross): judged each alone, 15 marks put before and 15
 * after one accent by one transaction of a stock client made a run of 31,
 * 15 after each of 15 marks one of 255. Marks put after another item of the
 * update, where that item's marks end, are read at that item's place, in the
 * run of the room's text it lies in: keyed at their origin inside the
 * update, they were left out of that reading, and three clients of one frame
 * ("b" and 5 marks after a letter, 8 after those, 8 among the room's marks
 * there) made a run of 31. This
 * can only count a run longer than it will be, never shorter, and only beside
 * marks already there: an honest client, which keeps its own text within the
 * rule (the field's rules, client/src/board/field-rules.ts), meets it only
 * where two people put more than 30 marks on one letter at the same moment,
 * or beside more deleted characters than MAX_SKIPPED_PER_UPDATE.
 */
import * as Y from 'yjs'
import { hasLongMarkRun, LONG_RUN_NAME, markRunEnds, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { AppliedText, charactersOf, UNKNOWN, WINDOW } from './applied-text.ts'
import { isHeldWhole } from './held-already.ts'
import { integratedOrigin } from './integrated-place.ts'
import { heldItem, idKey, lazyItemFinder, type Landing } from './item-landing.ts'

/**
 * What the marks an update's items put at one place add up to, and the run of
 * the room's text the place lies in (its base's key and `before`, the place's
 * offset in it), where that is known.
 */
/** Where an item lands (landingPlace). */
type Place = { key: string; before: number; after: number; run: string | null }

type Group = { items: number; marksOnly: number; lead: number; trail: number; mixed: boolean; before: number; after: number; run: string | null }

/** Why the update's items make a run of more than MAX_MARK_RUN marks where they land in a shared text, or null. */
export function longMarkRun(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[], text: AppliedText): string | null {
  const inUpdate = lazyItemFinder(() => landings.map(({ item }) => item))
  const landingOf = new Map(landings.map(({ item, landing }) => [item, landing]))
  const places = new Map<Y.Item, Place | 'reading'>()
  /** Where an item of the update lands, read once an update (an origin naming an item that names it back lands nowhere: unknown). */
  const placeOf = (item: Y.Item, landing: NonNullable<Landing>): Place => {
    const known = places.get(item)
    if (known === 'reading') return unknownPlace(landing)
    if (known) return known
    places.set(item, 'reading')
    const origin = appliedOrigin(doc, item)
    const integrated = origin === null ? null : integratedOrigin(doc, item.id.client, origin, item.rightOrigin, text)
    const place = landingPlace(doc, integrated ?? origin, item.rightOrigin, landing, text, { inUpdate, placeOfSent })
    places.set(item, place)
    return place
  }
  const placeOfSent = (item: Y.Item): Place | null => {
    const landing = landingOf.get(item)
    return landing && landing.key === null ? placeOf(item, landing) : null
  }
  const groups = new Map<string, Group>()
  for (const { item, landing } of landings) {
    if (landing === null || landing.key !== null || !(item.content instanceof Y.ContentString) || isHeldWhole(doc, item)) continue
    // Yjs applies only what the document does not hold yet, after the last unit it holds.
    const held = Math.max(0, Y.getState(doc.store, item.id.client) - item.id.clock)
    const applied = text.liveText(item, held, item.length)
    if (hasLongMarkRun(applied)) return `update makes ${LONG_RUN_NAME} in a shared text (deleting characters between marks it inserts)`
    const { leading, trailing, onlyMarks } = markRunEnds(applied)
    if (leading === 0 && trailing === 0) continue
    const place = placeOf(item, landing)
    const group = groups.get(place.key) ?? { items: 0, marksOnly: 0, lead: 0, trail: 0, mixed: false, before: place.before, after: place.after, run: place.run }
    groups.set(place.key, group)
    group.after = Math.max(group.after, place.after)
    group.items += 1
    if (onlyMarks) group.marksOnly += leading
    else Object.assign(group, { mixed: true, lead: Math.max(group.lead, leading), trail: Math.max(group.trail, trailing) })
    if (longestRun(group) > MAX_MARK_RUN) return `update makes ${LONG_RUN_NAME} in a shared text (${group.items === 1 ? 'an inserted item' : `${group.items} inserted items at one place`})`
  }
  for (const places of placesByRun(groups.values())) {
    if (places.length > 1 && longestRunAcross(places) > MAX_MARK_RUN) return `update makes ${LONG_RUN_NAME} in a shared text (inserted items at ${places.length} places of one run)`
  }
  return null
}

/** The id of the last unit of what Yjs puts an item after: the last unit the room holds of it where it holds some (Yjs applies the rest after it), else its origin. */
function appliedOrigin(doc: Y.Doc, item: Y.Item): Y.ID | null {
  const held = Math.max(0, Y.getState(doc.store, item.id.client) - item.id.clock)
  return held > 0 ? Y.createID(item.id.client, item.id.clock + held - 1) : item.origin
}

/** A place not known: its run is taken to be past the bound. */
function unknownPlace(landing: NonNullable<Landing>): Place {
  return { key: `${parentKey(landing)} unknown`, before: UNKNOWN, after: 0, run: null }
}

function parentKey(landing: NonNullable<Landing>): string {
  return typeof landing.parent === 'string' ? `root ${landing.parent}` : `type ${idKey(landing.parent)}`
}

/** The groups that land in one run of the room's text, for each run that holds any. */
function placesByRun(groups: Iterable<Group>): Group[][] {
  const runs = new Map<string, Group[]>()
  for (const group of groups) {
    if (group.run === null) continue
    const places = runs.get(group.run)
    if (places) places.push(group)
    else runs.set(group.run, [group])
  }
  return [...runs.values()]
}

/**
 * The longest run the groups landing at places of one run make together, as
 * longestRun counts one group's, walked from the run's base along its places
 * (each group's `before` is its place's offset in the run): a group of marks
 * only lengthens the run, a group with another character ends it and starts
 * the next. Only runs that hold marks the update adds are counted.
 */
function longestRunAcross(places: readonly Group[]): number {
  const inOrder = [...places].sort((one, other) => one.before - other.before)
  let longest = 0
  let run = 0
  let adds = false
  let offset = 0
  for (const group of inOrder) {
    run += group.before - offset
    offset = group.before
    if (!group.mixed) {
      run += group.marksOnly
      adds = true
      continue
    }
    if (adds || group.marksOnly + group.lead > 0) longest = Math.max(longest, run + group.marksOnly + group.lead)
    if (group.items > 1) longest = Math.max(longest, group.trail + group.marksOnly + group.lead)
    run = group.trail + group.marksOnly
    adds = run > 0
  }
  return adds ? Math.max(longest, run + inOrder.at(-1)!.after) : longest
}

/**
 * The longest run a group's items can make in any order between the marks
 * before and after their place, counting only runs that hold marks they add
 * (a letter typed after a long run stored before the rule only ends it).
 */
function longestRun({ items, marksOnly, lead, trail, mixed, before, after }: Group): number {
  if (!mixed) return marksOnly === 0 ? 0 : before + marksOnly + after
  const intoBefore = marksOnly + lead === 0 ? 0 : before + marksOnly + lead
  const intoAfter = marksOnly + trail === 0 ? 0 : trail + marksOnly + after
  return Math.max(intoBefore, intoAfter, items > 1 ? trail + marksOnly + lead : 0)
}

/**
 * Where an item lands, as the live character it follows (the group key), with
 * the marks that end there and those that start just after it (read from its
 * origin on, the origin being where Yjs integrates it: what lies between that
 * character and the origin is deleted). Items of the update it follows that
 * are marks only land at the place they land at.
 */
function landingPlace(
  doc: Y.Doc,
  origin: Y.ID | null | 'unknown',
  rightOrigin: Y.ID | null,
  landing: NonNullable<Landing>,
  text: AppliedText,
  { inUpdate, placeOfSent }: { inUpdate: (id: Y.ID) => Y.Item | null; placeOfSent: (item: Y.Item) => Place | null },
): Place {
  const parent = parentKey(landing)
  const rightHeld = rightOrigin === null ? null : heldItem(doc, rightOrigin)
  const afterRight = rightHeld === null ? 0 : text.marks(rightHeld, rightOrigin!.clock - rightHeld.id.clock, 'right')
  if (origin === 'unknown') return { key: `${parent} unknown`, before: UNKNOWN, after: afterRight, run: null }
  let at = origin
  while (at !== null && text.step()) {
    const held = heldItem(doc, at)
    if (held !== null) {
      const offset = at.clock - held.id.clock
      const after = Math.max(afterRight, text.marks(held, offset + 1, 'right'))
      const live = text.liveAtOrBefore(held, offset)
      if (live === 'unknown') return { key: `${parent} unknown`, before: UNKNOWN, after, run: null }
      if (live === null) return { key: `${parent} start`, before: 0, after, run: `${parent} start` }
      const { count, base } = text.runBefore(live.item, live.offset + 1)
      const run = base === 'unknown' ? null : base === null ? `${parent} start` : idKey(Y.createID(base.item.id.client, base.item.id.clock + base.offset))
      return { key: idKey(Y.createID(live.item.id.client, live.item.id.clock + live.offset)), before: count, after, run }
    }
    const sent = inUpdate(at)
    if (sent === null) return { key: idKey(at), before: 0, after: afterRight, run: null }
    // Content the update sends deleted (a sync of a document that collected it) lies between no characters.
    if (charactersOf(sent) === '') {
      at = sent.origin
      continue
    }
    const end = at.clock - sent.id.clock + 1
    const { trailing, onlyMarks } = markRunEnds(text.liveText(sent, Math.max(0, end - WINDOW), end))
    if (!onlyMarks) {
      // In the run the item ends with, which goes on past it: read with the item's own place, in the run of the room's text that holds it.
      const ownPlace = markRunEnds(text.liveText(sent, end, sent.length)).onlyMarks ? placeOfSent(sent) : null
      return ownPlace ?? { key: idKey(at), before: trailing, after: afterRight, run: null }
    }
    // Marks all through a window are a run past the bound, or one the same update cut short by deletions: either way unknown.
    if (end > WINDOW) return { key: idKey(at), before: UNKNOWN, after: afterRight, run: null }
    at = sent.origin
  }
  return at === null ? { key: `${parent} start`, before: 0, after: afterRight, run: `${parent} start` } : { key: `${parent} unknown`, before: UNKNOWN, after: afterRight, run: null }
}
