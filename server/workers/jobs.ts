/**
 * The work the pool's threads do, by name. Each job takes one input and gives
 * one output, both structured-cloneable (plain data, Uint8Arrays, Maps). This
 * module runs inside the worker threads; the main thread imports its types only.
 *
 * Each job loads its code when a thread first runs it: a thread that only ever
 * compacts never loads the export, import and diff libraries, and starting one
 * (as the first compaction after a quiet spell does) costs what its jobs need.
 */
import type { exportStoredVersion } from '../export/stored-version.ts'
import type { checkStoredVersion } from '../export/version-checks.ts'
import type { importOnStoredBoard, parseDocument } from '../import/import-job.ts'
import type { boardAsOf } from '../history/board-as-of.ts'
import type { readPastLogInThread } from '../history/past-log-job.ts'
import type { LogRow } from '../storage/storage.ts'
import type { LackingJob } from '../relay/lacking-updates.ts'
import type { UpdateCheckJob } from '../relay/update-check-job.ts'
import type { StoredLog } from '../snapshots/board-state.ts'
import type { diffSides } from '../snapshots/diff-job.ts'
import type { restoreOnStoredBoard } from '../snapshots/restore-job.ts'

export const JOBS = {
  /** A board's stored log as one state and its content hash: snapshot capture. */
  'capture-board': async ({ boardId, log }: { boardId: string; log: StoredLog }) => (await import('../snapshots/board-state.ts')).captureLog(boardId, log),
  /** A board's stored log as its model, in JSON: a read of the live board. */
  'read-board': async ({ boardId, log }: { boardId: string; log: StoredLog }) => (await import('../snapshots/board-state.ts')).storedModelJson(boardId, log),
  /** A snapshot's state as its model, document texts and extras: the snapshot API and restore. */
  'read-snapshot': async ({ boardId, state }: { boardId: string; state: Uint8Array }) =>
    (await import('../snapshots/board-state.ts')).readBoardState(state, boardId),
  /** A snapshot's state as its model, in JSON: the snapshot API's answer, which the relay's thread only sends. */
  'snapshot-model-json': async ({ boardId, state }: { boardId: string; state: Uint8Array }) =>
    (await import('../snapshots/board-state.ts')).stateModelJson(boardId, state),
  /** A snapshot's content put onto the stored board: what it held, and the restore as the update to apply. */
  'restore-snapshot': async (job: Parameters<typeof restoreOnStoredBoard>[0]) => (await import('../snapshots/restore-job.ts')).restoreOnStoredBoard(job),
  /** Compaction: a checkpoint and the log rows after it folded into one state, with who changed which assessment field. */
  'merge-state': async ({ checkpoint, rows }: { checkpoint: Uint8Array | null; rows: LogRow[] }) =>
    (await import('../history/fold-log.ts')).foldLog(checkpoint, rows),
  /** What of a catch-up's read from the update log a room lacks, against its state vector: the relay applies only that. */
  'lacking-updates': async (job: LackingJob) => (await import('../relay/lacking-updates.ts')).lackingUpdates(job),
  /** A member's update dear to check, checked against the board as it stands: the relay applies it, or refuses it, by the verdict. */
  'check-update': async (job: UpdateCheckJob) => (await import('../relay/update-check-job.ts')).checkUpdate(job),
  /** Who changed which assessment field in the rows not yet compacted: the newest changes a listing holds. */
  'attribute-rows': async ({ checkpoint, rows }: { checkpoint: Uint8Array | null; rows: LogRow[] }) =>
    (await import('../history/fold-log.ts')).newestChangesOfRows(checkpoint, rows),
  /** The stored pieces of the board as it was at a past time, read from the SQLite file with the thread's own connection. */
  'read-past-log': async (job: Parameters<typeof readPastLogInThread>[0]) => (await import('../history/past-log-job.ts')).readPastLogInThread(job),
  /** The board as it was at a past time: its state, model and content hash. */
  'board-as-of': async (job: Parameters<typeof boardAsOf>[0]) => (await import('../history/board-as-of.ts')).boardAsOf(job),
  /** Two versions compared, as the diff API's JSON body. */
  'diff-versions': async (job: Parameters<typeof diffSides>[0]) => (await import('../snapshots/diff-job.ts')).diffSides(job),
  /** A version's analytic checks, as the checks API sends them. */
  'check-version': async (job: Parameters<typeof checkStoredVersion>[0]) => (await import('../export/version-checks.ts')).checkStoredVersion(job),
  /** A version rendered as a briefing or bundle. */
  'export-board': async (job: Parameters<typeof exportStoredVersion>[0]) => (await import('../export/stored-version.ts')).exportStoredVersion(job),
  /** A source document read and parsed, before its board is read: one that would import nothing costs no read. */
  'parse-document': async (job: Parameters<typeof parseDocument>[0]) => (await import('../import/import-job.ts')).parseDocument(job),
  /** A parsed document imported into (or previewed on) the stored board, as the update to apply. */
  'import-document': async (job: Parameters<typeof importOnStoredBoard>[0]) => (await import('../import/import-job.ts')).importOnStoredBoard(job),
}

export type Jobs = typeof JOBS
export type JobName = keyof Jobs
export type JobInput<K extends JobName> = Parameters<Jobs[K]>[0]
export type JobOutput<K extends JobName> = Awaited<ReturnType<Jobs[K]>>
