/**
 * How a job can fail, and how a job's own error crosses back from its thread.
 * A refusal names the job and says, for the person who asked, what to do.
 */
import { BoardError } from '../../shared/board-doc.ts'
import { ImportError, type ImportErrorKind } from '../../shared/import/import-error.ts'
import { BriefingTooLarge } from '../export/briefing-size.ts'
import { BoardDamaged, type DamagedAt } from '../relay/damaged-board.ts'
import { isStackOverflow } from '../../shared/stack-overflow.ts'
import type { JobName } from './jobs.ts'
import { storageTroubleOf } from '../storage/storage-errors.ts'

/** The name a storage failure in a thread is sent back under. */
const STORAGE_TROUBLE = 'StorageTrouble'

/**
 * - `busy`: too many jobs already wait, or none of the threads was free in the time its caller gave it; nothing was started.
 * - `too-many-own`: the person asking already has as many jobs running or waiting as one may; nothing was started.
 * - `worker-time-spent`: the person asking has spent the worker time they may for now (WORKER_SECONDS_PER_HOUR_PER_PERSON); nothing was started.
 * - `over-time`: the job ran past its time budget; its thread was stopped.
 * - `overran-before`: the same work (the same version of the same board, asked for the same way) ran past its time budget before; nothing was started.
 * - `cancelled`: nobody waits for the job's answer any more (the request's client has gone); it was dropped from the queue, or its thread stopped.
 * - `out-of-memory`: the job needed more than a thread's memory limit; its thread died.
 * - `stack-overflow`: the job's input nested deeper than the thread's stack could follow; the thread carries on.
 * - `failed`: the thread died for another reason, or could not start.
 * - `closed`: the server is shutting down.
 */
export type JobRefusal =
  | 'busy'
  | 'too-many-own'
  | 'worker-time-spent'
  | 'over-time'
  | 'overran-before'
  | 'out-of-memory'
  | 'stack-overflow'
  | 'failed'
  | 'cancelled'
  | 'closed'

