/**
 * Only the large board's cold load, as `bench/relay.ts` times it, several
 * times in one process: the board of 1,000 assessments written once, then
 * loaded from storage into a room and unloaded, `--loads N` times (default
 * 9). Prints each load's time and the process's CPU time during it (every
 * thread's: V8's collector helpers too), and their medians. Run with
 * `npx tsx bench/cold-load.ts`; profile with `node --cpu-prof --import tsx bench/cold-load.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { startServer } from '../server/server.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { BENCH_LIMITS } from './bench-limits.ts'
import { largeBoard } from './export.ts'
import { median } from './median.ts'
import { OPERATOR } from './relay.ts'

const { values } = parseArgs({ options: { loads: { type: 'string', default: '9' } } })
const loads = Number(values.loads)

const dataDir = mkdtempSync(join(tmpdir(), 'assay-cold-load-'))
// Unloaded as soon as nobody holds it, so that each load below is a cold one.
const server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROOM_IDLE_MS: '0', ...BENCH_LIMITS }), {
  access: () => openAccess(),
  logger: createLogger('silent'),
})
try {
  const { rooms } = server.services
  const boardId = await createBoard(server.services, { title: 'large' }, OPERATOR)
  await rooms.withRoom(boardId, (room) => room.change((doc) => replaceBoardContent(doc, { ...largeBoard(), id: boardId, title: 'large' }, serverOrigin('bench'))))
  const times: number[] = []
  const cpuTimes: number[] = []
  for (let i = 0; i < loads; i++) {
    while (rooms.loadedRooms.has(boardId)) await new Promise((resolve) => setImmediate(resolve))
    const cpuBefore = process.cpuUsage()
    const start = performance.now()
    await rooms.withRoom(boardId, () => undefined)
    times.push(performance.now() - start)
    const cpu = process.cpuUsage(cpuBefore)
    cpuTimes.push((cpu.user + cpu.system) / 1000)
  }
  const rounded = (values: number[]) => values.map((value) => Math.round(value))
  console.log(JSON.stringify({ loadsMs: rounded(times), medianMs: Math.round(median(times)), cpuMs: rounded(cpuTimes), medianCpuMs: Math.round(median(cpuTimes)) }))
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
