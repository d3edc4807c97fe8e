/**
 * This person's typing and pastes in a shared text field, held to the field's
 * rules; changes from others arrive as they are. Text no document can carry
 * (control characters, noncharacters) is dropped by the rule the server
 * applies, which refuses an update holding it.
 *
 * A change always replaces whole characters. CodeMirror works out what was
 * typed by comparing the page's text with its own unit by unit, so selecting
 * "😀" and typing "😁" (which share their first UTF-16 unit) came as "replace
 * the second unit": the rule cleaned that lone half into U+FFFD, and Yjs, given
 * the same positions, split the pair; the text was stored as "\uFFFD\uFFFD".
 *
 * A change that would give a character more than MAX_MARK_RUN combining marks,
 * with those beside it (typed, or joined by deleting what stood between two
 * runs), is not made, as one past the field's length is not:
 * the relay refuses it and closes the page's connection.
 */
import { EditorState, Transaction, type Extension, type Text, type TransactionSpec } from '@codemirror/state'
import { ySyncAnnotation } from 'y-codemirror.next'
import { cleanText, joinedMarkRun, markRunEnds, MAX_MARK_RUN } from '../../../shared/text-hygiene.ts'

export function fieldRules(max: number, oneLine: boolean): Extension {
  const tidy = (typed: string) => {
    const clean = cleanText(typed)
    return oneLine ? clean.replace(/\s*\n+\s*/g, ' ') : clean
  }
  return EditorState.transactionFilter.of((tr) => {
    if (!tr.docChanged || tr.annotation(ySyncAnnotation)) return tr
    const before = tr.startState.doc
    const changes: { from: number; to: number; insert: string }[] = []
    let shift = 0
    let cursor = 0
    let rewritten = false
    tr.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
      const typed = inserted.toString()
      const change = wholeCharacters(before, fromA, toA, typed)
      const insert = tidy(change.insert)
      if (insert !== typed || change.from !== fromA || change.to !== toA) rewritten = true
      changes.push({ from: change.from, to: change.to, insert })
      cursor = change.from + shift + insert.length
      shift += insert.length - (change.to - change.from)
    })
    const length = before.length + shift
    if (length > max && length > before.length) return []
    if (changes.some((change) => makesLongMarkRun(before, change))) return []
    if (!rewritten) return tr
    const userEvent = tr.annotation(Transaction.userEvent)
    const spec: TransactionSpec = { changes, selection: { anchor: cursor }, ...(userEvent ? { userEvent } : {}) }
    return spec
  })
}

/** Whether the change puts marks beside the field's own that make a run past the bound. */
function makesLongMarkRun(doc: Text, { from, to, insert }: { from: number; to: number; insert: string }): boolean {
  // Enough units either side for a run past the bound, each mark two units at most.
  const reach = 2 * (MAX_MARK_RUN + 1)
  const before = markRunEnds(doc.sliceString(Math.max(0, from - reach), from)).trailing
  const after = markRunEnds(doc.sliceString(to, to + reach)).leading
  // Deleting what stands between two runs joins them, as the relay refuses too (server/relay/mark-joins.ts); deleting only marks shortens the run it was in, and both let it through.
  if (insert === '') return before > 0 && after > 0 && before + after > MAX_MARK_RUN && !markRunEnds(doc.sliceString(from, to)).onlyMarks
  return joinedMarkRun(before, insert, after) > MAX_MARK_RUN
}

/**
 * The change widened to the whole characters it touches: a half of a surrogate
 * pair it would leave behind is kept when the typed text completes it again,
 * and replaced with its other half otherwise; an insertion between the halves
 * goes after the pair.
 */
function wholeCharacters(doc: Text, from: number, to: number, insert: string): { from: number; to: number; insert: string } {
  const unitAt = (index: number) => (index >= 0 && index < doc.length ? doc.sliceString(index, index + 1).charCodeAt(0) : 0)
  const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff
  const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff
  const splitsPair = (index: number) => isHigh(unitAt(index - 1)) && isLow(unitAt(index))
  if (from === to) return splitsPair(from) ? { from: from + 1, to: to + 1, insert } : { from, to, insert }
  if (splitsPair(from)) {
    if (isLow(insert.charCodeAt(0))) insert = doc.sliceString(from - 1, from) + insert
    from -= 1
  }
  if (splitsPair(to)) {
    if (isHigh(insert.charCodeAt(insert.length - 1))) insert += doc.sliceString(to, to + 1)
    to += 1
  }
  return { from, to, insert }
}
