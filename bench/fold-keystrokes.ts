/**
 * What folding a member's typing costs: N one-character updates into one
 * assessment's judgment, each a log row, folded as compaction folds them
 * (server/history/fold-log.ts, in a worker thread there; here in this
 * process), for N = 2,000 to 20,000. Typed at the end (the items Yjs merges)
 * and at random places (every keystroke its own item, as a script can send
 * them). `npm run bench -- foldKeystrokes`; alone, `npx tsx bench/fold-keystrokes.ts`.
 */
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { foldLog } from '../server/history/fold-log.ts'
import type { LogRow } from '../server/storage/storage.ts'
import { seededRandom } from '../test/helpers/seeded-random.ts'

const SIZES = [2_000, 5_000, 10_000, 20_000]
const PLACES = ['end', 'random'] as const
type Place = (typeof PLACES)[number]

/** Milliseconds to fold each log, by where the keystrokes land and how many there are. */
export type FoldKeystrokesResult = Record<Place, Record<number, number>>

/** A board with one card as the checkpoint, then `count` keystrokes into its judgment, one a second, as log rows. */
function typedLog(count: number, place: Place): { checkpoint: Uint8Array; rows: LogRow[] } {
  const doc = new Y.Doc()
  const card = addAssessment(doc, { title: 'Wagner moves north' })
  const checkpoint = Y.encodeStateAsUpdate(doc)
  const rows: LogRow[] = []
  doc.on('update', (update: Uint8Array) => rows.push({ seq: rows.length + 1, update, origin: 'ana', at: new Date(Date.UTC(2026, 2, 20) + rows.length * 1000).toISOString() }))
  const judgment = assessmentText(doc, card, 'judgment')
  const random = seededRandom(count)
  for (let i = 0; i < count; i++) judgment.insert(place === 'end' ? judgment.length : random.int(judgment.length + 1), 'abcdefghij'[i % 10]!)
  doc.destroy()
  return { checkpoint, rows }
}

export async function benchFoldKeystrokes(): Promise<FoldKeystrokesResult> {
  const result = { end: {}, random: {} } as FoldKeystrokesResult
  for (const place of PLACES) {
    for (const count of SIZES) {
      const { checkpoint, rows } = typedLog(count, place)
      const start = performance.now()
      foldLog(checkpoint, rows)
      result[place][count] = Math.round(performance.now() - start)
    }
  }
  return result
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchFoldKeystrokes(), null, 2))
