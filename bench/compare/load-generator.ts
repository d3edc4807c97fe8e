/**
 * The comparison's load generator: a process of its own, so that its clients'
 * CPU is never the server's. The bench (bench/compare.ts) asks it for a round
 * against a target; it asks the bench, over the same channel, for what only
 * the server process can tell (its CPU time, its memory, new boards).
 */
import { answerCalls, call } from './ipc.js'
import { fanOut, largeSync, manyBoards, throughput, type ScenarioContext } from './scenarios.ts'
import type { TargetReady } from './server-probe.js'
import { Signal } from './signal.ts'
import type { CompareSizes, RoundFigures } from './figures.ts'

if (!process.send) throw new Error('bench/compare/load-generator.ts runs under bench/compare.ts, with an IPC channel')

async function round({ target, sizes }: { target: TargetReady; sizes: CompareSizes }): Promise<Omit<RoundFigures, 'startRssMiB'>> {
  const context: ScenarioContext = {
    target,
    signal: new Signal(),
    server: {
      cpuMicros: () => call<number>(process, 'cpu'),
      memory: () => call<NodeJS.MemoryUsage>(process, 'memory'),
      boards: (count) => call<string[]>(process, 'boards', count),
    },
  }
  const fanOuts = []
  for (const readers of sizes.readers) fanOuts.push(await timed(target, `fan-out to ${readers}`, () => fanOut(context, readers, sizes.edits)))
  return {
    fanOut: fanOuts,
    throughput: await timed(target, 'throughput', () => throughput(context, sizes.writers, sizes.throughputReaders, sizes.editsEach)),
    manyBoards: await timed(target, 'many boards', () => manyBoards(context, sizes.boards, sizes.clientsPerBoard)),
    largeSync: await timed(target, 'large board', () => largeSync(context, sizes.largeAssessments, sizes.syncSamples)),
  }
}

/** Runs a scenario and says on stderr how long it took, setting up and checking included. */
async function timed<T>(target: TargetReady, what: string, scenario: () => Promise<T>): Promise<T> {
  const started = Date.now()
  const result = await scenario()
  console.error(`compare:   ${target.dialect}, ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return result
}

answerCalls(process, { round })
process.on('disconnect', () => process.exit(0))
