import { describe, expect, it } from 'vitest'
import type { CheckpointInfo, HistoryPolicy } from '../storage/storage.ts'
import type { ThinningOps } from '../storage/storage.ts'
import { DROP_BATCH, thinHistory } from './thin-history.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const T0 = Date.parse('2026-03-02T00:00:00.000Z')
const ROW_BYTES = 100
const CHECKPOINT_BYTES = 1_000
const CHANGE_BYTES = 10

/**
 * One board's history in memory, with the semantics storage gives the thinning operations: rows numbered 1, 2, …
 * a minute apart, a checkpoint every `every` rows, a recorded change per row. Each operation is one statement:
 * it checks that the history left reads true, and counts the turns of the event loop since the previous one.
 */
class History {
  rows = new Map<number, number>()
  changes = new Map<number, string>()
  checkpoints: CheckpointInfo[] = []
  sizeReads = 0
  statements = 0
  largestStatement = 0
  turnsBetween: number[] = []
  private turns = 0
  private turnsAtLast = 0
  private ticking = true

  constructor(count: number, every: number) {
    this.append(count, every)
  }

  append(count: number, every: number) {
    const first = (Math.max(0, ...this.rows.keys()) || 0) + 1
    for (let seq = first; seq < first + count; seq++) {
      this.rows.set(seq, T0 + seq * MINUTE)
      this.changes.set(seq, new Date(T0 + seq * MINUTE).toISOString())
      if (seq % every === 0) this.checkpoints.push({ throughSeq: seq, at: new Date(T0 + seq * MINUTE).toISOString(), rowsKept: true, bytes: CHECKPOINT_BYTES })
    }
  }

  bytes = () => this.rows.size * ROW_BYTES + this.checkpoints.length * CHECKPOINT_BYTES + this.changes.size * CHANGE_BYTES

  /** Counts the turns of the event loop, as the relay's work would take them, while thinning runs. */
  tick = () => {
    this.turns++
    if (this.ticking) setImmediate(this.tick)
  }

  stop() {
    this.ticking = false
  }

  private statement<T>(work: () => T, touched: (result: T) => number): T {
    this.turnsBetween.push(this.turns - this.turnsAtLast)
    const result = work()
    this.statements++
    this.largestStatement = Math.max(this.largestStatement, touched(result))
    this.turnsAtLast = this.turns
    this.readsTrue()
    return result
  }

  /** Once rows were dropped, the first row left follows a checkpoint; every checkpoint marked so is followed by all its rows. */
  private readsTrue() {
    if (this.rows.size === 0) return
    const first = Math.min(...this.rows.keys())
    if (first > 1) expect(this.checkpoints.some((c) => c.throughSeq === first - 1)).toBe(true)
    for (const checkpoint of this.checkpoints.filter((c) => c.rowsKept)) expect(checkpoint.throughSeq + 1).toBeGreaterThanOrEqual(first)
  }

  ops(): ThinningOps {
    const settled = <T>(value: T) => Promise.resolve(value)
    return {
      checkpoints: () => settled(this.checkpoints.map((c) => ({ ...c }))),
      firstRow: () => settled(this.rows.size ? Math.min(...this.rows.keys()) : null),
      dropCheckpoints: (seqs) =>
        settled(
          this.statement(
            () => {
              // Never the base, as storage refuses it: the newest checkpoint before the first row left.
              const first = this.rows.size ? Math.min(...this.rows.keys()) : null
              const base = first === null ? undefined : this.checkpoints.findLast((c) => c.throughSeq < first)?.throughSeq
              const deleted = this.checkpoints.filter((c) => seqs.includes(c.throughSeq) && c.throughSeq !== base).map((c) => c.throughSeq)
              this.checkpoints = this.checkpoints.filter((c) => !deleted.includes(c.throughSeq))
              return deleted
            },
            (deleted) => deleted.length,
          ),
        ),
      dropRowsThrough: (seq) =>
        settled(
          this.statement(
            () => {
              for (const c of this.checkpoints) if (c.throughSeq < seq) c.rowsKept = false
              const gone = [...this.rows.keys()].filter((s) => s <= seq)
              for (const s of gone) this.rows.delete(s)
              return { count: gone.length, bytes: gone.length * ROW_BYTES }
            },
            (dropped) => dropped.count,
          ),
        ),
      dropChanges: (at, limit) =>
        settled(
          this.statement(
            () => {
              const gone = [...this.changes].filter(([, time]) => time < at).slice(0, limit.count)
              for (const [s] of gone) this.changes.delete(s)
              return { count: gone.length, bytes: gone.length * CHANGE_BYTES, more: gone.length === limit.count }
            },
            (dropped) => dropped.count,
          ),
        ),
      size: () => {
        this.sizeReads++
        return settled({ rows: this.rows.size, rowBytes: this.rows.size * ROW_BYTES, checkpoints: this.checkpoints.length, checkpointBytes: this.checkpoints.length * CHECKPOINT_BYTES, changes: this.changes.size, changeBytes: this.changes.size * CHANGE_BYTES })
      },
    }
  }

