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
import { valueCharsOf } from './newest-changes.ts'

/** The newest changes in the rows after the checkpoint at `throughSeq`; `complete` is false when older ones were left out. */
export type TailChangesAnswer = { throughSeq: number } & JobOutput<'attribute-rows'>

/** Boards whose latest working-out is kept; the longest unasked goes first. */
const BOARDS_KEPT = 64
/**
 * Characters of values kept over all boards, past which the longest unasked
 * go too: each working-out holds up to a listing's worth (4 million), and
 * boards whose rows rewrite long judgments could otherwise keep 64 of those.
 */
const CHARS_KEPT = 16_000_000

type Entry = { state: string; answer: Promise<TailChangesAnswer>; chars: number }

export class TailChanges {
  private readonly latest = new Map<string, Entry>()
  private keptChars = 0

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
    if (kept?.state === state) {
      // Asked again: the last to go.
      this.latest.delete(boardId)
      this.latest.set(boardId, kept)
      return kept.answer
    }
    if (kept) this.forget(boardId)
    const entry: Entry = { state, answer: this.workOut(boardId), chars: 0 }
    this.latest.set(boardId, entry)
    entry.answer.then(
      (answer) => {
        if (this.latest.get(boardId) !== entry) return
        entry.chars = valueCharsOf(answer.changes)
        this.keptChars += entry.chars
        this.evict()
      },
      () => {
        if (this.latest.get(boardId) === entry) this.forget(boardId)
      },
    )
    this.evict()
    return entry.answer
  }

  /** Drops the longest unasked working-outs while more boards or characters are kept than allowed. */
  private evict(): void {
    while (this.latest.size > BOARDS_KEPT || (this.keptChars > CHARS_KEPT && this.latest.size > 0)) this.forget(this.latest.keys().next().value!)
  }

  private forget(boardId: string): void {
    this.keptChars -= this.latest.get(boardId)?.chars ?? 0
    this.latest.delete(boardId)
  }

  private async workOut(boardId: string): Promise<TailChangesAnswer> {
    const tail = await this.storage.history.tail(boardId)
    if (tail.rows.length === 0) return { throughSeq: tail.throughSeq, changes: [], complete: true }
    return { throughSeq: tail.throughSeq, ...(await this.workers.run('attribute-rows', { checkpoint: tail.checkpoint, rows: tail.rows })) }
  }
}
