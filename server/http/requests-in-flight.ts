/**
 * The HTTP requests this instance is answering. A shutdown waits for them
 * (within its deadline) before it closes the storage and every connection: a
 * request already past the refusal at the door, such as an edit whose board
 * the shutdown unloads, is answered (`503 shutting_down`) instead of having
 * its connection cut under it, which a client sees as a network failure and
 * cannot tell from a change that may have landed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'

export class RequestsInFlight {
  private inFlight = 0
  private waiters: (() => void)[] = []

  watch(server: Server): void {
    server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
      this.inFlight++
      // 'close' follows 'finish', and also comes alone when the connection goes first.
      response.once('close', () => this.answered())
    })
  }

  get count(): number {
    return this.inFlight
  }

  /** Settles once no request is being answered. */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  private answered(): void {
    this.inFlight--
    if (this.inFlight > 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }
}
