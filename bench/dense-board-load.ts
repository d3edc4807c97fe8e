/**
 * The cold load of a board made dense in structs within every allowance (red
 * team 38a): three times, 19 cards of 20,000-character judgments, then one
 * change deleting every other character (what a stock client's transaction
 * writes: one delete set of 190,000 disjoint one-character ranges). The board
 * then holds some 1.14 million structs in 3.4 MB. Written once as rows of its
 * log, as the relay stores a page's updates, then loaded from storage into a room and unloaded,
 * `--loads N` times (default 5); prints each load's time, the stored bytes,
 * the structs the loaded document holds, and the time a struct and a stored
 * MB took, beside what the cold-load budgets charge the load. Run with
 * `npx tsx bench/dense-board-load.ts` (`--rounds N`, 3 by default).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { loadCostInBytes, structsHeld } from '../server/relay/load-cost.ts'
import { startServer } from '../server/server.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { storeUpdate } from '../test/helpers/stored-board.ts'
import { BENCH_LIMITS } from './bench-limits.ts'
import { median } from './median.ts'
import { OPERATOR } from './relay.ts'
import { timedLoads } from './timed-loads.ts'

const { values } = parseArgs({ options: { loads: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } } })
const loads = Number(values.loads)
const rounds = Number(values.rounds)
const CARDS_A_ROUND = 19
const JUDGMENT_LENGTH = 20_000

const dataDir = mkdtempSync(join(tmpdir(), 'assay-dense-load-'))
const server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROOM_IDLE_MS: '0', ...BENCH_LIMITS }), {
  access: () => openAccess(),
  logger: createLogger('silent'),
})
/** Stores the update one transaction of `change` writes, as a page sends it: its new structs and the ranges it deleted only. */
function storeTransaction(boardId: string, change: (doc: Y.Doc) => void): Promise<void> {
  return storeUpdate(server, boardId, 'bench', (doc) => {
    let written: Uint8Array = new Uint8Array()
    doc.once('update', (update: Uint8Array) => {
      written = update
    })
    doc.transact(() => change(doc))
    return written
  })
}

try {
  const { rooms } = server.services
  const boardId = await createBoard(server.services, { title: 'dense' }, OPERATOR)
  // Stored as the relay stores a page's updates, each a row of the log, the room unloaded meanwhile.
  while (rooms.loadedRooms.has(boardId)) await new Promise((resolve) => setImmediate(resolve))
  for (let round = 0; round < rounds; round++) {
    let made: string[] = []
    await storeTransaction(boardId, (doc) => {
      made = Array.from({ length: CARDS_A_ROUND }, (_, i) => addAssessment(doc, { title: `Long ${round}.${i}`, judgment: 'ab'.repeat(JUDGMENT_LENGTH / 2) }))
    })
    await storeTransaction(boardId, (doc) => {
      for (const id of made) {
        const text = assessmentText(doc, id, 'judgment')
        // Each deletion moves the characters after it one place back: the next to delete is then one place on.
        for (let at = 1; at <= JUDGMENT_LENGTH / 2; at++) text.delete(at, 1)
      }
    })
  }
  let measured = { storedBytes: 0, structs: 0, charged: 0 }
  const { times, cpuTimes } = await timedLoads(rooms, boardId, loads, (room) => {
    measured = { storedBytes: room.storedBytes, structs: structsHeld(room.doc), charged: loadCostInBytes(room.storedBytes, room.doc) }
  })
  const medianMs = median(times)
  const medianCpuMs = median(cpuTimes)
  const rounded = (values: number[]) => values.map((value) => Math.round(value))
  console.log(
    JSON.stringify({
      loadsMs: rounded(times),
      medianMs: Math.round(medianMs),
      cpuMs: rounded(cpuTimes),
      medianCpuMs: Math.round(medianCpuMs),
      ...measured,
      cpuUsPerStruct: Number(((medianCpuMs * 1000) / measured.structs).toFixed(2)),
      cpuMsPerStoredMB: Math.round(medianCpuMs / (measured.storedBytes / 1e6)),
    }),
  )
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
