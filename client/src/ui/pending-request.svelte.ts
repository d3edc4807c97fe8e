
/**
 * A request a form or dialog waits on: `busy` while it runs (its button says
 * so and cannot be pressed again), and `problem`, how the last try failed in
 * words for the person, cleared when they try again.
 */
export class PendingRequest {
  #busy = $state(false)
  #problem = $state<string | null>(null)

  get busy(): boolean {
    return this.#busy
  }

  get problem(): string | null {
    return this.#problem
  }

  /** Runs `request`; a failure becomes `problem`, in the words of `describe`. Resolves whether it succeeded. */
  async run(request: () => Promise<void>, describe: (error: unknown) => string = errorMessage): Promise<boolean> {
    this.#busy = true
    this.#problem = null
    try {
      await request()
      return true
    } catch (error) {
      this.#problem = describe(error)
      return false
    } finally {
      this.#busy = false
    }
  }
}

import { errorMessage } from '../../../shared/error-message.ts'