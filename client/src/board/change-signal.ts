import { createSubscriber } from 'svelte/reactivity'

/**
 * Tells Svelte that a value kept outside it (read from a Y.Doc, from awareness)
 * has changed. A getter calls `track()`; the source's listener, which stays on
 * whether or not anything renders, calls `changed()`, which reaches Svelte only
 * while something reads the value.
 */
export class ChangeSignal {
  #notify: (() => void) | undefined
  readonly #subscribe = createSubscriber((update) => {
    this.#notify = update
    return () => {
      this.#notify = undefined
    }
  })

  track(): void {
    this.#subscribe()
  }

  changed(): void {
    this.#notify?.()
  }
}