export class WorkerJobError extends Error {
  constructor(
    readonly refusal: JobRefusal,
    readonly job: JobName,
    message: string,
    /** When to ask again, where it depends on the refusal (the worker time a person has to wait for). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
    this.name = 'WorkerJobError'
  }
}

/** What each job is called in a message, and the setting that bounds its time. */
const JOB_WORDS: Record<JobName, { task: string; advice: string; budgetSetting: string }> = {
  'capture-board': {
    task: 'Reading the board',
    advice: 'The board is larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'read-board': {
    task: 'Reading the board',
    advice: 'The board is larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'read-snapshot': {
    task: 'Reading the snapshot',
    advice: 'The snapshot is larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'snapshot-model-json': {
    task: 'Reading the snapshot',
    advice: 'The snapshot is larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'restore-snapshot': {
    task: 'The restore',
    advice: 'The board and the snapshot are larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'merge-state': {
    task: "Compacting the board's history",
    advice: 'It is tried again after the next edits.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'attribute-rows': {
    task: "Reading who changed the board's assessments",
    advice: 'The board is larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'lacking-updates': {
    task: 'Catching the board up from its history',
    advice: 'It is tried again shortly.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'check-update': {
    task: 'Checking the update',
    advice: 'Send the change in smaller parts.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'read-past-log': {
    task: "Reading the board's history",
    advice: 'The board is larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'board-as-of': {
    task: 'Rebuilding the board as it was',
    advice: 'The board is larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'diff-versions': {
    task: 'The comparison',
    advice: 'Compare versions that are closer together.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS and DIFF_TIME_BUDGET_MS',
  },
  'check-version': {
    task: 'Checking the version',
    advice: 'The board is larger than this server is set to handle in one step.',
    budgetSetting: 'BOARD_STATE_TIME_BUDGET_MS',
  },
  'export-board': {
    task: 'The export',
    advice: 'Try Markdown or HTML, which take far less work than PDF or DOCX, or export a version with fewer items.',
    budgetSetting: 'EXPORT_TIME_BUDGET_MS',
  },
  // Reading and parsing the document is the import's first step, as the person sees it.
  'parse-document': {
    task: 'The import',
    advice: 'Split the document into smaller ones and import each.',
    budgetSetting: 'IMPORT_TIME_BUDGET_MS',
  },
  'import-document': {
    task: 'The import',
    advice: 'Split the document into smaller ones and import each.',
    budgetSetting: 'IMPORT_TIME_BUDGET_MS',
  },
}

export function overTimeError(job: JobName, budgetMs: number): WorkerJobError {
  const { task, advice, budgetSetting } = JOB_WORDS[job]
  return new WorkerJobError(
    'over-time',
    job,
    `${task} took longer than ${seconds(budgetMs)} and was stopped. ${advice} (An operator can raise ${budgetSetting}.)`,
  )
}

/** The same work overran before, and what it computes has not changed since: not started again, for the same answer. */
export function overranBeforeError(job: JobName, budgetMs: number): WorkerJobError {
  const { task, advice, budgetSetting } = JOB_WORDS[job]
  return new WorkerJobError(
    'overran-before',
    job,
    `${task} took longer than ${seconds(budgetMs)} when it was last asked for, and nothing it reads has changed since, so it was not started again. ${advice} (An operator can raise ${budgetSetting}.)`,
  )
}

export function outOfMemoryError(job: JobName, memoryMb: number): WorkerJobError {
  const { task, advice } = JOB_WORDS[job]
  return new WorkerJobError(
    'out-of-memory',
    job,
    `${task} needed more than the ${memoryMb} MB of memory one task may use and was stopped. ${advice} (An operator can raise WORKER_MEMORY_MB.)`,
  )
}

/**
 * A job whose recursion ran out of stack: the input is what was too deep
 * (inputs are bounded before they are read, so this is one a bound missed),
 * and sending it again will not help.
 */
export function stackOverflowError(job: JobName): WorkerJobError {
  const { task, advice } = JOB_WORDS[job]
  return new WorkerJobError('stack-overflow', job, `${task} was stopped: what it reads nests deeper than this server can follow. ${advice}`)
}

export function busyError(job: JobName, waiting: number): WorkerJobError {
  return new WorkerJobError(
    'busy',
    job,
    `The server is busy: ${waiting} long tasks (exports, imports, comparisons) are already waiting. Try again in a few seconds.`,
  )
}

/** No thread was free within the time the caller gave the job (JobOptions.startWithinMs): it was taken out of the queue, never to start. */
export function notStartedError(job: JobName, withinMs: number): WorkerJobError {
  return new WorkerJobError('busy', job, `${JOB_WORDS[job].task} was not started: no worker thread was free within ${seconds(withinMs)}.`)
}

export function tooManyOwnError(job: JobName, limit: number): WorkerJobError {
  return new WorkerJobError(
    'too-many-own',
    job,
    `You already have ${limit} long tasks (exports, imports, comparisons, snapshots) running or waiting on this server. Try again once one has finished.`,
  )
}

export function workerTimeSpentError(job: JobName, perHourSeconds: number, retryAfterSeconds: number): WorkerJobError {
  return new WorkerJobError(
    'worker-time-spent',
    job,
    `You have used the ${perHourSeconds} s an hour of this server's worker time one person may (exports, imports, comparisons, board reads, snapshots), so ${JOB_WORDS[job].task.toLowerCase()} was not started. Try again in ${retryAfterSeconds} s. (An operator can raise WORKER_SECONDS_PER_HOUR_PER_PERSON.)`,
    retryAfterSeconds,
  )
}

export function cancelledError(job: JobName): WorkerJobError {
  return new WorkerJobError('cancelled', job, `${JOB_WORDS[job].task} was stopped: nobody waits for its answer any more.`)
}

export function threadFailedError(job: JobName, cause: string): WorkerJobError {
  return new WorkerJobError('failed', job, `${JOB_WORDS[job].task} failed because its worker thread stopped (${cause}). Try again.`)
}

export function closedError(job: JobName): WorkerJobError {
  return new WorkerJobError('closed', job, `${JOB_WORDS[job].task} was not done: the server is shutting down. Try again in a moment.`)
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`
}

/** A job's own error as it crosses back from the thread: refusals the API maps to a status keep their kind. */
export type EncodedJobError = { name: string; message: string; stack?: string | undefined; kind?: string }

export function encodeJobError(error: unknown): EncodedJobError {
  if (error instanceof ImportError || error instanceof BoardError) return { name: error.name, message: error.message, kind: error.kind }
  // The reason as its message, where it was damaged as its kind.
  if (error instanceof BoardDamaged) return { name: error.name, message: error.reason, kind: JSON.stringify(error.at) }
  // A database a job reads with its own connection (past-log-job.ts) unreachable or refusing: the code that says so as its kind.
  const trouble = storageTroubleOf(error)
  if (error instanceof Error && trouble) return { name: STORAGE_TROUBLE, message: error.message, kind: trouble.code }
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack }
  return { name: 'Error', message: String(error) }
}

export function decodeJobError(encoded: EncodedJobError, job: JobName): Error {
  if (isStackOverflow(encoded)) return stackOverflowError(job)
  if (encoded.name === 'ImportError' && encoded.kind) return new ImportError(encoded.kind as ImportErrorKind, encoded.message)
  if (encoded.name === 'BoardError' && encoded.kind) return new BoardError(encoded.kind as BoardError['kind'], encoded.message)
  if (encoded.name === 'BriefingTooLarge') return new BriefingTooLarge(encoded.message)
  if (encoded.name === 'BoardDamaged' && encoded.kind) return new BoardDamaged(JSON.parse(encoded.kind) as DamagedAt, encoded.message)
  // Answered as the relay's own storage trouble is (503), not as a failed job.
  if (encoded.name === STORAGE_TROUBLE && encoded.kind) return Object.assign(new Error(encoded.message), { code: encoded.kind })
  const error = new Error(encoded.message)
  if (encoded.stack) error.stack = encoded.stack
  return error
}
