/**
 * Is the relay's event loop free? One client types on a board of its own and
 * another sees each keystroke arrive: a round trip through the server's commit
 * and broadcast. Counting the round trips completed while some request is
 * pending shows whether that request left the loop free (none could complete
 * while the loop was held). Only whether they arrive is asserted, never how fast.
 */
import { assessmentText, collection } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { waitFor } from './wait-for.ts'
import type { TestClient } from './yjs-client.ts'

export type EchoProbe = {
  /** Settles with `work`, and counts the round trips completed while it was pending. */
  during<T>(work: Promise<T>): Promise<{ result: T; roundTrips: number }>
  destroy(): void
}

/** `connect` joins a board other than the one the work is on, as someone who may edit it. */
export async function echoProbe(connect: () => TestClient): Promise<EchoProbe> {
  const typist = connect()
  const watcher = connect()
  await Promise.all([typist.synced(), watcher.synced()])
  const id = addAssessment(typist.doc, { title: 'Echo probe', judgment: '' })
  const typed = assessmentText(typist.doc, id, 'judgment')
  const seen = () => (collection(watcher.doc, 'assessments').has(id) ? assessmentText(watcher.doc, id, 'judgment').length : -1)
  await waitFor(() => seen() === 0, 'the probe card to reach the watcher')
  return {
    async during<T>(work: Promise<T>) {
      let settled = false
      const markSettled = () => {
        settled = true
      }
      work.then(markSettled, markSettled)
      let roundTrips = 0
      while (!settled) {
        typed.insert(typed.length, 'x')
        const want = typed.length
        await waitFor(() => settled || seen() >= want, 'a keystroke to come back through the relay', 60_000)
        if (!settled) roundTrips++
      }
      return { result: await work, roundTrips }
    },
    destroy() {
      typist.destroy()
      watcher.destroy()
    },
  }
}
