/**
 * `npm run bench -- mergeInGroups`: what merging a committed batch costs the
 * relay's thread (server/relay/merge-in-groups.ts), against one Y.mergeUpdates
 * over the whole batch. A batch is what writers typing flat out leave between
 * two commits: one-character updates of 20 writers, each typing into a text of
 * its own, interleaved. CPU per update merged, median of five runs of each,
 * the two alternating.
 */
import * as Y from 'yjs'
import { mergeInGroups } from '../server/relay/merge-in-groups.ts'
import { median } from './median.ts'

const WRITERS = 20
const BATCHES = [10, 64, 200, 800, 2_000]
const RUNS = 5
/** Updates merged per run, at least: small batches are merged many times over. */
const UPDATES_PER_RUN = 20_000

function typedBatch(size: number): Uint8Array[] {
  const docs = Array.from({ length: WRITERS }, () => new Y.Doc())
  const updates: Uint8Array[] = []
  for (const doc of docs) doc.on('update', (update: Uint8Array) => updates.push(update))
  for (let i = 0; updates.length < size; i++) for (const doc of docs) doc.getText('judgment').insert(i, 'y')
  return updates.slice(0, size)
}

function microsPerUpdate(merge: (updates: Uint8Array[]) => Uint8Array, batch: Uint8Array[]): number {
  const repeats = Math.max(3, Math.ceil(UPDATES_PER_RUN / batch.length))
  const before = process.cpuUsage()
  for (let i = 0; i < repeats; i++) merge(batch)
  const { user, system } = process.cpuUsage(before)
  return (user + system) / repeats / batch.length
}

export async function benchMergeInGroups(): Promise<{ batch: number; yjsMicrosPerUpdate: number; inGroupsMicrosPerUpdate: number }[]> {
  return BATCHES.map((size) => {
    const batch = typedBatch(size)
    const yjs: number[] = []
    const inGroups: number[] = []
    for (let run = 0; run <= RUNS; run++) {
      const a = microsPerUpdate(Y.mergeUpdates, batch)
      const b = microsPerUpdate(mergeInGroups, batch)
      // The first run of each warms the code.
      if (run === 0) continue
      yjs.push(a)
      inGroups.push(b)
    }
    const round = (n: number) => Math.round(n * 100) / 100
    return { batch: size, yjsMicrosPerUpdate: round(median(yjs)), inGroupsMicrosPerUpdate: round(median(inGroups)) }
  })
}