  async thin(policy: HistoryPolicy, now: number) {
    this.turns = this.turnsAtLast = 0
    this.ticking = true
    setImmediate(this.tick)
    try {
      return await thinHistory(this.ops(), policy, new Date(now).toISOString())
    } finally {
      this.stop()
    }
  }
}

const policy = (maxBytes: number): HistoryPolicy => ({ detailMs: 30 * DAY, checkpointEveryMs: HOUR, retentionMs: 0, maxBytes })

describe('thinHistory over the byte cap', () => {
  it('reads the size once, drops a checkpoint’s rows at a time, and lets the event loop turn between two statements', async () => {
    // Heavy history: 7,040 rows, a checkpoint every 44 (160), all within the detail window.
    const history = new History(7_040, 44)
    const cap = Math.floor(history.bytes() / 10)
    const dropped = await history.thin(policy(cap), T0 + 7_040 * MINUTE)
    expect(history.bytes()).toBeLessThanOrEqual(cap)
    expect(dropped.rowsDropped).toBeGreaterThan(6_000)
    expect(history.sizeReads).toBe(1)
    // Rows through one checkpoint, or one batch of changes, at most: the relay's thread is never held for the whole of it.
    expect(history.largestStatement).toBeLessThanOrEqual(DROP_BATCH)
    expect(history.statements).toBeLessThan(3 * 160 + 7_040 / DROP_BATCH)
    expect(history.turnsBetween.slice(1).every((turns) => turns > 0)).toBe(true)
  })
})

describe('thinHistory and the base the oldest rows build on', () => {
  it('keeps the checkpoint a cap step left the rows building on when a later one of its interval comes', async () => {
    // A checkpoint through row 10, ten minutes in, and rows after it.
    const history = new History(15, 10)
    const now = T0 + 20 * MINUTE
    // A cap step: the rows through the first checkpoint, which the rows after it now build on.
    await history.thin(policy(history.bytes() - 1), now)
    expect(Math.min(...history.rows.keys())).toBe(11)
    // Two more checkpoints of the same hour, then a thinning that keeps only the latest of each hour, but for the base.
    history.append(15, 10)
    await history.thin(policy(2 ** 40), now + 10 * MINUTE)
    expect(history.checkpoints.map((c) => c.throughSeq)).toEqual([10, 30])
  })
})

describe('two thinnings of one board at once (the sweep and a compaction’s, or two instances)', () => {
  const both = (history: History, first: HistoryPolicy, second: HistoryPolicy, now: number, between: () => void) => {
    const at = new Date(now).toISOString()
    const one = thinHistory(history.ops(), first, at)
    // The first has read the board (its reads are settled at once) and waits for a turn of the event loop: the board
    // changes, and the second reads it then.
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      between()
      return Promise.all([one, thinHistory(history.ops(), second, at)])
    })
  }

  it('never deletes the checkpoint the rows left build on', async () => {
    // A checkpoint through row 10 and rows to 15; the first thinning, over the cap, drops the rows through it.
    const history = new History(15, 10)
    const now = T0 + 30 * MINUTE
    const [capped, planned] = await both(history, policy(history.bytes() - 1), policy(2 ** 40), now, () => {
      // A compaction adds a checkpoint of the same hour: the second thinning reads rows from 1, no base, and plans
      // to drop the first checkpoint as not the latest of its hour, after the first made it the base.
      history.append(10, 10)
    })
    expect(capped.rowsDropped).toBe(10)
    expect(planned.checkpointsDropped).toBe(0)
    // Every statement left the history reading true (History.readsTrue): the rows from 11 build on checkpoint 10.
    expect(Math.min(...history.rows.keys())).toBe(11)
    expect(history.checkpoints.map((c) => c.throughSeq)).toEqual([10, 20])
  })

  it('drop no more than the cap asks, as one alone', async () => {
    const alone = new History(7_040, 44)
    const cap = Math.floor(alone.bytes() / 10)
    const now = T0 + 7_040 * MINUTE
    await alone.thin(policy(cap), now)
    const together = new History(7_040, 44)
    await both(together, policy(cap), policy(cap), now, () => {})
    expect(together.bytes()).toBeLessThanOrEqual(cap)
    // One step more at most (rows through one checkpoint and their changes), where the two raced to the last.
    expect(together.bytes()).toBeGreaterThanOrEqual(alone.bytes() - 44 * (ROW_BYTES + CHANGE_BYTES) - CHECKPOINT_BYTES)
  })
})
