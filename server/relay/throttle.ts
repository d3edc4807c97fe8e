/**
 * Runs a job at most once per interval: at once when the last run is an
 * interval ago, else once at the end of the interval, however many requests
 * came meanwhile. What the job sends is whatever has gathered by then, so a
 * burst is coalesced rather than dropped.
 */
export class Throttle {
  private lastRun = Number.NEGATIVE_INFINITY
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly intervalMs: number,
    private readonly job: () => void,
    /** The job runs from a timer too: a failure is reported here, never thrown into the event loop. */
    private readonly onError: (error: unknown) => void,
  ) {}

  request(): void {
    if (this.timer !== undefined) return
    const wait = this.lastRun + this.intervalMs - performance.now()
    if (wait <= 0) this.run()
    else this.timer = setTimeout(() => this.run(), wait)
  }

  cancel(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private run(): void {
    this.timer = undefined
    this.lastRun = performance.now()
    try {
      this.job()
    } catch (error) {
      this.onError(error)
    }
  }
}
