/**
 * Reads the server refuses for now because it, or the person's share of it,
 * is busy (README, What a member cannot do): each refusal says when to try
 * again (Retry-After), and a reviewer opening a snapshot while the instance
 * is merely busy should see the board a few seconds later, not an error.
 * Every such read of the client goes through `patiently`.
 */
import { ApiProblem } from './api.ts'

/** The server's refusals that pass with time, by code: the same read may be served a moment later. */
const BUSY_CODES: ReadonlySet<string> = new Set([
  // A person's costly history reads in flight, and the instance's (server/http/history-reads.ts).
  'too_many_history_reads',
  'history_reads_busy',
  // A person's bytes of snapshots and boards loaded this minute (server/http/loaded-bytes.ts).
  'loading_too_much',
  // A person's jobs in the worker pool (429), and the pool's queue full (503) (server/http/errors.ts).
  'too_many_tasks',
  'busy',
  // A person's answers in flight on the instance (server/http/answers-in-flight.ts).
  'too_many_in_flight',
])
const TRIES = 3
const LONGEST_WAIT_SECONDS = 30

/**
 * How a read waits out a busy server: `signal` ends the wait (a newer read
 * asked for, the view closed), and `onWait` hears what to show meanwhile,
 * then null when the next try is made.
 */
export type Patience = { signal: AbortSignal; onWait: (note: string | null) => void }

/** What a view says while it waits to try a busy read again. */
export const busyNote = (seconds: number) => `The server is busy; trying again in ${seconds} s…`

function isBusyRefusal(error: unknown): error is ApiProblem {
  return error instanceof ApiProblem && (error.status === 429 || error.status === 503) && BUSY_CODES.has(error.code)
}

/**
 * `read`, tried again after the server's Retry-After (at most 30 s) while the
 * server refuses it as busy, up to TRIES times; the last refusal is thrown as
 * it came, with the server's message. Once `signal` aborts, its reason is
 * thrown instead of any answer, so a superseded read never reaches the view.
 */
export async function patiently<T>(read: () => Promise<T>, { signal, onWait }: Patience): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      const answer = await read()
      signal.throwIfAborted()
      return answer
    } catch (error) {
      signal.throwIfAborted()
      if (!isBusyRefusal(error) || tries >= TRIES) throw error
      const seconds = Math.min(error.retryAfter ?? 1, LONGEST_WAIT_SECONDS)
      onWait(busyNote(seconds))
      try {
        await abortableDelay(seconds * 1000, signal)
      } finally {
        onWait(null)
      }
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const stop = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop)
      resolve()
    }, ms)
    signal.addEventListener('abort', stop, { once: true })
  })
}
