/**
 * How many costly history reads (the board as of a past time, for a read, an
 * export or a snapshot; the editing sessions; who changed which assessment
 * field) may be in flight at once: per person (HISTORY_READS_PER_PERSON) and,
 * counting each different read once, per instance (HISTORY_READS_PER_INSTANCE).
 *
 * Each reads tens of thousands of log rows a page at a time, each page read
 * (SQLite) or taken apart (PostgreSQL) on the relay's thread, and the pages of
 * every read in flight run back to back in one turn of the event loop: one
 * reviewer firing 16 identical reads of the board as of a past time held an
 * honest typist's round trip at 264 ms (p95) on SQLite, 1,349 ms on
 * PostgreSQL. Identical reads (same board, kind and parameters, and the same
 * state of the log's newest rows and of where its kept history starts, so that
 * none is served what was read before a row it should see or after thinning
 * dropped what it read) share one computation, and a completed read is kept
 * for the next identical one (history-read-cache.ts): one reviewer re-firing
 * a read otherwise kept one fold of the log running all the time. A read served
 * from what is kept holds its person's slot only while the log's state is read
 * and is not counted against the instance, as it computes nothing.
 *
 * A snapshot's state and model are read the same way, named by the snapshot
 * and its content hash (a snapshot never changes): a reviewer's loops each
 * reading a 10 MB snapshot's state from the database on the relay's thread
 * (and its model converted on every request) held an honest typist's round
 * trip at 478 to 653 ms (p95) with six loops.
 *
 * The live board read from storage for someone when nobody holds it here (its
 * model, its checks) is read the same way, named by the state of the log's
 * newest rows alone: thinning never drops the latest checkpoint nor a row
 * after it, which is all the live board is made of. Worked out afresh on
 * every request, four loops of one member reading a 14 MB board nobody held
 * took an honest editor's round trip on another board from 29 to 901 ms
 * (p50) on PostgreSQL and sent 714 MB in 18 s.
 *
 * A whole version read for a worker job (a snapshot's checks, a comparison of
 * two versions, a snapshot's export: version-reads.ts) is counted the same
 * way: each read one or two snapshots' states and the whole live log on the
 * relay's thread, and a reviewer's 16 requests at once held every board's
 * /healthz for up to 3.2 s.
 *
 * The instance's reads are shared fairly (fair-slots.ts), in two lanes. Two
 * members each keeping two reads of the past in flight held all four slots,
 * and every other member's read of the past, and of a board nobody had open
 * here, was refused for as long as they kept it up. Now a person already
 * computing some may start another only while more slots stay free than they
 * hold, so one person, or two, never holds them all; and the live board read
 * from storage, bounded by the board's size where a past moment replays its
 * history, is computed in a lane of its own (HISTORY_LIVE_READS_PER_INSTANCE),
 * which no read of the past can take.
 */
import type { KeptStart, TailState } from '../storage/storage.ts'
import { CountsByKey } from './counts-by-key.ts'
import { ApiError, RETRY_AFTER_SECONDS } from './errors.ts'
import { FairSlots, type SlotRefusal } from './fair-slots.ts'
import { HistoryReadCache } from './history-read-cache.ts'
import { asSharedWork } from '../workers/job-owner.ts'

/**
 * What is read: the board as of a time (for its model or state), its log as of
 * a time (for an export or a snapshot), its editing sessions, who changed
 * which assessment field (change-listing-read.ts), one of its
 * snapshots (its state, or its model's JSON), or the live board as stored
 * (its model's JSON, or its checks for a scope) when nobody holds it here.
 */
export type HistoryReadKind = 'board-as-of' | 'log-as-of' | 'sessions' | 'changes' | 'snapshot-state' | 'snapshot-model' | LiveReadKind | VersionReadKind

/** The reads of the live board as stored: their answer changes with the log's newest rows only. */
export type LiveReadKind = 'live-model' | 'live-checks'
const LIVE_READ_KINDS: ReadonlySet<HistoryReadKind> = new Set<LiveReadKind>(['live-model', 'live-checks'])

/** What tells one state of a board's log from another: its newest rows, and where its kept history starts. */
export type LogStateReaders = { tail(boardId: string): Promise<TailState>; keptStart(boardId: string): Promise<KeptStart> }

/** A whole version of a board read from storage for a worker job: a snapshot's checks, a comparison, a snapshot's export (version-reads.ts). */
export type VersionReadKind = 'snapshot-checks' | 'diff' | 'snapshot-export'

/** Reads in flight per person; different ones computed at once per instance, of the past and of the live board apart; bytes kept. */
export type HistoryReadLimits = { perPerson: number; perInstance: number; livePerInstance: number; cacheBytes: number }

/** Counted as each read is asked for (metrics.ts). */
export type HistoryReadCounters = {
  asked(kind: HistoryReadKind, outcome: 'served' | 'too_many_history_reads' | 'history_reads_busy'): void
  /** Served by a computation another read began. */
  shared(kind: HistoryReadKind): void
  /** Served by an identical read completed before. */
  cached(kind: HistoryReadKind): void
}

export class HistoryReads {
  private readonly perPerson = new CountsByKey()
  /** The computations in flight, by what names them: board, kind, parameters and the log's state (`logState`). */
  private readonly computing = new Map<string, Promise<unknown>>()
  /** The slots of the computations in flight: of the past (and snapshots, versions), and of the live board apart. */
  private readonly pastSlots: FairSlots
  private readonly liveSlots: FairSlots
  private readonly cache: HistoryReadCache

