/**
 * V8's full collection, for tests that check the server lets go of what it no
 * longer serves. Vitest's workers run without `--expose-gc`; the flag set now
 * gives a context made after it the `gc` function.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/**
 * Whether `ref`'s target has been collected, after a full collection. Run it
 * from a task of its own (waitFor's turns): a WeakRef keeps its target for the
 * rest of the task that last read it.
 */
export function collected(ref: WeakRef<object>): boolean {
  gc()
  return ref.deref() === undefined
}
