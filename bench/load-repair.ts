/**
 * The load repair's pass (server/relay/load-repair.ts) as every load of a
 * board runs it, `--runs N` times (default 9), each time and their median:
 * over the bench's board of 1,000 assessments that holds nothing to repair,
 * and over a board of 2 MB of cards each holding 33 one-letter tags, one past
 * the limit and within the relay's bound (value-bounds.ts), which the relay
 * takes and the pass leaves as they are. Each board three ways: looked at
 * whole (a board never checked, or checked under other rules), once found
 * within bounds and unchanged since (its state vector kept: checked-bounds.ts),
 * and with 10 of its cards edited since, the check's state vector decoded as
 * a load decodes it.
 * Run with `npx tsx bench/load-repair.ts`.
 */
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { collection, initBoardDoc } from '../shared/board-doc.ts'
import { assessmentSchema } from '../shared/board-model.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { repairStoredBoard } from '../server/relay/load-repair.ts'
import { maximumOf } from '../server/relay/value-bounds.ts'
import { largeBoard } from './export.ts'
import { median } from './median.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } })
const origins = { hidden: serverOrigin('entry-keys'), bounds: serverOrigin('value-bounds') }

const sound = new Y.Doc()
initBoardDoc(sound, { title: 'large' })
replaceBoardContent(sound, { ...largeBoard(), id: 'large', title: 'large' }, serverOrigin('bench'))
measureEachWay('1,000 assessments, nothing to repair', sound)

const tagged = new Y.Doc()
initBoardDoc(tagged, { title: 'tags' })
// The limit as the schema holds it: one past it.
const tags = Array.from({ length: maximumOf(assessmentSchema.shape.tags)! + 1 }, () => 'a')
const cards = collection(tagged, 'assessments')
for (let card = 0; Y.encodeStateAsUpdate(tagged).length < 2_000_000; ) {
  tagged.transact(() => {
    for (let batch = 0; batch < 200; batch++, card++) cards.set(`card-${card}`, new Y.Map([['tags', tags]]))
  })
}
measureEachWay(`${cards.size} cards of ${tags.length} tags (2 MB)`, tagged)

function measureEachWay(name: string, doc: Y.Doc): void {
  measure(`${name}, whole`, doc, () => undefined)
  const checked = Y.encodeStateVector(doc)
  measure(`${name}, checked and unchanged since`, doc, () => Y.decodeStateVector(checked))
  const edited = [...collection(doc, 'assessments').values()].slice(0, 10) as Y.Map<unknown>[]
  doc.transact(() => {
    for (const card of edited) card.set('tags', ['edited'])
  })
  measure(`${name}, checked and 10 cards edited since`, doc, () => Y.decodeStateVector(checked))
  doc.destroy()
}

function measure(name: string, doc: Y.Doc, since: () => Map<number, number> | undefined): void {
  const times: number[] = []
  for (let run = 0; run < Number(values.runs); run++) {
    const started = performance.now()
    const repaired = repairStoredBoard(doc, origins, since())
    times.push(performance.now() - started)
    if (repaired.keys + repaired.entries + repaired.values + repaired.texts > 0) throw new Error(`the bench's board needed repairs: ${JSON.stringify(repaired)}`)
  }
  console.log(`${name}: runs (ms): ${times.map((time) => time.toFixed(2)).join(' ')}; median ${median(times).toFixed(2)} ms`)
}
