/**
 * Who changed what, recorded straight into storage as compaction records it:
 * the rows after the board's checkpoint folded into a new one, with the given
 * changes, each carrying the last row's number (so only their ids order them).
 */
import * as Y from 'yjs'
import type { AssessmentChangeRecord, Storage } from '../../server/storage/storage.ts'

export type RecordedChange = Omit<AssessmentChangeRecord, 'seq'>

export async function recordChanges(storage: Pick<Storage, 'log'>, boardId: string, changes: readonly RecordedChange[]): Promise<void> {
  // A row of its own to fold, again if the relay's own compaction folds it first.
  for (let attempt = 0; attempt < 3; attempt++) {
    await storage.log.append(boardId, [{ update: EMPTY_UPDATE, origin: 'server' }])
    const compacted = await storage.log.compact(boardId, (checkpoint, rows) => ({
      state: Y.mergeUpdates([...(checkpoint ? [checkpoint] : []), ...rows.map((row) => row.update)]),
      changes: changes.map((change) => ({ ...change, seq: rows.at(-1)!.seq })),
    }))
    if (compacted.mergedRows > 0) return
  }
  throw new Error(`the changes of board ${boardId} could not be recorded: another compaction went first each time`)
}

const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc())

/** The change made at one turn. */
export type TurnChange = (turn: number) => { assessmentId: string; field: string; from: unknown; to: unknown }

/**
 * `count` changes of assessment fields, two people taking turns (so that none
 * joins the one before it), a second apart from `start`.
 */
export function turnsOf(count: number, authors: readonly [string, string], start: number, change: TurnChange): RecordedChange[] {
  return Array.from({ length: count }, (_, turn) => {
    const { assessmentId, field, from, to } = change(turn)
    const at = new Date(start + turn * 1000).toISOString()
    return { assessmentId, field, fromValue: JSON.stringify(from), toValue: JSON.stringify(to), author: authors[turn % 2]!, firstAt: at, at }
  })
}
