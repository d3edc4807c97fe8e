/**
 * Waiting on clients without polling the event loop: every client notifies
 * after each frame, and the conditions waited for are checked then (and on a
 * slow timer, so a deadline passes even when nothing arrives). A busy poll
 * would take a core from the server being measured.
 */
type Waiter = { check: () => boolean; resolve: () => void }

export class Signal {
  private readonly waiters = new Set<Waiter>()

  notify(): void {
    for (const waiter of this.waiters) {
      if (!waiter.check()) continue
      this.waiters.delete(waiter)
      waiter.resolve()
    }
  }

  until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const started = Date.now()
      const timer = setInterval(() => {
        if (check()) done()
        else if (Date.now() - started > timeoutMs) {
          this.waiters.delete(waiter)
          clearInterval(timer)
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
        }
      }, 100)
      const done = () => {
        this.waiters.delete(waiter)
        clearInterval(timer)
        resolve()
      }
      const waiter: Waiter = { check, resolve: done }
      this.waiters.add(waiter)
    })
  }
}
