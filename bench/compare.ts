/**
 * `npm run bench -- compare`: Assay against @y/websocket-server, Hocuspocus
 * and Hocuspocus with its SQLite extension, under the same load. One load
 * generator process (bench/compare/load-generator.ts) speaks each server's
 * protocol; each target runs in a process of its own, fresh for every round,
 * and reports its own CPU time and memory; the targets take turns within a
 * round, in an order that rotates from round to round. Prints a table of
 * medians with each figure's ratio to the best (stderr) and returns every
 * round's figures. Sizes are flags, e.g. `--rounds 5 --readers 10,50`;
 * `--profile DIR` has each server write a CPU profile there (node --cpu-prof);
 * `--perf DIR` records each server's round with `perf record` there and prints
 * where its CPU went in each fan-out run and under throughput, kernel and V8's own threads included.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { markdownTable, medianRows, type CompareSizes, type RoundFigures } from './compare/figures.ts'
import { answerCalls, call } from './compare/ipc.js'
import { perfBreakdown } from './compare/perf-breakdown.ts'
import type { FanOutFigures, ThroughputFigures } from './compare/scenarios.ts'
import { startTarget, type TargetServer } from './compare/server-process.ts'
import { TARGETS } from './compare/targets.ts'

const LOAD_GENERATOR = fileURLToPath(new URL('./compare/load-generator.ts', import.meta.url))
const TSX_LOADER = import.meta.resolve('tsx')
const MIB = 1024 * 1024

const FLAGS = {
  rounds: { type: 'string', default: '3' },
  readers: { type: 'string', default: '10,50,200' },
  edits: { type: 'string', default: '200' },
  writers: { type: 'string', default: '20' },
  'throughput-readers': { type: 'string', default: '50' },
  'edits-each': { type: 'string', default: '100' },
  boards: { type: 'string', default: '500' },
  'clients-per-board': { type: 'string', default: '2' },
  'large-assessments': { type: 'string', default: '290' },
  'sync-samples': { type: 'string', default: '15' },
  targets: { type: 'string', default: TARGETS.map((target) => target.id).join(',') },
  profile: { type: 'string' },
  perf: { type: 'string' },
} as const

function positive(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} takes a whole number above 0, not ${text}`)
  return n
}

export function compareSizes(args: string[]): CompareSizes {
  const { values } = parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true })
  const targets = values.targets.split(',')
  const unknown = targets.filter((id) => !TARGETS.some((target) => target.id === id))
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(', ')}; choose from ${TARGETS.map((target) => target.id).join(', ')}`)
  return {
    rounds: positive('rounds', values.rounds),
    readers: values.readers.split(',').map((n) => positive('readers', n)),
    edits: positive('edits', values.edits),
    writers: positive('writers', values.writers),
    throughputReaders: positive('throughput-readers', values['throughput-readers']),
    editsEach: positive('edits-each', values['edits-each']),
    boards: positive('boards', values.boards),
    clientsPerBoard: positive('clients-per-board', values['clients-per-board']),
    largeAssessments: positive('large-assessments', values['large-assessments']),
    syncSamples: positive('sync-samples', values['sync-samples']),
    targets,
    profileDir: values.profile ? resolve(values.profile) : null,
    perfDir: values.perf ? resolve(values.perf) : null,
  }
}

export type CompareResult = { sizes: CompareSizes; table: string; rounds: Record<string, RoundFigures[]> }

export async function benchCompare(args: string[]): Promise<CompareResult> {
  const sizes = compareSizes(args)
  if (sizes.perfDir) preparePerf(sizes.perfDir)
  const targets = TARGETS.filter((target) => sizes.targets.includes(target.id))
  for (const target of targets) target.prepare?.()
  const generator = spawn(process.execPath, ['--import', TSX_LOADER, LOAD_GENERATOR], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  let current: TargetServer | null = null
  const server = () => {
    if (!current) throw new Error('no target server is running')
    return current
  }
  answerCalls(generator, {
    cpu: () => server().cpuMicros(),
    memory: () => server().memory(),
    boards: (count: number) => server().boards(count),
  })
  const rounds: Record<string, RoundFigures[]> = Object.fromEntries(targets.map((target) => [target.title, []]))
  try {
    for (let round = 0; round < sizes.rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
      for (const target of order) {
        const started = Date.now()
        const perfData = sizes.perfDir ? join(sizes.perfDir, `${target.id}-round-${round + 1}.data`) : undefined
        current = await startTarget(target, { profileDir: sizes.profileDir ?? undefined, perfData })
        let figures: Omit<RoundFigures, 'startRssMiB'>
        try {
          figures = await call<Omit<RoundFigures, 'startRssMiB'>>(generator, 'round', { target: current.ready, sizes })
          rounds[target.title]!.push({ ...figures, startRssMiB: Math.round((current.ready.startMemory.rss / MIB) * 10) / 10 })
        } finally {
          await current.stop()
          current = null
        }
        if (perfData) await writeBreakdown(perfData, figures.fanOut, figures.throughput)
        console.error(`compare: round ${round + 1} of ${sizes.rounds}, ${target.title}: ${((Date.now() - started) / 1000).toFixed(1)} s`)
      }
    }
  } finally {
    generator.disconnect()
  }
  const table = markdownTable(medianRows(sizes, rounds))
  console.error(`\n${table}\n`)
  return { sizes, table, rounds }
}

function preparePerf(perfDir: string): void {
  const probe = spawnSync('perf', ['--version'], { stdio: 'ignore' })
  if (probe.error || probe.status !== 0) throw new Error('--perf needs Linux perf on the PATH (Debian: apt-get install linux-perf)')
  mkdirSync(perfDir, { recursive: true })
}

/** Prints where the server's CPU went in each fan-out run of the round and under throughput, and keeps it beside the recording. */
async function writeBreakdown(perfData: string, fanOuts: readonly FanOutFigures[], throughput: ThroughputFigures): Promise<void> {
  const windows = fanOuts.map(({ readers, edits, window }) => ({ label: `1 writer → ${readers} readers`, edits, ...window }))
  windows.push({ label: `${throughput.writers} writers → ${throughput.readers} readers`, edits: throughput.edits, ...throughput.window })
  const breakdown = await perfBreakdown(perfData, windows)
  writeFileSync(`${perfData}.txt`, `${breakdown}\n`)
  console.error(`\n${breakdown}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchCompare(process.argv.slice(2)), null, 2))
}
