/**
 * What the steps Item.integrate takes cost (integration-steps.ts): `--pages`
 * pages (40 by default), each under its own client id, type `--chars`
 * characters (250) backwards at one place of a judgment, unseen by one
 * another, each page's typing one update sent after the others'. Prints, for
 * each of the last few pages, the steps counted for its update, the time the
 * count took and the time Yjs took to apply it; then the steps of the whole
 * board's load (the pages' updates applied in order to an empty document, as
 * the relay applies a board's rows), the time that load took, and the time a
 * step took. Run with
 * `npx tsx bench/integration-steps.ts`.
 */
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { integrationSteps } from '../server/relay/integration-steps.ts'
import { typedBackwards } from '../test/helpers/typed-backwards.ts'
import { median } from './median.ts'

const { values } = parseArgs({ options: { pages: { type: 'string', default: '40' }, chars: { type: 'string', default: '250' } } })
const pages = Number(values.pages)
const chars = Number(values.chars)
const UNBOUNDED = Number.MAX_SAFE_INTEGER

const board = new Y.Doc()
board.getText('judgment').insert(0, 'before after')
const base = Y.encodeStateAsUpdate(board)

/** One page's typing: `chars` characters typed backwards after "before ", each an item of its own. */
function pageTyping(client: number): Uint8Array {
  return typedBackwards(base, client, chars, (doc) => doc.getText('judgment'), 'before '.length)
}

const perStep: number[] = []
const rows: Uint8Array[] = [base]
for (let page = 0; page < pages; page++) {
  const update = pageTyping(1000 + page)
  rows.push(update)
  const countStarted = performance.now()
  const steps = integrationSteps(board, Y.decodeUpdate(update), UNBOUNDED)
  const countMs = performance.now() - countStarted
  const applyStarted = performance.now()
  Y.applyUpdate(board, update)
  const applyMs = performance.now() - applyStarted
  if (page >= pages - 5) {
    console.log(`page ${page + 1}: ${steps} steps, counted in ${countMs.toFixed(1)} ms, applied in ${applyMs.toFixed(1)} ms`)
    if (steps > 0) perStep.push((applyMs * 1e6) / steps)
  }
}
const counting = new Y.Doc()
let loadSteps = 0
for (const row of rows) {
  loadSteps += integrationSteps(counting, Y.decodeUpdate(row), UNBOUNDED)
  Y.applyUpdate(counting, row)
}
const loadMs: number[] = []
for (let i = 0; i < 3; i++) {
  const loaded = new Y.Doc()
  const started = performance.now()
  for (const row of rows) Y.applyUpdate(loaded, row)
  loadMs.push(performance.now() - started)
}
const storedBytes = rows.reduce((sum, row) => sum + row.byteLength, 0)
console.log(`board of ${pages} pages × ${chars} characters: ${storedBytes} bytes in ${rows.length} rows, ${loadSteps} steps to load, loaded in ${loadMs.map((ms) => ms.toFixed(0)).join(', ')} ms`)
console.log(`a step applying the last pages: ${median(perStep).toFixed(0)} ns; loading: ${((median(loadMs) * 1e6) / Math.max(1, loadSteps)).toFixed(0)} ns`)
