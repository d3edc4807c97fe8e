/**
 * Runs of combining marks an update makes by joining what lies around it in a
 * shared text, which the check of what it inserts (mark-runs.ts) does not
 * read: held to MAX_MARK_RUN (shared/text-hygiene.ts says why) the same.
 *
 * Deletions: a frame that only deletes the letters between runs of 30 marks
 * (inserted earlier, each run within the bound) joined them into one of
 * 36,990, which held a colleague's tab 12.7 to 15.3 s. Each stretch of
 * characters the update deletes is read with the marks that end just before
 * it and start just after it, as the text will be once it is applied (what is
 * deleted already and what the same update deletes skipped): where the
 * stretch held anything but marks and the two runs it joins pass the bound,
 * the update is refused. Deleting only marks shortens the run it was in.
 *
 * Landings: items of one update that land at one place lie side by side once
 * applied (Yjs puts items with one origin next to each other, and an item
 * whose origin is deleted beside the live character before it), while the
 * walk of mark-runs.ts reads each item alone: 64 clients of one frame, each
 * adding 30 marks after one letter, made a run of 1,920. The items are
 * grouped by the live character they land after, and each group's marks
 * counted with those around that character.
 *
 * Every walk stops at a character that is not a mark or once the run passes
 * the bound; the items holding no live character the walks of one update step
 * over (a hostile client can leave many deleted items of alternating clients,
 * which Yjs never merges) share a budget, MAX_SKIPPED_PER_UPDATE of mark-runs.ts: a
 * budget for each walk alone let a frame of 19 bytes, deleting 1,368 letters
 * each behind 257 deleted items, walk each stretch again from each letter
 * (80 to 360 ms of the relay's thread), and a walk of 256 refused an honest
 * deletion beside a deleted paragraph. A stretch is walked once: a letter
 * the update deletes inside a stretch already walked joins nothing more.
 * Where the budget runs out so the run on a side is unknown, it is taken as
 * too long: the update is refused only where marks lie on the other side of
 * the join too.
 */
