/**
 * Who changed which assessment field, as the API lists it: what compaction
 * recorded and what the rows since the latest checkpoint show, newest first,
 * held to what one listing holds (newest-changes.ts). Each value stays the
 * JSON text stored, and each author the origin of their rows: the answer is
 * encoded, and its authors named, where it is sent (http/change-listing-read.ts).
 */
import { EDIT_SESSION_GAP_MS, LIST_FIELDS } from '../../shared/history-model.ts'
import { isListExcerpt, joinedListChanges, listChange, listExcerpts, type ListChange } from '../../shared/list-excerpt.ts'
import type { Services } from '../services.ts'
import type { AssessmentChangeRecord, ChangeFilter, HistoryStore, StoredChange } from '../storage/storage.ts'
import { personOf } from './authors.ts'
import { MAX_LISTED_VALUE_CHARS, valueChars, valueCharsOf } from './newest-changes.ts'

/** Recorded changes read in one turn of the event loop: on SQLite, up to some 8 MB of values of the longest judgments, a few milliseconds. */
const CHANGES_PER_PAGE = 100
/** The newest changes asked for, oldest first; `complete` is false when older ones that match were left out (past `limit` or the characters a listing holds). */
export type ChangeListing = { changes: AssessmentChangeRecord[]; complete: boolean }

/**
 * Who changed which assessment field: what compaction recorded, and what the
 * rows since the latest checkpoint show (tail-changes.ts). The recorded changes
 * are read up to the checkpoint the newest rows start from, so a compaction
 * in between can neither hide a change nor count it twice.
 */
export async function readAssessmentChanges(services: Pick<Services, 'storage' | 'tailChanges'>, boardId: string, filter: Omit<ChangeFilter, 'throughSeq' | 'before'>): Promise<ChangeListing> {
  const recent = await services.tailChanges.of(boardId)
  const inRange = recent.changes.filter(
    (change) =>
      (filter.assessmentId === undefined || change.assessmentId === filter.assessmentId) &&
      (filter.from === undefined || change.at > filter.from) &&
      (filter.to === undefined || change.at <= filter.to),
  )
  // Past what a listing holds, the newest rows' oldest changes were left out: nothing older is listed then, or it would follow a gap.
  const recorded = recent.complete
    ? await readRecorded(services.storage.history, boardId, { ...filter, throughSeq: recent.throughSeq }, MAX_LISTED_VALUE_CHARS - valueCharsOf(inRange))
    : { changes: [], complete: false }
  // Joining changes never adds to their values' characters: what was read fits a listing, and only `limit` is left to apply.
  const coalesced = coalesce([...recorded.changes, ...inRange])
  const changes = coalesced.slice(-filter.limit)
  return { changes, complete: recorded.complete && changes.length === coalesced.length }
}

/**
 * The newest recorded changes that match, oldest first: `limit` of them, or
 * fewer when their values pass `maxChars`. Read a page at a time, newest
 * first, the relay's work going on between pages.
 */
async function readRecorded(history: HistoryStore, boardId: string, filter: ChangeFilter, maxChars: number): Promise<{ changes: StoredChange[]; complete: boolean }> {
  const newestFirst: StoredChange[] = []
  let chars = 0
  const olderThanRead = (limit: number) => {
    const oldest = newestFirst.at(-1)
    return history.changes(boardId, { ...filter, limit, ...(oldest && { before: { seq: oldest.seq, id: oldest.id } }) })
  }
  for (;;) {
    const wanted = Math.min(CHANGES_PER_PAGE, filter.limit - newestFirst.length)
    const page = await olderThanRead(wanted)
    for (const change of page) {
      chars += valueChars(change)
      if (chars > maxChars) return { changes: newestFirst.reverse(), complete: false }
      newestFirst.push(change)
    }
    if (newestFirst.length === filter.limit) {
      const complete = (await olderThanRead(1)).length === 0
      return { changes: newestFirst.reverse(), complete }
    }
    if (page.length < wanted) return { changes: newestFirst.reverse(), complete: true }
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/**
 * Joins a person's change of a field to their previous change of it when no
 * one else changed it in between and it came within a few minutes: the same
 * rule compaction applies within its rows, carried across compactions. A long
 * text's two sides may then be excerpts of different windows
 * (shared/text-excerpt.ts): each is still a true part of the value then.
 * A list's two changes, each the items it added and removed
 * (shared/list-excerpt.ts), are joined into the items the two added and removed;
 * a reordering is not joined to such a change, which could not say it.
 */
function coalesce(changes: readonly AssessmentChangeRecord[]): AssessmentChangeRecord[] {
  const result: AssessmentChangeRecord[] = []
  const last = new Map<string, AssessmentChangeRecord>()
  for (const change of [...changes].sort((a, b) => a.seq - b.seq)) {
    const key = `${change.assessmentId}\u0000${change.field}`
    const previous = last.get(key)
    // A card's creation and deletion are never joined (fold-log.ts), across compactions neither.
    const joinable = previous && change.field !== 'card' && personOf(previous.author) === personOf(change.author)
    const joined = joinable && Date.parse(change.firstAt) - Date.parse(previous.at) <= EDIT_SESSION_GAP_MS ? joinedValues(previous, change) : null
    if (previous && joined) {
      Object.assign(previous, joined)
      previous.at = change.at
      previous.seq = change.seq
      continue
    }
    const copy = { ...change }
    result.push(copy)
    last.set(key, copy)
  }
  return result.filter((change) => change.fromValue !== change.toValue)
}

/**
 * The values before the first of two changes of a field and after the second, as one change records them; null when
 * one change cannot say what the two did: a list reordered, recorded whole, and one recorded as the items it added
 * and removed, which hold no order (the join said only "added X"), are listed as the two changes they are.
 */
function joinedValues(first: AssessmentChangeRecord, second: AssessmentChangeRecord): Pick<AssessmentChangeRecord, 'fromValue' | 'toValue'> | null {
  const whole = { fromValue: first.fromValue, toValue: second.toValue }
  if (!LIST_FIELDS.has(first.field)) return whole
  const values = [first.fromValue, first.toValue, second.fromValue, second.toValue].map((value) => JSON.parse(value) as unknown)
  // Two changes recorded whole (before the short form, or reorderings) join as texts do.
  if (values.every((value) => !isListExcerpt(value))) return whole
  const earlier = listChange(values[0], values[1])
  const later = listChange(values[2], values[3])
  if (!earlier || !later) return whole
  if (reordered(first, earlier) || reordered(second, later)) return null
  const { from, to } = listExcerpts(joinedListChanges(earlier, later))
  return { fromValue: JSON.stringify(from), toValue: JSON.stringify(to) }
}

/** Whether `change`, whose items added and removed are `items`, reordered its list: recorded whole, two lists, it changed, yet added and removed nothing. */
function reordered(change: AssessmentChangeRecord, items: ListChange): boolean {
  const wholeLists = change.fromValue.startsWith('[') && change.toValue.startsWith('[')
  return wholeLists && change.fromValue !== change.toValue && items.added.length === 0 && items.removed.length === 0
}
