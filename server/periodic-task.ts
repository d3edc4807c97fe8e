/**
 * Work done again every interval in the background (a sweep). A chain of
 * timeouts rather than an interval, so a slow run delays the next instead of
 * overlapping it; a run asked for while one goes on joins it; a run that fails
 * is logged and the next comes all the same; `stop` ends the chain and waits
 * for the run in progress.
 */
import type { Logger } from './log.ts'
import { errorMessage } from '../shared/error-message.ts'

export type PeriodicTaskOptions = {
  /** 0 turns the timer off; `runOnce` still works. */
  intervalMs: number
  logger: Logger
  /** The log line of a failed run. */
  failure: string
  /**
   * Logs only the first of failures in a row, and a line when a run succeeds
   * again: for a task run every second, which would otherwise log a line a
   * second for as long as, say, the database is down.
   */
  firstFailureOnly?: boolean
}

export class PeriodicTask<T> {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<T> | undefined
  private stopping = false
  private failuresInRow = 0

  constructor(
    private readonly run: () => Promise<T>,
    private readonly options: PeriodicTaskOptions,
  ) {}

  /** True once `stop` was called: a long run checks it between its steps and leaves the rest for later. */
  get stopped(): boolean {
    return this.stopping
  }

  start(): void {
    if (this.options.intervalMs > 0 && !this.stopping) this.schedule()
  }

  /** One run now; a run already going on is joined rather than doubled. */
  runOnce(): Promise<T> {
    this.running ??= this.run().finally(() => (this.running = undefined))
    return this.running
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearTimeout(this.timer)
    await this.running?.catch(() => undefined)
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.runOnce()
        .then(
          () => this.succeeded(),
          (error: unknown) => this.failed(error),
        )
        .finally(() => {
          if (!this.stopping) this.schedule()
        })
    }, this.options.intervalMs)
    this.timer.unref()
  }

  private failed(error: unknown): void {
    this.failuresInRow++
    const { logger, failure, firstFailureOnly } = this.options
    if (firstFailureOnly && this.failuresInRow > 1) logger.debug({ err: errorMessage(error), failuresInRow: this.failuresInRow }, failure)
    else logger.error({ err: errorMessage(error) }, failure)
  }

  private succeeded(): void {
    if (this.options.firstFailureOnly && this.failuresInRow > 1) this.options.logger.warn({ failuresInRow: this.failuresInRow }, `${this.options.failure}, and has now succeeded again`)
    this.failuresInRow = 0
  }
}
