/**
 * Two builds of Assay side by side, for a change to the relay's hot path:
 * `npx tsx bench/assay-ab.ts --base ../other-checkout` starts the compiled
 * server (dist/server, built beforehand with `npm run build:server`) of this
 * checkout and of the other one, each in a process of its own as the
 * comparison runs it (bench/compare/serve-assay.js), and keeps both running
 * while this process takes turns between them with the comparison's own
 * scenarios (bench/compare/scenarios.ts): one writer's keystrokes to N
 * readers, writers typing flat out, and (`--boards N`) N fresh boards opened by
 * two clients each at once. Only one server works at a time, so
 * a shared machine's load falls on both alike, turn after turn; the first
 * turn of each server warms it and is left out. Prints each turn's server
 * CPU per edit and its keystrokes' latency at p99 (per connecting client, and the time until all are synced, for
 * the boards) and the medians (stderr), and returns them.
 */
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { fanOut, manyBoards, throughput, type ScenarioContext } from './compare/scenarios.ts'
import { startTarget, type TargetServer } from './compare/server-process.ts'
import { Signal } from './compare/signal.ts'
import { TARGETS, type Target } from './compare/targets.ts'
import { median } from './median.ts'

const FLAGS = {
  base: { type: 'string' },
  turns: { type: 'string', default: '6' },
  readers: { type: 'string', default: '10,50' },
  edits: { type: 'string', default: '1000' },
  writers: { type: 'string', default: '20' },
  'throughput-readers': { type: 'string', default: '50' },
  'edits-each': { type: 'string', default: '100' },
  boards: { type: 'string', default: '0' },
} as const

/** As the comparison opens each board (bench/compare.ts's `--clients-per-board`). */
const CLIENTS_PER_BOARD = 2

type Server = { name: string; context: ScenarioContext; process: TargetServer }

/** The comparison's Assay target, run from `checkout`'s own serve script and compiled server. */
export function assayOf(checkout: string): Target {
  const assay = TARGETS.find((target) => target.id === 'assay')!
  const compareDir = fileURLToPath(new URL('./compare/', import.meta.url))
  return { ...assay, script: relative(compareDir, join(checkout, 'bench', 'compare', assay.script)) }
}

async function startServer(name: string, checkout: string): Promise<Server> {
  const started = await startTarget(assayOf(checkout))
  return { name, process: started, context: { target: started.ready, signal: new Signal(), server: started } }
}

export async function benchAssayAb(args: string[]): Promise<Record<string, Record<string, number[]>>> {
  const { values } = parseArgs({ args, options: FLAGS, strict: true })
  if (!values.base) throw new Error('--base names the other checkout, its server built (npm run build:server)')
  const readers = values.readers.split(',').map(Number).filter((count) => count > 0)
  const [edits, turns, writers, throughputReaders, editsEach, boards] = [values.edits, values.turns, values.writers, values['throughput-readers'], values['edits-each'], values.boards].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const here = fileURLToPath(new URL('..', import.meta.url))
  const servers = [await startServer('this', here), await startServer('base', resolve(values.base))]
  const figures: Record<string, Record<string, number[]>> = { this: {}, base: {} }
  const note = (server: Server, row: string, figure: number, turn: number) => {
    console.error(`assay-ab: turn ${turn}, ${server.name}, ${row}: ${figure}`)
    if (turn > 0) (figures[server.name]![row] ??= []).push(figure)
  }
  try {
    for (let turn = 0; turn <= turns; turn++) {
      for (const server of turn % 2 === 0 ? servers : [...servers].reverse()) {
        for (const count of readers) {
          const figures = await fanOut(server.context, count, edits)
          note(server, `1 writer → ${count} readers, µs an edit`, figures.cpuMicrosPerEdit, turn)
          note(server, `1 writer → ${count} readers, latency p99 ms`, figures.latencyMs.p99, turn)
        }
        if (writers > 0) note(server, `${writers} writers → ${throughputReaders} readers, µs an edit`, (await throughput(server.context, writers, throughputReaders, editsEach)).cpuMicrosPerEdit, turn)
        if (boards > 0) {
          const opened = await manyBoards(server.context, boards, CLIENTS_PER_BOARD)
          note(server, `${boards} boards × ${CLIENTS_PER_BOARD} clients, µs a client`, opened.cpuMicrosPerClient, turn)
          note(server, `${boards} boards × ${CLIENTS_PER_BOARD} clients, ms until all synced`, opened.connectAndSyncMs, turn)
        }
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.process.stop()))
  }
  for (const row of Object.keys(figures.this!)) {
    const [mine, base] = [median(figures.this![row]!), median(figures.base![row]!)]
    console.error(`assay-ab: ${row}: this ${mine}, base ${base} (${(mine / base).toFixed(2)}×)`)
  }
  return figures
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchAssayAb(process.argv.slice(2))))
}
