/**
 * What the text rule costs the relay: every update a writer sends is decoded
 * and its inserted strings checked (server/relay/validate-update.ts) before it
 * is applied. Measured against applying the same update, for one keystroke in
 * a judgment of the board of 1,000 assessments, and for that whole board sent
 * at once (a client's first sync of a large offline copy). `npm run bench`
 * calls `benchTextRule()`; run this file alone with `npx tsx bench/text-rule.ts`.
 */
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { validateUpdate } from '../server/relay/validate-update.ts'
import { largeBoard } from './export.ts'
import { median } from './median.ts'

/** Medians in microseconds: checking an update, and applying it. */
export type TextRuleFigures = { bytes: number; validateUs: number; applyUs: number }
export type TextRuleBenchResult = { keystroke: TextRuleFigures; wholeBoard: TextRuleFigures }

const KEYSTROKES = 5000
const WHOLE_BOARD_RUNS = 15

const micros = (ms: number) => Math.round(ms * 1000 * 10) / 10

function time(work: () => void): number {
  const start = performance.now()
  work()
  return performance.now() - start
}

export async function benchTextRule(): Promise<TextRuleBenchResult> {
  const source = new Y.Doc()
  replaceBoardContent(source, largeBoard())
  const whole = Y.encodeStateAsUpdate(source)

  // Keystrokes as a writer sends them: one update each, applied in order to a replica of the board.
  const keystrokes: Uint8Array[] = []
  source.on('update', (update: Uint8Array) => keystrokes.push(update))
  const judgment = assessmentText(source, 'assessment-500', 'judgment')
  for (let i = 0; i < KEYSTROKES; i++) judgment.insert(judgment.length, 'abcdefghij'[i % 10]!)
  const replica = new Y.Doc()
  Y.applyUpdate(replica, whole)
  const validateKeystroke = keystrokes.map((update) => time(() => validateUpdate(update, replica)))
  const applyKeystroke = keystrokes.map((update) => time(() => Y.applyUpdate(replica, update)))

  const validateWhole: number[] = []
  const applyWhole: number[] = []
  for (let run = 0; run < WHOLE_BOARD_RUNS; run++) {
    const fresh = new Y.Doc()
    validateWhole.push(time(() => validateUpdate(whole, fresh)))
    applyWhole.push(time(() => Y.applyUpdate(fresh, whole)))
    fresh.destroy()
  }
  source.destroy()
  replica.destroy()
  return {
    keystroke: { bytes: keystrokes[0]!.byteLength, validateUs: micros(median(validateKeystroke)), applyUs: micros(median(applyKeystroke)) },
    wholeBoard: { bytes: whole.byteLength, validateUs: micros(median(validateWhole)), applyUs: micros(median(applyWhole)) },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchTextRule(), null, 2))
