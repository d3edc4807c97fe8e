/**
 * The work the pool's threads do, by name. Each job takes one input and gives
 * one output, both structured-cloneable (plain data, Uint8Arrays, Maps). This
 * module runs inside the worker threads; the main thread imports its types only.
 */
import { exportStoredVersion } from '../export/stored-version.ts'
import { checkStoredVersion } from '../export/version-checks.ts'
import { importOnStoredBoard } from '../import/import-job.ts'
import { boardAsOf } from '../history/board-as-of.ts'
import { changesOfRows, foldLog } from '../history/fold-log.ts'
import type { LogRow } from '../storage/storage.ts'
import { captureLog, readBoardState, type StoredLog } from '../snapshots/board-state.ts'
import { diffSides } from '../snapshots/diff-job.ts'

export const JOBS = {
  /** A board's stored log as one state and its content hash: snapshot capture. */
  'capture-board': ({ boardId, log }: { boardId: string; log: StoredLog }) => captureLog(boardId, log),
  /** A snapshot's state as its model, document texts and extras: the snapshot API and restore. */
  'read-snapshot': ({ boardId, state }: { boardId: string; state: Uint8Array }) => readBoardState(state, boardId),
  /** Compaction: a checkpoint and the log rows after it folded into one state, with who changed which assessment field. */
  'merge-state': ({ checkpoint, rows }: { checkpoint: Uint8Array | null; rows: LogRow[] }) => foldLog(checkpoint, rows),
  /** Who changed which assessment field in the rows not yet compacted. */
  'attribute-rows': ({ checkpoint, rows }: { checkpoint: Uint8Array | null; rows: LogRow[] }) => changesOfRows(checkpoint, rows),
  /** The board as it was at a past time: its state, model and content hash. */
  'board-as-of': boardAsOf,
  /** Two versions compared, as the diff API's JSON body. */
  'diff-versions': diffSides,
  /** A version's analytic checks, as the checks API sends them. */
  'check-version': checkStoredVersion,
  /** A version rendered as a briefing or bundle. */
  'export-board': exportStoredVersion,
  /** A document parsed and imported into (or previewed on) the stored board, as the update to apply. */
  'import-document': importOnStoredBoard,
}

export type Jobs = typeof JOBS
export type JobName = keyof Jobs
export type JobInput<K extends JobName> = Parameters<Jobs[K]>[0]
export type JobOutput<K extends JobName> = Awaited<ReturnType<Jobs[K]>>
