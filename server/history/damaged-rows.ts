/**
 * Which log rows of a board to set aside so that it loads again: each row
 * Yjs cannot apply on top of the checkpoint and the rows kept before it.
 * Found one at a time, the state rebuilt afresh without the rows set aside so
 * far: a row that fails may have applied part of itself before it failed, and
 * a later row may only have failed on that part.
 */
import * as Y from 'yjs'
import { BoardDamaged } from '../relay/damaged-board.ts'
import { applyStoredState } from '../relay/merge-state.ts'
import type { LogRow } from '../storage/storage.ts'

export type DamagedRows = {
  setAside: { row: LogRow; reason: string }[]
  /** Rows kept that wait for content only the rows set aside held: Yjs keeps them pending, unseen, until that content comes back. */
  keptRowsWait: boolean
}

/** Throws BoardDamaged when the checkpoint itself cannot be applied: no row set aside would mend that. */
export function damagedRows(checkpoint: Uint8Array | null, rows: readonly LogRow[]): DamagedRows {
  const setAside: DamagedRows['setAside'] = []
  let kept = [...rows]
  for (;;) {
    const doc = new Y.Doc()
    try {
      applyStoredState(doc, { checkpoint, updates: kept.map((row) => row.update), rowSeqs: kept.map((row) => row.seq) })
      return { setAside, keptRowsWait: doc.store.pendingStructs !== null || doc.store.pendingDs !== null }
    } catch (error) {
      if (!(error instanceof BoardDamaged)) throw error
      const failed = kept.find((row) => row.seq === error.at)
      // The checkpoint: setting rows aside cannot mend it.
      if (!failed) throw error
      setAside.push({ row: failed, reason: error.reason })
      kept = kept.filter((row) => row !== failed)
    } finally {
      doc.destroy()
    }
  }
}
