/**
 * The live board's content hash, as the review status compares it with the
 * signed-off snapshot's to say whether the board has changed since: the board
 * as stored, rebuilt in a worker thread, and kept per board for as long as
 * its stored log stays as it was. The header asks every 10 s and the board
 * list for every reviewed board, so an unchanged board costs one read of what
 * names its log (the checkpoint, how many rows follow it, the last one: see
 * tail-changes.ts), never a rebuild. A working-out that fails is not kept.
 *
 * A board being typed on changes its log at every commit, and each ask then
 * found it changed: every list request of every member rebuilt every such
 * reviewed board, a cost the members asking controlled and never paid. So a
 * board's hash is worked out once at a time: an ask while it is worked out
 * for an older log waits for the one working-out queued behind it, which
 * everyone asking meanwhile shares and which reads the log as it is when it
 * starts (so at least as new as theirs). The asker who queues it pays for it:
 * the log's bytes against what they may load a minute
 * (LOADED_BYTES_PER_MINUTE_PER_PERSON), as a preview's read does, and its
 * worker time (the job is theirs, served in turn with everyone's, within
 * WORKER_JOBS_PER_PERSON). A person who has spent their minute queues none
 * (LoadingTooMuch): they are told what is known, and a board changed since
 * its last working-out cannot be compared for them.
 */
import { logBytes } from '../boards/prepared-changes.ts'
import { LoadingTooMuch } from '../relay/cold-loads.ts'
import type { IncomingRates } from '../relay/incoming-rates.ts'
import { readStoredLog, type StoredBoards } from '../snapshots/stored-board.ts'
import { asSharedWork } from '../workers/job-owner.ts'

/** Boards whose hash is kept; the longest unasked goes first (64 hex characters each). */
const BOARDS_KEPT = 4096

/** A working-out of the board's hash, from its log as `state` names it. */
type Entry = { state: string; hash: Promise<string | null> }

export class LiveContentHashes {
  private readonly kept = new Map<string, Entry>()
  /** Per board, the working-out running now, settled once it has (never rejects). */
  private readonly running = new Map<string, Promise<void>>()
  /** Per board, the one working-out waiting for the running one, shared by everyone asking meanwhile. */
  private readonly queued = new Map<string, Promise<string | null>>()

  constructor(private readonly parts: StoredBoards) {}

  /**
   * The hash of the board's content as stored now; null when there is no such
   * board. `payer` pays for a working-out this ask queues (null: nobody, a
   * server without accounts); rejects with LoadingTooMuch when they cannot.
   */
  async of(boardId: string, payer: IncomingRates | null): Promise<string | null> {
    const state = await this.stateOf(boardId)
    const kept = this.kept.get(boardId)
    if (kept?.state === state) {
      this.kept.delete(boardId)
      this.kept.set(boardId, kept)
      return kept.hash
    }
    return this.next(boardId, payer)
  }

  /** Names the board's stored log; read before the log itself, so a change meanwhile leaves a name older than the hash, which the next ask works out again. */
  private async stateOf(boardId: string): Promise<string> {
    return JSON.stringify(await this.parts.storage.history.tailState(boardId))
  }

  /** The working-out queued behind the board's running one, queued by this ask and paid for by `payer` when none is. */
  private next(boardId: string, payer: IncomingRates | null): Promise<string | null> {
    const queued = this.queued.get(boardId)
    if (queued) return queued
    if (payer && !payer.mayLoad()) return Promise.reject(new LoadingTooMuch(`the live content hash of board ${boardId}, for a person who has loaded as much as they may this minute`))
    const next = (this.running.get(boardId) ?? Promise.resolve()).then(() => {
      // In one step with marking it running: nothing can queue another between the two.
      this.queued.delete(boardId)
      const hash = this.workOut(boardId, payer)
      // Settled either way, and then no longer the board's running one: what queues behind it waits for both.
      const settled: Promise<void> = hash.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        if (this.running.get(boardId) === settled) this.running.delete(boardId)
      })
      this.running.set(boardId, settled)
      return hash
    })
    this.queued.set(boardId, next)
    return next
  }

  private async workOut(boardId: string, payer: IncomingRates | null): Promise<string | null> {
    const state = await this.stateOf(boardId)
    const kept = this.kept.get(boardId)
    // The log has not changed since the working-out that ran before this one.
    if (kept?.state === state) return kept.hash
    const entry: Entry = { state, hash: this.rebuild(boardId, payer) }
    this.kept.delete(boardId)
    this.kept.set(boardId, entry)
    entry.hash.catch(() => {
      if (this.kept.get(boardId) === entry) this.kept.delete(boardId)
    })
    while (this.kept.size > BOARDS_KEPT) this.kept.delete(this.kept.keys().next().value!)
    return entry.hash
  }

  /** The board rebuilt from its log in a worker thread, its bytes paid by `payer`: others share it, so one leaving does not stop it (asSharedWork). */
  private async rebuild(boardId: string, payer: IncomingRates | null): Promise<string | null> {
    const log = await readStoredLog(this.parts.storage, boardId)
    if (!log) return null
    payer?.didLoad(logBytes(log.checkpoint, log.updates))
    const captured = await asSharedWork(() => this.parts.workers.run('capture-board', { boardId, log }))
    return captured.contentHash
  }
}
