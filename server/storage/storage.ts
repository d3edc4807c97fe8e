/**
 * The one storage interface the server talks to. Each concern is a store of
 * its own; each store has a SQLite and a PostgreSQL implementation with the
 * same behaviour, checked by one test suite run against both.
 */
export type Dialect = 'sqlite' | 'postgres'

export type BoardRecord = { id: string; title: string; createdAt: string; createdBy: string | null }

export interface BoardStore {
  create(board: BoardRecord): Promise<void>
  get(id: string): Promise<BoardRecord | undefined>
  list(): Promise<BoardRecord[]>
  /** Keeps the listing's title in step with the title inside the board document. */
  rename(id: string, title: string): Promise<void>
  /** Deletes the board, its log, checkpoint, snapshots and memberships. */
  delete(id: string): Promise<void>
}

export type LogEntry = { update: Uint8Array; origin: string }

export type StoredBoardState = {
  checkpoint: Uint8Array | null
  updates: Uint8Array[]
  /** The highest sequence number covered by what was loaded (0 for a new board). */
  lastSeq: number
}

/** Folds a checkpoint and the log after it into one new checkpoint. */
export type MergeState = (checkpoint: Uint8Array | null, updates: Uint8Array[]) => Uint8Array

export interface UpdateLogStore {
  /** Appends the batch in one transaction; resolves once it is durable, with the last sequence number. */
  append(boardId: string, entries: LogEntry[]): Promise<number>
  /** The latest checkpoint and every log row after it. */
  load(boardId: string): Promise<StoredBoardState>
  /** Log rows after `seq`, for an instance catching up on what it missed. */
  after(boardId: string, seq: number): Promise<{ seq: number; update: Uint8Array }[]>
  /**
   * Replaces the checkpoint and the log rows it covers with one merged state, in
   * one transaction, holding a lock so that only one instance compacts a board at a time.
   */
  compact(boardId: string, merge: MergeState): Promise<{ mergedRows: number }>
  count(boardId: string): Promise<number>
}

export interface Storage {
  readonly dialect: Dialect
  readonly boards: BoardStore
  readonly log: UpdateLogStore
  close(): Promise<void>
}