  constructor(
    private readonly limits: HistoryReadLimits,
    private readonly logState: LogStateReaders,
    private readonly counters?: HistoryReadCounters,
  ) {
    this.cache = new HistoryReadCache(limits.cacheBytes)
    this.pastSlots = new FairSlots(limits.perInstance)
    this.liveSlots = new FairSlots(limits.livePerInstance)
  }

  /** Drops what is kept of the deleted board's reads (another instance's are never served: the board is looked up first, and they age out). */
  forgetBoard(boardId: string): void {
    this.cache.forgetBoard(boardId)
  }

  /**
   * `compute`'s answer, or that of the identical read completed before or in
   * flight; the caller has checked the person's rights to the board. `person` null
   * (a server without accounts, a test's) is not counted, as the relay's
   * per-person limits count no one there; the instance's limit still holds.
   * What never changes (a snapshot) is named by its `version` (its content
   * hash), and the log's state is not read for it. A read that depends on
   * more than its key names (`keep` false: a snapshot's export names its
   * review) is shared while in flight but not kept.
   */
  async read<T>(
    person: string | null,
    read: { boardId: string; kind: HistoryReadKind; parameters: string; version?: string; keep?: boolean },
    compute: () => Promise<T>,
  ): Promise<T> {
    if (person !== null && this.perPerson.of(person) >= this.limits.perPerson) {
      this.counters?.asked(read.kind, 'too_many_history_reads')
      throw tooManyHistoryReads(this.limits.perPerson)
    }
    // Held from here: reading the log's state is part of what a person's reads cost.
    if (person !== null) this.perPerson.add(person)
    try {
      const key = JSON.stringify([read.boardId, read.kind, read.parameters, read.version ?? (await this.logVersion(read.boardId, read.kind))])
      const cached = this.cache.get(key)
      if (cached) {
        this.counters?.asked(read.kind, 'served')
        this.counters?.cached(read.kind)
        return cached.value as T
      }
      const running = this.computing.get(key) as Promise<T> | undefined
      if (running) {
        this.counters?.asked(read.kind, 'served')
        this.counters?.shared(read.kind)
        return await running
      }
      const slots = LIVE_READ_KINDS.has(read.kind) ? this.liveSlots : this.pastSlots
      const refused = slots.take(person)
      if (refused) {
        this.counters?.asked(read.kind, 'history_reads_busy')
        throw historyReadsBusy(refused)
      }
      const generation = this.cache.generation(read.boardId)
      // One chain for the computation and its keeping, which the readers await: whatever fails there is their answer, not a
      // rejection no one awaits. It starts on the next turn, so it is in `computing` before it can settle.
      const computed = Promise.resolve()
        // Joined by identical reads meanwhile: the first reader leaving must not stop it for the others.
        .then(() => asSharedWork(compute))
        .then((value) => {
          if (read.keep !== false) this.cache.keep(key, read.boardId, generation, value)
          return value
        })
        .finally(() => {
          this.computing.delete(key)
          slots.give(person)
        })
      this.computing.set(key, computed)
      this.counters?.asked(read.kind, 'served')
      return await computed
    } finally {
      if (person !== null) this.perPerson.remove(person)
    }
  }

  /**
   * What names the state of the board's log; read before computing, so that
   * what changes the log after it (here or on another instance) makes a new
   * key. A read of the live board reads only the newest rows' state: one
   * indexed query, on every request.
   */
  private async logVersion(boardId: string, kind: HistoryReadKind): Promise<unknown[]> {
    if (LIVE_READ_KINDS.has(kind)) {
      const tail = await this.logState.tail(boardId)
      return [tail.throughSeq, tail.rows, tail.lastSeq]
    }
    const [tail, kept] = await Promise.all([this.logState.tail(boardId), this.logState.keptStart(boardId)])
    return [tail.throughSeq, tail.rows, tail.lastSeq, kept.checkpoints, kept.oldestCheckpoint, kept.oldestRow, kept.oldestChange]
  }
}

function tooManyHistoryReads(perPerson: number): ApiError {
  return new ApiError(
    429,
    'too_many_history_reads',
    `You have ${perPerson} reads of a board's history in flight on this server (the board as of a past time, its editing sessions or changes, an export or snapshot of a past time, the board or its checks read from storage while nobody has it open here, a snapshot's checks or export, a comparison of two versions), as many as one person may. Wait for them to finish and try again in ${RETRY_AFTER_SECONDS} s.`,
    RETRY_AFTER_SECONDS,
  )
}

/** One code either way, as a client waits out both alike; the message says whose reads fill the server. */
function historyReadsBusy(refused: SlotRefusal): ApiError {
  const why =
    refused === 'full'
      ? "This server is reading as many boards' histories as it reads at once"
      : "This server is reading as many boards' histories of yours as one person may while it keeps the rest for others"
  return new ApiError(
    429,
    'history_reads_busy',
    `${why} (the board as of a past time, editing sessions, listings of changes, exports and snapshots of a past time, boards nobody has open here, snapshots' checks and exports, comparisons). Try again in ${RETRY_AFTER_SECONDS} s.`,
    RETRY_AFTER_SECONDS,
  )
}
