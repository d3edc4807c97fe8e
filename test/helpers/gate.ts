/**
 * A gate a test holds shut for as long as it needs: what comes to it while it
 * is shut waits there until it is released. The storage wrappers put one in
 * front of the calls a test wants to stop midway.
 */
export class Gate {
  /** Callers waiting at the gate now. */
  waiting = 0
  private shut: Promise<void> | null = null
  private open: (() => void) | null = null
  /** How many more callers wait while it is shut: the rest pass, so a test can stop one call and watch others go by. */
  private toStop = Infinity

  /** Callers from now on wait until release(); only the next `callers` of them when given. */
  hold(callers = Infinity): void {
    this.toStop = callers
    this.shut ??= new Promise((resolve) => (this.open = resolve))
  }

  release(): void {
    this.open?.()
    this.shut = null
    this.open = null
  }

  /** Resolves at once while the gate is open, else once it is released. */
  async pass(): Promise<void> {
    if (!this.shut || this.toStop === 0) return
    this.toStop--
    this.waiting++
    await this.shut.finally(() => this.waiting--)
  }
}
