/**
 * What the relay's check costs for a tiny frame whose deletions cover many
 * items the board already holds deleted: one client's 150,000 one-character
 * items, typed backwards so Yjs never merges them, all deleted; then a frame of
 * about 10 bytes deleting that client's whole range again. Every rule that
 * reads deleted ranges (server/relay/held-deletions.ts, mark-joins.ts) must
 * pass over those items without a lookup each. `npm run bench -- deletedWalk`;
 * run this file alone with `npx tsx bench/deleted-walk.ts`.
 */
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { assessmentText, initBoardDoc } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { validateUpdate } from '../server/relay/validate-update.ts'
import { median } from './median.ts'

export type DeletedWalkBenchResult = { deletedItems: number; frameBytes: number; validateMs: number; fastestMs: number; refused: boolean }

const DELETED_ITEMS = 150_000
const RUNS = 11
const TYPIST = 777_001

/** A delete set alone: no structs, one client, one range from 0 to its clock. */
function deletionFrame(client: number, clock: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, clock)
  return encoding.toUint8Array(encoder)
}

export async function benchDeletedWalk(): Promise<DeletedWalkBenchResult> {
  const board = new Y.Doc()
  initBoardDoc(board, { title: 'Deleted' })
  const card = addAssessment(board, { title: 'Card', judgment: 'Plain.' })
  const typist = new Y.Doc()
  typist.clientID = TYPIST
  Y.applyUpdate(typist, Y.encodeStateAsUpdate(board))
  const text = assessmentText(typist, card, 'judgment')
  typist.transact(() => { for (let i = 0; i < DELETED_ITEMS; i++) text.insert(6, 'x') })
  typist.transact(() => text.delete(6, DELETED_ITEMS))
  Y.applyUpdate(board, Y.encodeStateAsUpdate(typist))
  typist.destroy()

  const frame = deletionFrame(TYPIST, Y.getState(board.store, TYPIST))
  let refused = false
  const times: number[] = []
  for (let run = 0; run <= RUNS; run++) {
    const start = performance.now()
    refused = validateUpdate(frame, board).refused !== null
    if (run > 0) times.push(performance.now() - start)
  }
  board.destroy()
  const round = (ms: number) => Math.round(ms * 100) / 100
  return { deletedItems: DELETED_ITEMS, frameBytes: frame.byteLength, validateMs: round(median(times)), fastestMs: round(Math.min(...times)), refused }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchDeletedWalk(), null, 2))
