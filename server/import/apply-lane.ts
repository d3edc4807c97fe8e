/**
 * One lane, per process, that imports' applies go through one at a time. The
 * apply of a planned import (its update applied to the board's Yjs doc, and
 * committed) runs on the relay's thread and cannot be cut without letting
 * the log hold half an import (README: an import is one change), 0.4 s for
 * 10,000 claims on a quiet machine, seconds on a loaded one. Imports into boards of their own, planned at once in the
 * worker threads, applied back to back in one turn of the event loop: three
 * held the thread 1.1 to 2.3 s, every other board's keystrokes waiting. In
 * the lane each apply waits for the one before it to be committed, and then
 * for the event loop to read what arrived meanwhile, so no more than one
 * apply ever holds the thread at a stretch. Per process, not per server: the
 * thread is the process's, whichever server of it (tests run several) applies.
 */
export class ApplyLane {
  /** Applies running now (started and not yet committed or refused): 0 or 1. */
  running = 0
  /** Applies waiting for the one running. */
  waiting = 0
  private last: Promise<unknown> = Promise.resolve()

  /** Runs `apply` once every apply before it has settled and the event loop has since polled for I/O. */
  run<T>(apply: () => Promise<T>): Promise<T> {
    this.waiting++
    const turn = this.last.then(yieldToIo).then(() => {
      this.waiting--
      this.running++
      return apply().finally(() => this.running--)
    })
    // The next waits for this one however it ends; its failure is its caller's.
    this.last = turn.catch(() => undefined)
    return turn
  }
}

/**
 * Settles once the event loop has been through its I/O poll: an immediate
 * queued during the poll phase runs in the same loop's check phase, before
 * any more I/O is read; one queued from there runs after the next poll.
 */
async function yieldToIo(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
}

/** The process's lane for imports' applies (import-document.ts), which the metrics read. */
export const importApplies = new ApplyLane()
