/**
 * What the board size limit (server/relay/board-size-limit.ts) costs a
 * commit on a board written under many client ids: a board of one card
 * whose judgment 5,000 client ids each typed a word into (as years of
 * pages, each a new id, leave it), loaded into the extension; then each
 * keystroke at the judgment's end followed by the extension's `onCommitted`,
 * as the room calls it. The room stands in as its document and the counts
 * the extension reads (Room.storedBytes, Room.structsAdded, summed from
 * each change as room.ts sums them), so only the hook is timed. Prints the
 * median µs per onCommitted over `--rounds` (5) of `--keystrokes` (2,000),
 * after a round to warm up.
 * Run with `npx tsx bench/size-limit-commit.ts`.
 */
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { createLogger } from '../server/log.ts'
import { BoardSizeLimit } from '../server/relay/board-size-limit.ts'
import { structsAddedAtMost, structsHeld } from '../server/relay/load-cost.ts'
import type { Room } from '../server/relay/room.ts'
import type { StoredBoardState } from '../server/storage/storage.ts'
import { piecesOf } from '../server/relay/transaction-pieces.ts'
import { median } from './median.ts'

const { values } = parseArgs({ options: { clients: { type: 'string', default: '5000' }, keystrokes: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' } } })
const clients = Number(values.clients)
const keystrokes = Number(values.keystrokes)
const rounds = Number(values.rounds)

const doc = new Y.Doc()
const card = addAssessment(doc, { title: 'Wagner moves north' })
const judgment = assessmentText(doc, card, 'judgment')
for (let client = 1; client <= clients; client++) {
  // A page's client id is its own: each word is written under a new one.
  doc.clientID = client
  judgment.insert(judgment.length, `word${client} `)
}
const stored = Y.encodeStateAsUpdate(doc)
const room = { boardId: 'bench', doc, storedBytes: stored.byteLength, structsAdded: 0, full: null, setFull: () => {}, whenSaved: () => Promise.resolve() }
doc.on('update', (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
  room.structsAdded += structsAddedAtMost(piecesOf(transaction))
})
const limit = new BoardSizeLimit({
  log: { bytes: () => Promise.resolve(room.storedBytes) },
  logger: createLogger('silent'),
  // Far past this board: no commit measures it, so each times the hook alone.
  limit: 1 << 30,
  compact: () => Promise.resolve(),
})
limit.onLoaded(room as unknown as Room, { checkpoint: stored, updates: [], rowSeqs: [], lastSeq: 1, completeThrough: 1 } satisfies StoredBoardState)

const perCommitUs: number[] = []
// The first round warms the code up, and is not counted.
for (let round = 0; round <= rounds; round++) {
  let spent = 0
  for (let i = 0; i < keystrokes; i++) {
    judgment.insert(judgment.length, 'x')
    const start = performance.now()
    limit.onCommitted(room as unknown as Room)
    spent += performance.now() - start
  }
  if (round > 0) perCommitUs.push((spent * 1000) / keystrokes)
}
await limit.close()
console.log(
  JSON.stringify({
    clientIds: doc.store.clients.size,
    structs: structsHeld(doc),
    perCommitUs: perCommitUs.map((us) => Number(us.toFixed(2))),
    medianUsPerCommit: Number(median(perCommitUs).toFixed(2)),
  }),
)
