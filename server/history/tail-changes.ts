/**
 * Who changed what in the rows after a board's latest checkpoint, worked out
 * in a worker thread once for each state of those rows. Everyone with a card's
 * history open reads it again a moment after the card changes, and each
 * working-out rebuilds the whole checkpoint first (about 80 ms of CPU on a
 * board of 100 assessments, 0.45 to 0.7 s on one of 1,000): a team watching a
 * card being typed asked for as many as there were of them, for the same rows,
 * and read the checkpoint from storage on the relay's thread as many times
 * (5 to 14 ms for the 3.8 MB of the board of 1,000).
 *
 * The rows after a checkpoint are only ever added to, so the checkpoint, how
 * many rows follow it and the last one's number name their state (a row that
 * commits late on PostgreSQL, under the last number read, still changes the
 * count); that name is read first, and the rows themselves only when it is
 * new. A working-out that fails is not kept.
 */
import type { Storage } from '../storage/storage.ts'
import type { JobOutput } from '../workers/jobs.ts'
import type { WorkerPool } from '../workers/worker-pool.ts'

/** The changes in the rows after the checkpoint at `throughSeq`. */
export type TailChangesAnswer = { throughSeq: number; changes: JobOutput<'attribute-rows'> }

/** Boards whose latest working-out is kept; the longest unasked goes first. */
const BOARDS_KEPT = 64

export class TailChanges {
  private readonly latest = new Map<string, { state: string; answer: Promise<TailChangesAnswer> }>()

  constructor(
    private readonly storage: Pick<Storage, 'history'>,
    private readonly workers: Pick<WorkerPool, 'run'>,
  ) {}

  /**
   * The changes since the board's latest checkpoint. Asked while the rows
   * grow, an answer may hold rows added after the state it was asked for:
   * the rows it names, never fewer.
   */
  async of(boardId: string): Promise<TailChangesAnswer> {
    const { throughSeq, rows, lastSeq } = await this.storage.history.tailState(boardId)
    const state = `${throughSeq}:${rows}:${lastSeq}`
    const kept = this.latest.get(boardId)
    this.latest.delete(boardId)
    if (kept?.state === state) {
      this.latest.set(boardId, kept)
      return kept.answer
    }
    const entry = { state, answer: this.workOut(boardId) }
    this.latest.set(boardId, entry)
    if (this.latest.size > BOARDS_KEPT) this.latest.delete(this.latest.keys().next().value!)
    entry.answer.catch(() => {
      if (this.latest.get(boardId) === entry) this.latest.delete(boardId)
    })
    return entry.answer
  }

  private async workOut(boardId: string): Promise<TailChangesAnswer> {
    const tail = await this.storage.history.tail(boardId)
    if (tail.rows.length === 0) return { throughSeq: tail.throughSeq, changes: [] }
    return { throughSeq: tail.throughSeq, changes: await this.workers.run('attribute-rows', { checkpoint: tail.checkpoint, rows: tail.rows }) }
  }
}
