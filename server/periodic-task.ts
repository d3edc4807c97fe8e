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
}

export class PeriodicTask<T> {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<T> | undefined
  private stopping = false

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
        .catch((error: unknown) => this.options.logger.error({ err: errorMessage(error) }, this.options.failure))
        .finally(() => {
          if (!this.stopping) this.schedule()
        })
    }, this.options.intervalMs)
    this.timer.unref()
  }
}
