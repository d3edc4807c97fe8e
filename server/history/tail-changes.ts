/**
 * Who changed what in the rows after a board's latest checkpoint, worked out
 * in a worker thread once for each state of those rows. Everyone with a card's
 * history open reads it again a moment after the card changes, and each
 * working-out rebuilds the whole checkpoint first (about 60 ms of CPU on a
 * board of 100 assessments, 450 on one of 1,000): a team watching a card being
 * typed asked for as many as there were of them, for the same rows.
 *
 * The rows after a checkpoint are only ever added to, so the checkpoint, how
 * many rows follow it and the last one's number name their state (a row that
 * commits late on PostgreSQL, under the last number read, still changes the
 * count). A working-out that fails is not kept.
 */
import type { Storage } from '../storage/storage.ts'
import type { JobOutput } from '../workers/jobs.ts'
import type { WorkerPool } from '../workers/worker-pool.ts'

type Changes = JobOutput<'attribute-rows'>
type Tail = Awaited<ReturnType<Storage['history']['tail']>>

/** Boards whose latest working-out is kept; the longest unasked goes first. */
const BOARDS_KEPT = 64

export class TailChanges {
  private readonly latest = new Map<string, { state: string; changes: Promise<Changes> }>()

  constructor(private readonly workers: Pick<WorkerPool, 'run'>) {}

  /** The changes in `tail`, the board's rows after its latest checkpoint as just read. */
  of(boardId: string, tail: Tail): Promise<Changes> {
    if (tail.rows.length === 0) return Promise.resolve([])
    const state = `${tail.throughSeq}:${tail.rows.length}:${tail.rows.at(-1)!.seq}`
    const kept = this.latest.get(boardId)
    this.latest.delete(boardId)
    if (kept?.state === state) {
      this.latest.set(boardId, kept)
      return kept.changes
    }
    const changes = this.workers.run('attribute-rows', { checkpoint: tail.checkpoint, rows: tail.rows })
    const entry = { state, changes }
    this.latest.set(boardId, entry)
    if (this.latest.size > BOARDS_KEPT) this.latest.delete(this.latest.keys().next().value!)
    changes.catch(() => {
      if (this.latest.get(boardId) === entry) this.latest.delete(boardId)
    })
    return changes
  }
}