import * as Y from 'yjs'
import { hasLongMarkRun, LONG_RUN_NAME, markRunEnds, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { isHeldWhole } from './held-already.ts'
import { heldItem, idKey, itemFinder, type Landing } from './item-landing.ts'
import { MAX_SKIPPED_PER_UPDATE, type WalkedSteps } from './mark-runs.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>


/** A run whose length a walk could not read. */
const UNKNOWN = Number.POSITIVE_INFINITY

/**
 * The characters of each marks' window read at the end of a piece: more than
 * MAX_MARK_RUN marks of two UTF-16 units each. A window of marks only is a run
 * past the bound, whatever lies beyond it.
 */
const WINDOW = 2 * (MAX_MARK_RUN + 1)

/** What stands for a character that is not text (an embed, a nested type): it carries no mark. */
const NOT_TEXT = '\uFFFC'

/** Why the update joins runs of marks in a shared text into one past the bound, or null; the items its walks stepped over are added to `walked`. */
export function markRunsJoined(doc: Y.Doc, decoded: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[], walked: WalkedSteps): string | null {
  const text = new AppliedText(decoded.ds)
  try {
    const found = deletionJoin(doc, decoded.ds, text) ?? landingJoin(doc, landings, text)
    return found ? `update makes ${LONG_RUN_NAME} in a shared text (${found})` : null
  } finally {
    walked.steps += text.stepsTaken()
  }
}

/** A run the update's deletions join past the bound, described, or null. */
function deletionJoin(doc: Y.Doc, ds: DecodedUpdate['ds'], text: AppliedText): string | null {
  for (const [client, ranges] of ds.clients) {
    const state = Y.getState(doc.store, client)
    for (const { clock, len } of ranges) {
      const end = Math.min(clock + len, state)
      for (let at = clock; at < end; ) {
        const item = Y.getItem(doc.store, Y.createID(client, at)) as Y.Item | Y.GC
        at = item.id.clock + item.length
        if (!(item instanceof Y.Item) || !inSequence(item) || item.deleted) continue
        if (text.walkedThrough(item)) continue
        const offset = Math.max(clock, item.id.clock) - item.id.clock
        const before = text.stretchStart(item, offset)
        if (before === null || before === 0) continue
        const stretch = text.stretchFrom(item, offset)
        if (!stretch.removesNonMark) continue
        const after = stretch.end === 'unknown' ? UNKNOWN : stretch.end === null ? 0 : text.marksFrom(stretch.end.item, stretch.end.offset)
        if (after > 0 && before + after > MAX_MARK_RUN) return `deleting characters between ${describe(before)} and ${describe(after)} marks`
      }
    }
  }
  return null
}

/** What the marks an update's items put at one place add up to. */
type Group = { items: number; marksOnly: number; lead: number; trail: number; mixed: boolean; before: number; after: number }

/** A run the items of the update make where they land together, described, or null. */
function landingJoin(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[], text: AppliedText): string | null {
  const inUpdate = itemFinder(landings.map(({ item }) => item))
  const groups = new Map<string, Group>()
  for (const { item, landing } of landings) {
    if (landing === null || landing.key !== null || !(item.content instanceof Y.ContentString) || isHeldWhole(doc, item)) continue
    // Yjs applies only what the document does not hold yet, after the last unit it holds.
    const held = Math.max(0, Y.getState(doc.store, item.id.client) - item.id.clock)
    const applied = text.liveText(item, held, item.length)
    if (hasLongMarkRun(applied)) return 'deleting characters between marks it inserts'
    const { leading, trailing, onlyMarks } = markRunEnds(applied)
    if (leading === 0 && trailing === 0) continue
    const origin = held > 0 ? Y.createID(item.id.client, item.id.clock + held - 1) : item.origin
    const place = landingPlace(doc, origin, item.rightOrigin, landing, text, inUpdate)
    const group = groups.get(place.key) ?? { items: 0, marksOnly: 0, lead: 0, trail: 0, mixed: false, before: place.before, after: place.after }
    groups.set(place.key, group)
    group.after = Math.max(group.after, place.after)
    group.items += 1
    if (onlyMarks) group.marksOnly += leading
    else Object.assign(group, { mixed: true, lead: Math.max(group.lead, leading), trail: Math.max(group.trail, trailing) })
    // One item alone is judged with the marks around it by mark-runs.ts, whose walk reads as far.
    if (group.items > 1 && longestRun(group) > MAX_MARK_RUN) return `${group.items} inserted items at one place`
  }
  return null
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
 * the marks that end there and those that start just after it. Items of the
 * update it follows that are marks only land at the place they land at.
 */
function landingPlace(
  doc: Y.Doc,
  origin: Y.ID | null,
  rightOrigin: Y.ID | null,
  landing: NonNullable<Landing>,
  text: AppliedText,
  inUpdate: (id: Y.ID) => Y.Item | null,
): { key: string; before: number; after: number } {
  const parent = typeof landing.parent === 'string' ? `root ${landing.parent}` : `type ${idKey(landing.parent)}`
  const rightHeld = rightOrigin === null ? null : heldItem(doc, rightOrigin)
  const afterRight = rightHeld === null ? 0 : text.marksFrom(rightHeld, rightOrigin!.clock - rightHeld.id.clock)
  let at = origin
  while (at !== null && text.step()) {
    const held = heldItem(doc, at)
    if (held !== null) {
      const live = text.liveAtOrBefore(held, at.clock - held.id.clock)
      if (live === 'unknown') return { key: `${parent} unknown`, before: UNKNOWN, after: Math.max(afterRight, text.marksFrom(held, at.clock - held.id.clock + 1)) }
      if (live === null) return { key: `${parent} start`, before: 0, after: Math.max(afterRight, text.marksFromStart(held)) }
      return { key: idKey(Y.createID(live.item.id.client, live.item.id.clock + live.offset)), before: text.marksBefore(live.item, live.offset + 1), after: Math.max(afterRight, text.marksFrom(live.item, live.offset + 1)) }
    }
    const sent = inUpdate(at)
    if (sent === null) return { key: idKey(at), before: 0, after: afterRight }
    // Content the update sends deleted (a sync of a document that collected it) lies between no characters.
    if (charactersOf(sent) === '') {
      at = sent.origin
      continue
    }
    const end = at.clock - sent.id.clock + 1
    const { trailing, onlyMarks } = markRunEnds(text.liveText(sent, Math.max(0, end - WINDOW), end))
    if (!onlyMarks) return { key: idKey(at), before: trailing, after: afterRight }
    // Marks all through a window are a run past the bound, or one the same update cut short by deletions: either way unknown.
    if (end > WINDOW) return { key: idKey(at), before: UNKNOWN, after: afterRight }
    at = sent.origin
  }
  return at === null ? { key: `${parent} start`, before: 0, after: afterRight } : { key: `${parent} unknown`, before: UNKNOWN, after: afterRight }
}

/**
 * An item's place in a sequence (not a map's entries): by its parent's kind
 * the room's document may not know a root text yet (the bottom line, read by
 * no one since the board was loaded), and a sequence of anything else holds
 * no marks (charactersOf).
 */
function inSequence(item: Y.Item): boolean {
  return item.parentSub === null
}

function describe(run: number): string {
  return run === UNKNOWN ? 'an unknown number of' : String(run)
}

/** A character of an item: the item and its offset in it. */
type Position = { item: Y.Item; offset: number }

/**
 * A shared text as it will be once the update is applied, read from the
 * room's document: what is deleted already and what the update deletes are
 * skipped. Every read of a live piece takes at most WINDOW units of it, and
 * the ranges the update deletes are found by binary search.
 */
class AppliedText {
  private stepsLeft = MAX_SKIPPED_PER_UPDATE
  /** Items a stretch's walk passed whole: the update deletes all of them it held live. */
  private readonly walked = new Set<Y.Item>()

  constructor(private readonly ds: DecodedUpdate['ds']) {}

  /** Whether a walk may step over one more item without a live character (the update's budget). */
  step(): boolean {
    return this.stepsLeft-- > 0
  }

  /** The steps the walks took, at most the budget (a refused step takes none). */
  stepsTaken(): number {
    return MAX_SKIPPED_PER_UPDATE - Math.max(0, this.stepsLeft)
  }

  /** Whether `item` lies inside a stretch already walked, from where the update deletes in it on. */
  walkedThrough(item: Y.Item): boolean {
    return this.walked.has(item)
  }

  /** The characters of `item` from offset `from` to `to` the update leaves. */
  liveText(item: Y.Item, from: number, to: number): string {
    const whole = charactersOf(item)
    let live = ''
    for (let start = this.firstLive(item, from); start < to; ) {
      const end = Math.min(to, this.pieceEnd(item, start))
      live += whole.slice(start, end)
      start = this.firstLive(item, end)
    }
    return live
  }

  /**
   * The marks that end just before `offset` of `item`, where the update
   * deletes a stretch from there (the run the stretch joins on its left);
   * null where the character before it that is not deleted already is one
   * the update deletes too (the stretch starts earlier).
   */
  stretchStart(item: Y.Item, offset: number): number | null {
    let at: Y.Item | null = item
    let end = offset
    while (at !== null) {
      if (!at.deleted && charactersOf(at) !== '' && end > 0) return this.deletes(at, end - 1) ? null : this.marksBefore(at, end)
      if (!this.step()) return UNKNOWN
      at = previousItem(at)
      end = at === null ? 0 : at.length
    }
    return 0
  }

  /**
   * The stretch the update deletes from `offset` of `item` on: whether it
   * removes anything but marks, and the first live character after it (null
   * at the text's end, unknown once the update's budget of steps is spent).
   */
  stretchFrom(item: Y.Item, offset: number): { removesNonMark: boolean; end: Position | null | 'unknown' } {
    let removesNonMark = false
    let at: Y.Item | null = item
    let from = offset
    while (at !== null) {
      const whole = charactersOf(at)
      if (whole !== '' && !at.deleted) {
        const live = this.firstLive(at, from)
        removesNonMark ||= !markRunEnds(this.deletedText(at, from, live)).onlyMarks
        if (live < at.length) return { removesNonMark, end: { item: at, offset: live } }
      } else if (!this.step()) {
        return { removesNonMark, end: 'unknown' }
      }
      this.walked.add(at)
      at = nextItem(at)
      from = 0
    }
    return { removesNonMark, end: null }
  }

  /** The live character at or before `offset` of `item`, walking left; null at the text's start. */
  liveAtOrBefore(item: Y.Item, offset: number): Position | null | 'unknown' {
    let at: Y.Item | null = item
    let end = offset + 1
    while (at !== null) {
      const last = this.lastLive(at, end)
      if (last >= 0) return { item: at, offset: last }
      if (!this.step()) return 'unknown'
      at = previousItem(at)
      end = at === null ? 0 : at.length
    }
    return null
  }

  /** The marks that end just before `offset` of `item`, walking left (UNKNOWN where the budget runs out first). */
  marksBefore(item: Y.Item, offset: number): number {
    let count = 0
    let at: Y.Item | null = item
    let end = offset
    while (at !== null && count <= MAX_MARK_RUN) {
      if (!this.step()) return UNKNOWN
      const last = this.lastLive(at, end)
      if (last >= 0) {
        const start = Math.max(this.pieceStart(at, last), last + 1 - WINDOW)
        const { trailing, onlyMarks } = markRunEnds(charactersOf(at).slice(start, last + 1))
        count += trailing
        if (!onlyMarks) break
        end = start
      } else {
        at = previousItem(at)
        end = at === null ? 0 : at.length
      }
    }
    return count
  }

  /** The marks that start at `offset` of `item`, walking right (UNKNOWN where the budget runs out first). */
  marksFrom(item: Y.Item, offset: number): number {
    let count = 0
    let at: Y.Item | null = item
    let start = offset
    while (at !== null && count <= MAX_MARK_RUN) {
      if (!this.step()) return UNKNOWN
      const first = at.deleted || charactersOf(at) === '' ? at.length : this.firstLive(at, start)
      if (first < at.length) {
        const end = Math.min(this.pieceEnd(at, first), first + WINDOW)
        const { leading, onlyMarks } = markRunEnds(charactersOf(at).slice(first, end))
        count += leading
        if (!onlyMarks) break
        start = end
      } else {
        at = nextItem(at)
        start = 0
      }
    }
    return count
  }

  /** The marks that start the text `item` lies in. */
  marksFromStart(item: Y.Item): number {
    const start = (item.parent as Y.AbstractType<unknown>)._start
    return start === null ? 0 : this.marksFrom(start, 0)
  }

  /** The characters of `item` from `from` to `to` the update deletes. */
  private deletedText(item: Y.Item, from: number, to: number): string {
    const whole = charactersOf(item)
    let deleted = ''
    for (let start = from; start < to; ) {
      const range = this.rangeFrom(item, start)!
      const end = Math.min(to, range.clock + range.len - item.id.clock)
      deleted += whole.slice(start, end)
      start = this.firstDeleted(item, end)
    }
    return deleted
  }

  /** Whether the update deletes the unit at `offset` of `item`. */
  private deletes(item: Y.Item, offset: number): boolean {
    const range = this.rangeFrom(item, offset)
    return range !== null && range.clock <= item.id.clock + offset
  }

  /** The first offset of `item` at or after `offset` the update leaves (its length where none). */
  private firstLive(item: Y.Item, offset: number): number {
    let at = offset
    for (let range = this.rangeFrom(item, at); range !== null && range.clock <= item.id.clock + at && at < item.length; range = this.rangeFrom(item, at)) {
      at = range.clock + range.len - item.id.clock
    }
    return Math.min(at, item.length)
  }

  /** The first offset of `item` at or after `offset` the update deletes (its length where none). */
  private firstDeleted(item: Y.Item, offset: number): number {
    const range = this.rangeFrom(item, offset)
    return range === null ? item.length : Math.min(item.length, Math.max(offset, range.clock - item.id.clock))
  }

  /** The end of the live piece of `item` that holds `offset`. */
  private pieceEnd(item: Y.Item, offset: number): number {
    return this.firstDeleted(item, offset)
  }

  /** The last live offset of `item` before `end`, or -1 (an item deleted already, or holding no character, has none). */
  private lastLive(item: Y.Item, end: number): number {
    if (item.deleted || charactersOf(item) === '') return -1
    let at = end - 1
    for (let range = this.rangeTo(item, at); at >= 0 && range !== null && range.clock + range.len > item.id.clock + at; range = this.rangeTo(item, at)) {
      at = range.clock - item.id.clock - 1
    }
    return at
  }

  /** The start of the live piece of `item` that holds `offset`. */
  private pieceStart(item: Y.Item, offset: number): number {
    const range = this.rangeTo(item, offset)
    return range === null ? 0 : Math.max(0, range.clock + range.len - item.id.clock)
  }

  /** The first range the update deletes of `item`'s client that ends after `offset` of it, or null. */
  private rangeFrom(item: Y.Item, offset: number): { clock: number; len: number } | null {
    const ranges = this.ds.clients.get(item.id.client) ?? []
    const clock = item.id.clock + offset
    let [low, high] = [0, ranges.length]
    while (low < high) {
      const middle = (low + high) >>> 1
      if (ranges[middle]!.clock + ranges[middle]!.len <= clock) low = middle + 1
      else high = middle
    }
    return ranges[low] ?? null
  }

  /** The last range the update deletes of `item`'s client that starts at or before `offset` of it, or null. */
  private rangeTo(item: Y.Item, offset: number): { clock: number; len: number } | null {
    const ranges = this.ds.clients.get(item.id.client) ?? []
    const clock = item.id.clock + offset
    let [low, high] = [0, ranges.length]
    while (low < high) {
      const middle = (low + high) >>> 1
      if (ranges[middle]!.clock <= clock) low = middle + 1
      else high = middle
    }
    return low === 0 ? null : ranges[low - 1]!
  }
}

/** The characters an item holds in a text: its string, one that carries no mark for each unit of an embed or type, none for formatting or deleted content. */
function charactersOf(item: Y.Item): string {
  if (item.content instanceof Y.ContentString) return item.content.str
  return item.countable && !(item.content instanceof Y.ContentDeleted) ? NOT_TEXT.repeat(item.length) : ''
}

function previousItem(item: Y.Item): Y.Item | null {
  return item.left instanceof Y.Item ? item.left : null
}

function nextItem(item: Y.Item): Y.Item | null {
  return item.right instanceof Y.Item ? item.right : null
}
