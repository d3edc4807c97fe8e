/**
 * The load repair's pass (server/relay/load-repair.ts) over the bench's board
 * of 1,000 assessments that holds nothing to repair, as every load of a sound
 * board runs it: `--runs N` times (default 9), each time and their median.
 * Run with `npx tsx bench/load-repair.ts`.
 */
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { initBoardDoc } from '../shared/board-doc.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { repairStoredBoard } from '../server/relay/load-repair.ts'
import { largeBoard } from './export.ts'
import { median } from './median.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } })
const doc = new Y.Doc()
initBoardDoc(doc, { title: 'large' })
replaceBoardContent(doc, { ...largeBoard(), id: 'large', title: 'large' }, serverOrigin('bench'))
const origins = { hidden: serverOrigin('entry-keys'), bounds: serverOrigin('value-bounds') }
const times: number[] = []
for (let run = 0; run < Number(values.runs); run++) {
  const started = performance.now()
  const repaired = repairStoredBoard(doc, origins)
  times.push(performance.now() - started)
  if (repaired.keys + repaired.entries + repaired.values + repaired.texts > 0) throw new Error(`the bench's board needed repairs: ${JSON.stringify(repaired)}`)
}
console.log(`runs (ms): ${times.map((time) => time.toFixed(1)).join(' ')}; median ${median(times).toFixed(1)} ms`)
doc.destroy()
