/**
 * How the history views (the History tab, a card's Changes) keep up with a
 * board people are editing: read again once the edits settle, and while the
 * server cannot be reached keep what is shown, with no error of its own (the
 * connection badge says so), trying again until the server answers.
 */
import { errorMessage } from '../../../shared/error-message.ts'
import { ApiProblem } from '../app/api.ts'

/** Edits settle before the history is read again: one read for a burst of typing, not one a keystroke. */
export const AFTER_EDITS_MS = 1500
/** How often a read the server could not be reached for is tried again. */
export const UNREACHABLE_RETRY_MS = 3000

export type SettledRead<T> = {
  /** The read; `signal` aborts once it is superseded or the view closes. */
  read: (signal: AbortSignal) => Promise<T>
  /** Something is shown already: wait for the edits to settle before reading. */
  settle: boolean
  answered: (answer: T) => void
  /** A refusal in words; not called while the server cannot be reached. */
  failed: (problem: string) => void
}

/**
 * Starts one read, at once or once the edits settle; for an $effect to return:
 * the cleanup drops it, so an effect that runs again at each change reads once
 * the changes stop.
 */
export function readWhenSettled<T>({ read, settle, answered, failed }: SettledRead<T>): () => void {
  const dropped = new AbortController()
  let timer: ReturnType<typeof setTimeout>
  async function attempt() {
    try {
      const answer = await read(dropped.signal)
      if (!dropped.signal.aborted) answered(answer)
    } catch (error) {
      if (dropped.signal.aborted) return
      if (error instanceof ApiProblem && error.offline) timer = setTimeout(attempt, UNREACHABLE_RETRY_MS)
      else failed(errorMessage(error))
    }
  }
  timer = setTimeout(attempt, settle ? AFTER_EDITS_MS : 0)
  return () => {
    dropped.abort()
    clearTimeout(timer)
  }
}
