/**
 * Deleted items of root types, which nothing frees (server/relay/dead-root-structs.ts):
 * what one person's hour of written bytes buys of them, and what a board of
 * `--dead N` of them (default 100,000) costs. A stock client's transactions
 * type 500 characters backwards into the bottom line and delete them, over
 * and over; each is charged as the relay charges it (written-cost.ts), and
 * stored as a row of the board's log. Then the board is loaded from
 * storage `--loads N` times (default 5), and its dead root structs counted
 * as the size limit counts them when it judges the board (deadRootStructs).
 * Prints the structs each person-hour (16 MiB) buys with the charge for
 * dead root structs and without it, the load's time and CPU, the walk's time,
 * and what the board counts for against the load budgets and the size limit.
 * Run with `npx tsx bench/dead-root-load.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { blufText } from '../shared/board-doc.ts'
import { RELAY_LIMITS } from '../shared/limits.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { deadRootStructs, fullnessInBytes } from '../server/relay/dead-root-structs.ts'
import { loadCostInBytes, structsHeld } from '../server/relay/load-cost.ts'
import { piecesOf } from '../server/relay/transaction-pieces.ts'
import { ROOT_STRUCT_BYTES, writtenCostInBytes } from '../server/relay/written-cost.ts'
import { startServer } from '../server/server.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { BENCH_LIMITS } from './bench-limits.ts'
import { median } from './median.ts'
import { OPERATOR } from './relay.ts'
import { timedLoads } from './timed-loads.ts'

const { values } = parseArgs({ options: { loads: { type: 'string', default: '5' }, dead: { type: 'string', default: '100000' } } })
const loads = Number(values.loads)
const CHUNK = 500
const rounds = Math.ceil(Number(values.dead) / CHUNK)

const dataDir = mkdtempSync(join(tmpdir(), 'assay-dead-root-'))
const server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROOM_IDLE_MS: '0', ...BENCH_LIMITS }), {
  access: () => openAccess(),
  logger: createLogger('silent'),
})

try {
  const { rooms } = server.services
  const boardId = await createBoard(server.services, { title: 'dead root structs' }, OPERATOR)
  while (rooms.loadedRooms.has(boardId)) await new Promise((resolve) => setImmediate(resolve))
  // One page's document, as one editor's: its updates are the log's rows, each charged as the relay charges it. Its every
  // character typed at the start walks the deleted ones before it (the page's cost, not the relay's: each arrives naming
  // its neighbours); pages typing there unaware of each other would instead cost every load a walk of the others' each.
  const page = new Y.Doc()
  const rows: Uint8Array[] = []
  let charged = 0
  page.on('update', (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    rows.push(update)
    charged += writtenCostInBytes(update, transaction, piecesOf(transaction))
  })
  const bluf = blufText(page)
  for (let round = 0; round < rounds; round++) {
    page.transact(() => {
      for (let i = 0; i < CHUNK; i++) bluf.insert(0, 'x')
    })
    page.transact(() => bluf.delete(0, CHUNK))
  }
  const dead = deadRootStructs(page).structs
  await server.services.storage.log.append(boardId, rows.map((update) => ({ update, origin: 'server' })))
  const chargedBefore = charged - dead * ROOT_STRUCT_BYTES
  const perHour = (bytes: number) => Math.round(RELAY_LIMITS.writtenBytesPerHour / (bytes / dead))
  const walks: number[] = []
  let measured = { storedBytes: 0, structs: 0, deadRootStructs: 0, deadRootBytesAtLeast: 0, loadCost: 0, fullness: 0 }
  const { times, cpuTimes } = await timedLoads(rooms, boardId, loads, (room) => {
    const walkStart = performance.now()
    const found = deadRootStructs(room.doc)
    walks.push(performance.now() - walkStart)
    measured = {
      storedBytes: room.storedBytes,
      structs: structsHeld(room.doc),
      deadRootStructs: found.structs,
      deadRootBytesAtLeast: found.bytes,
      loadCost: loadCostInBytes(room.storedBytes, room.doc),
      fullness: fullnessInBytes(room.storedBytes, structsHeld(room.doc), found),
    }
  })
  const rounded = (values: number[]) => values.map((value) => Math.round(value))
  console.log(
    JSON.stringify({
      deadRootStructsAnHourBefore: perHour(chargedBefore),
      deadRootStructsAnHourAfter: perHour(charged),
      loadsMs: rounded(times),
      medianMs: Math.round(median(times)),
      medianCpuMs: Math.round(median(cpuTimes)),
      medianWalkMs: Number(median(walks).toFixed(1)),
      ...measured,
    }),
  )
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
