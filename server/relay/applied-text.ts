/**
 * The walker both rules on runs of combining marks read a shared text with
 * (mark-runs.ts: what an update's items make where they land; mark-joins.ts:
 * what its deletions join): the text as it will be once the update is
 * applied, read from the room's document, what is deleted already and what
 * the update deletes skipped. One walker for one update, so that its walks
 * share one budget of steps and what they found.
 */
import * as Y from 'yjs'
import { markRunEnds, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'

type DeleteSet = ReturnType<typeof Y.decodeUpdate>['ds']

/**
 * Items holding no live character the walks of one update step over in all.
 * A deleted character is invisible, so a run goes on past it: a walk that
 * stopped after a few items (64, before) took the run to end amid them, and a
 * hostile editor put batch after batch of 30 marks on one letter, each after
 * a hundred characters typed backwards (an item each, which Yjs cannot merge)
 * and deleted. Deleted items pile up in honest use too: every character
 * replaced while composing with an input method stays beside the cursor, an
 * item of its own (typing forwards and deleting, Yjs merges into one). So
 * every walk steps over all of them, each stretch once an update (a stretch
 * walked from one end is known to the walks after), up to this many in all:
 * a bound on each update whatever it holds (BENCHMARKS.md), the steps taken
 * charged to the sender as bytes (walk-cost.ts), in debt where they pass what
 * the sender may send (UpdateIntake.admitted). Past it the run
 * is taken to be past the bound (UNKNOWN), which refuses an update only
 * where its own marks, or marks on the other side of what it deletes, face
 * the stretch not read. At 32,768 honest edits met it: a word revised as it
 * is typed ("th ", then "the ") is three items Yjs cannot merge, deleted too,
 * and deleting words between two deleted passages of 6,000 such words, or
 * typing a mark just after one of 11,000, was closed 4415 with no other mark
 * on the board. At a byte a step, the bound is what a frame of 256 KiB costs
 * (some 35 ms of the relay's thread at 130 ns a step, against the 3 s a
 * frame of the largest size may take to apply), and a sender pays for it as
 * for such a frame: an honest edit meets it only beside more than 87,000
 * such words deleted, side by side with no character left between them.
 * Reading a live character costs no step: only items without
 * one do, so text without marks is read through however many places an
 * update touches.
 */
export const MAX_SKIPPED_PER_UPDATE = 262_144

/** A run whose length a walk could not read within the budget: past the bound, for the side it stands for. */
export const UNKNOWN = Number.POSITIVE_INFINITY

/**
 * The characters of each read of a live piece, at most: more than
 * MAX_MARK_RUN marks of two UTF-16 units each. A window of marks only is a run
 * past the bound, whatever lies beyond it.
 */
export const WINDOW = 2 * (MAX_MARK_RUN + 1)

/** What stands for a character that is not text (an embed, a nested type): it carries no mark. */
const NOT_TEXT = '\uFFFC'

/** A character of an item: the item and its offset in it. */
export type Position = { item: Y.Item; offset: number }

/** A walk's way along the text. */
export type Way = 'left' | 'right'

/** Where one side of a deleted stretch ends (AppliedText.stretchAt), and whether that side removes anything but marks. */
type StretchEnd = { removesNonMark: boolean; end: Position | null | 'unknown' }

/** The piece of `item` a run's walk read last, ending at offset `end`: it holds the character that ends the run, after (going left) or before (going right) `marks` code points of marks the run took. */
type RunStop = { item: Y.Item; read: string; end: number; marks: number }

/** A walk past items without a live character: the first with one, null at the text's end, undefined where the budget ran out. */
type Beyond = Y.Item | null | undefined

/**
 * A shared text as it will be once the update is applied. Every read of a
 * live piece takes at most WINDOW units of it, and the ranges the update
 * deletes are found by binary search.
 */
export class AppliedText {
  private stepsLeft = MAX_SKIPPED_PER_UPDATE
  /** Items a stretch's walk passed whole: the update deletes all of them it held live. Made at the first (a keystroke walks none). */
  private walked: Set<Y.Item> | undefined
  /** For each item a walk stepped onto that holds no live character, going each way: where that walk came out. Made at the first. */
  private beyond: Record<Way, Map<Y.Item, Beyond>> | undefined

  /**
   * The update's ranges touch none of their neighbours (validate-update.ts
   * refuses a frame whose ranges do, which no Yjs encoder writes), so a stretch
   * inside one item is one range, found by one search.
   */
  constructor(private readonly ds: DeleteSet) {}

  /** Whether a walk may take one more step (the update's budget). */
  step(): boolean {
    return this.stepsLeft-- > 0
  }

  /** The steps the walks took, at most the budget (a refused step takes none): what the sender is charged (walk-cost.ts). */
  stepsTaken(): number {
    return MAX_SKIPPED_PER_UPDATE - Math.max(0, this.stepsLeft)
  }

  /** Whether `item` lies inside a stretch already walked, from where the update deletes in it on. */
  walkedThrough(item: Y.Item): boolean {
    return this.walked?.has(item) ?? false
  }

  /** The characters of `item` from offset `from` to `to` the update leaves. */
  liveText(item: Y.Item, from: number, to: number): string {
    const whole = charactersOf(item)
    let live = ''
    for (let start = this.firstLive(item, from); start < to; ) {
      const end = Math.min(to, this.firstDeleted(item, start))
      live += whole.slice(start, end)
      start = this.firstLive(item, end)
    }
    return live
  }

  /**
   * The marks of the run through `edge` of `item`: going left, those that end
   * just before it; going right, those that start at it. Each walk stops at a
   * character that is not a mark or once the run passes the bound; UNKNOWN
   * where the budget runs out first.
   */
  marks(item: Y.Item, edge: number, way: Way): number {
    return this.run(item, edge, way).count
  }

  /**
   * The marks that end just before `edge` of `item`, and the character they
   * are on (the last unit of it): the run's base, which names the run for
   * every place in it. Null at the text's start; unknown where the run passes
   * the bound or the budget runs out before the base.
   */
  runBefore(item: Y.Item, edge: number): { count: number; base: Position | null | 'unknown' } {
    const { count, stop } = this.run(item, edge, 'left')
    if (stop === null || stop === 'unknown') return { count, base: stop }
    return { count, base: { item: stop.item, offset: stop.end - unitsOfLast(stop.read, stop.marks) - 1 } }
  }

  /**
   * marks() with where its walk stopped: the piece read last, which holds the
   * character that ends the run, and how many code points of marks at its end
   * (going `way`) the run took from it; null at the text's end that way, unknown where
   * the run passes the bound or the budget runs out.
   */
  private run(item: Y.Item, edge: number, way: Way): { count: number; stop: RunStop | null | 'unknown' } {
    let count = 0
    let at = item
    let from = edge
    while (count <= MAX_MARK_RUN) {
      const piece = this.livePiece(at, from, way)
      if (piece === null) {
        const next = this.liveBeyond(beside(at, way), way)
        if (next === undefined) return { count: UNKNOWN, stop: 'unknown' }
        if (next === null) return { count, stop: null }
        at = next
        from = way === 'left' ? next.length : 0
        continue
      }
      const read = charactersOf(at).slice(piece.start, piece.end)
      const { leading, trailing, onlyMarks } = markRunEnds(read)
      const marks = way === 'left' ? trailing : leading
      count += marks
      if (!onlyMarks) return { count, stop: { item: at, read, end: piece.end, marks } }
      from = way === 'left' ? piece.start : piece.end
    }
    return { count, stop: 'unknown' }
  }

  /** The live character at or before `offset` of `item`; null at the text's start. */
  liveAtOrBefore(item: Y.Item, offset: number): Position | null | 'unknown' {
    const here = this.livePiece(item, offset + 1, 'left')
    if (here !== null) return { item, offset: here.end - 1 }
    const at = this.liveBeyond(beside(item, 'left'), 'left')
    if (at === undefined) return 'unknown'
    return at && { item: at, offset: this.livePiece(at, at.length, 'left')!.end - 1 }
  }

  /**
   * The stretch the update deletes that holds `offset` of `item`, walked out
   * to the live characters on both sides: whether it removes anything but
   * marks, and where it ends on each side (the last live character before
   * it and the first after it; null at the text's start or end, unknown once
   * the update's budget of steps is spent). The two sides are walked a step
   * each in turn, so that a side a few steps long is read even where the
   * other spends the budget: walked one after the other, 34,000 characters
   * typed backwards and deleted before a colleague's words left the one
   * deleted character after them unread, and their deletion was refused as
   * joining two runs of unknown length. Every item it covers whole but
   * `item` is marked walked, so that no walk starts from them again.
   */
  stretchAt(item: Y.Item, offset: number): { removesNonMark: boolean; start: Position | null | 'unknown'; end: Position | null | 'unknown' } {
    const walks = { left: this.stretchEnd(item, offset, 'left'), right: this.stretchEnd(item, offset, 'right') }
    let [left, right] = [walks.left.next(), walks.right.next()]
    while (!left.done || !right.done) {
      if (!left.done) left = walks.left.next(this.step())
      if (!right.done) right = walks.right.next(this.step())
    }
    // The loop ends with both walks done (its condition narrows them so): each value is where its side ends.
    const [start, end] = [left.value, right.value]
    return { removesNonMark: start.removesNonMark || end.removesNonMark, start: start.end, end: end.end }
  }

  /** One side of stretchAt: from `edge` of `item` on, going `way`; it yields for each step it would take, and is told whether it may. */
  private *stretchEnd(item: Y.Item, edge: number, way: Way): Generator<void, StretchEnd, boolean> {
    let removesNonMark = false
    let at: Y.Item | null = item
    let from = edge
    while (at !== null) {
      if (charactersOf(at) !== '' && !at.deleted) {
        const live = this.livePiece(at, from, way)
        const [start, end] = way === 'right' ? [from, live?.start ?? at.length] : [live?.end ?? 0, from]
        removesNonMark ||= !markRunEnds(this.deletedText(at, start, end)).onlyMarks
        if (live !== null) return { removesNonMark, end: { item: at, offset: way === 'right' ? live.start : live.end - 1 } }
      } else if (!(yield)) {
        return { removesNonMark, end: 'unknown' }
      }
      // Passed whole: the item the walk started at is the caller's, and may hold another stretch.
      if (at !== item) (this.walked ??= new Set()).add(at)
      at = beside(at, way)
      from = at === null || way === 'right' ? 0 : at.length
    }
    return { removesNonMark, end: null }
  }

  /**
   * The first item from `from` on, going `way`, that holds a live character:
   * each item without one a step, each stretch of them walked once from
   * where a walk stepped onto it.
   */
  private liveBeyond(from: Y.Item | null, way: Way): Beyond {
    if (from === null || this.holdsLive(from)) return from
    const known = (this.beyond ??= { left: new Map(), right: new Map() })[way]
    if (!known.has(from)) {
      let at: Beyond = from
      while (at && !this.holdsLive(at)) at = this.step() ? beside(at, way) : undefined
      known.set(from, at)
    }
    return known.get(from)
  }

  private holdsLive(item: Y.Item): boolean {
    return !item.deleted && charactersOf(item) !== '' && this.firstLive(item, 0) < item.length
  }

  /** The live piece of `item` next to `edge` going `way` (before it left, from it on right), at most WINDOW units of it; null where there is none. */
  private livePiece(item: Y.Item, edge: number, way: Way): { start: number; end: number } | null {
    if (item.deleted || charactersOf(item) === '') return null
    if (way === 'right') {
      const first = this.firstLive(item, edge)
      return first >= item.length ? null : { start: first, end: Math.min(this.firstDeleted(item, first), first + WINDOW) }
    }
    // A range that holds the unit before `edge` ends the piece before its start: the range before it cannot touch it.
    const covering = this.rangeTo(item, edge - 1)
    const last = covering !== null && covering.clock + covering.len > item.id.clock + edge - 1 ? covering.clock - item.id.clock - 1 : edge - 1
    if (last < 0) return null
    const range = this.rangeTo(item, last)
    const pieceStart = range === null ? 0 : Math.max(0, range.clock + range.len - item.id.clock)
    return { start: Math.max(pieceStart, last + 1 - WINDOW), end: last + 1 }
  }

  /**
   * The characters of `item` from `from` to `to`, all of which the update
   * deletes (a stretch's side within one item): one range holds them, as the
   * update's ranges touch none of their neighbours.
   */
  private deletedText(item: Y.Item, from: number, to: number): string {
    if (from >= to) return ''
    const range = this.rangeFrom(item, from)!
    return charactersOf(item).slice(from, Math.min(to, range.clock + range.len - item.id.clock))
  }

  /** The first offset of `item` at or after `offset` the update leaves (its length where none). */
  private firstLive(item: Y.Item, offset: number): number {
    // Past a range that holds `offset`, the next range starts after a live unit: the ranges touch none of their neighbours.
    const range = this.rangeFrom(item, offset)
    const at = range !== null && range.clock <= item.id.clock + offset ? range.clock + range.len - item.id.clock : offset
    return Math.min(at, item.length)
  }

  /** The first offset of `item` at or after `offset` the update deletes (its length where none). */
  private firstDeleted(item: Y.Item, offset: number): number {
    const range = this.rangeFrom(item, offset)
    return range === null ? item.length : Math.min(item.length, Math.max(offset, range.clock - item.id.clock))
  }

  /** The first range the update deletes of `item`'s client that ends after `offset` of it, or null. */
  private rangeFrom(item: Y.Item, offset: number): { clock: number; len: number } | null {
    const ranges = this.ds.clients.get(item.id.client) ?? []
    return ranges[firstPast(ranges, item.id.clock + offset, 'end')] ?? null
  }

  /** The last range the update deletes of `item`'s client that starts at or before `offset` of it, or null. */
  private rangeTo(item: Y.Item, offset: number): { clock: number; len: number } | null {
    const ranges = this.ds.clients.get(item.id.client) ?? []
    return ranges[firstPast(ranges, item.id.clock + offset, 'start') - 1] ?? null
  }
}

/** The index of the first of sorted, disjoint `ranges` whose start (or end) lies past `clock`: a binary search. */
function firstPast(ranges: readonly { clock: number; len: number }[], clock: number, edge: 'start' | 'end'): number {
  let [low, high] = [0, ranges.length]
  while (low < high) {
    const middle = (low + high) >>> 1
    const range = ranges[middle]!
    if ((edge === 'end' ? range.clock + range.len : range.clock) <= clock) low = middle + 1
    else high = middle
  }
  return low
}

/** The characters an item holds in a text: its string, one that carries no mark for each unit of an embed or type, none for formatting or deleted content. */
export function charactersOf(item: Y.Item): string {
  if (item.content instanceof Y.ContentString) return item.content.str
  return item.countable && !(item.content instanceof Y.ContentDeleted) ? NOT_TEXT.repeat(item.length) : ''
}

/** How many UTF-16 units the last `codePoints` code points of `text` take. */
function unitsOfLast(text: string, codePoints: number): number {
  return codePoints === 0 ? 0 : [...text].slice(-codePoints).join('').length
}

function beside(item: Y.Item, way: Way): Y.Item | null {
  const next = way === 'left' ? item.left : item.right
  return next instanceof Y.Item ? next : null
}
