/**
 * What the relay's check costs for a tiny frame whose deletions cover many
 * items the board already holds deleted: one client's 150,000 one-character
 * items, typed backwards so Yjs never merges them, all deleted; then a frame of
 * about 10 bytes deleting that client's whole range again. Every rule that
 * reads deleted ranges (server/relay/held-deletions.ts, mark-joins.ts) must
 * pass over those items without a lookup each. And a frame deleting every
 * other character of one live item of 2 × CLOSE_RANGES characters, each as a
 * one-unit range of its own a unit from the next (what Yjs writes for such a
 * deletion), which each read of the item must look up in one step, not range
 * by range. Touching ranges are no case: the relay refuses them before any
 * walk (4422, disorderedDeletions in server/relay/validate-update.ts). And a
 * frame of one mark typed just after MAX_SKIPPED_PER_UPDATE such items
 * deleted: the join check walks the whole budget back to the letter before
 * them, the most one frame can make the walks cost
 * (server/relay/applied-text.ts). `npm run bench -- deletedWalk`;
 * run this file alone with `npx tsx bench/deleted-walk.ts`.
 */
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { assessmentText, entities, initBoardDoc } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { MAX_SKIPPED_PER_UPDATE } from '../server/relay/applied-text.ts'
import { validateUpdate } from '../server/relay/validate-update.ts'
import { craftedDeletions } from '../test/helpers/crafted-update.ts'
import { median } from './median.ts'

export type DeletedWalkBenchResult = {
  deletedItems: number
  frameBytes: number
  validateMs: number
  fastestMs: number
  refused: boolean
  close: { ranges: number; frameBytes: number; validateMs: number; fastestMs: number; refused: boolean }
  /** `steps`: those the walks took, of MAX_SKIPPED_PER_UPDATE. */
  fullWalk: { steps: number; frameBytes: number; validateMs: number; fastestMs: number; refused: boolean }
}

const DELETED_ITEMS = 150_000
const RUNS = 11
const TYPIST = 777_001
const CLOSE_RANGES = 5_000

/** The median and fastest time validateUpdate takes over `frame`, and its verdict. */
function timeValidation(frame: Uint8Array, board: Y.Doc): { validateMs: number; fastestMs: number; refused: boolean } {
  let refused = false
  const times: number[] = []
  for (let run = 0; run <= RUNS; run++) {
    const start = performance.now()
    refused = validateUpdate(frame, board).refused !== null
    if (run > 0) times.push(performance.now() - start)
  }
  const round = (ms: number) => Math.round(ms * 100) / 100
  return { validateMs: round(median(times)), fastestMs: round(Math.min(...times)), refused }
}

/** A board whose one judgment, "Plain.", TYPIST has then written in as `write` does. */
function boardWrittenIn(title: string, write: (judgment: Y.Text, typist: Y.Doc) => void): Y.Doc {
  const board = new Y.Doc()
  initBoardDoc(board, { title })
  const card = addAssessment(board, { title: 'Card', judgment: 'Plain.' })
  const typist = new Y.Doc()
  typist.clientID = TYPIST
  Y.applyUpdate(typist, Y.encodeStateAsUpdate(board))
  write(assessmentText(typist, card, 'judgment'), typist)
  Y.applyUpdate(board, Y.encodeStateAsUpdate(typist))
  typist.destroy()
  return board
}

/** One live item of 2 × CLOSE_RANGES characters, and a frame deleting every other one, each as a range of its own. */
function benchCloseRanges(): DeletedWalkBenchResult['close'] {
  const board = boardWrittenIn('Close ranges', (judgment) => judgment.insert(6, 'x'.repeat(2 * CLOSE_RANGES)))
  const frame = craftedDeletions(TYPIST, Array.from({ length: CLOSE_RANGES }, (_, range) => ({ clock: 2 * range, len: 1 })))
  const timed = timeValidation(frame, board)
  board.destroy()
  return { ranges: CLOSE_RANGES, frameBytes: frame.byteLength, ...timed }
}

/** One mark typed just after MAX_SKIPPED_PER_UPDATE deleted items, each of its own: a walk of the whole budget. */
function benchFullWalk(): DeletedWalkBenchResult['fullWalk'] {
  const board = boardWrittenIn('Full walk', (judgment, typist) => {
    typist.transact(() => { for (let i = 0; i < MAX_SKIPPED_PER_UPDATE; i++) judgment.insert(6, 'x') })
    typist.transact(() => judgment.delete(6, MAX_SKIPPED_PER_UPDATE))
  })
  // Right after the stretch: Yjs names its last deleted character as the one before the mark.
  const writer = new Y.Doc()
  Y.applyUpdate(writer, Y.encodeStateAsUpdate(board))
  let frame: Uint8Array | undefined
  writer.once('update', (update: Uint8Array) => (frame = update))
  assessmentText(writer, [...entities(writer, 'assessments')][0]![0], 'judgment').insert(6, '\u0301')
  writer.destroy()
  const timed = timeValidation(frame!, board)
  // A step a byte (walk-cost.ts): what the walks cost is the steps they took.
  const steps = validateUpdate(frame!, board).walkCostBytes ?? 0
  board.destroy()
  return { steps, frameBytes: frame!.byteLength, ...timed }
}

export async function benchDeletedWalk(): Promise<DeletedWalkBenchResult> {
  const board = boardWrittenIn('Deleted', (judgment, typist) => {
    typist.transact(() => { for (let i = 0; i < DELETED_ITEMS; i++) judgment.insert(6, 'x') })
    typist.transact(() => judgment.delete(6, DELETED_ITEMS))
  })
  const frame = craftedDeletions(TYPIST, [{ clock: 0, len: Y.getState(board.store, TYPIST) }])
  const timed = timeValidation(frame, board)
  board.destroy()
  return { deletedItems: DELETED_ITEMS, frameBytes: frame.byteLength, ...timed, close: benchCloseRanges(), fullWalk: benchFullWalk() }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchDeletedWalk(), null, 2))
