/**
 * What one round measures of a target, and the table of medians over the
 * rounds with each figure's ratio to the best target's.
 */
import { median } from '../median.ts'
import type { FanOutFigures, LargeSyncFigures, ManyBoardsFigures, ThroughputFigures } from './scenarios.ts'

export type CompareSizes = {
  rounds: number
  /** Readers of the one writer, one fan-out run for each. */
  readers: number[]
  /** Keystrokes of each fan-out run. */
  edits: number
  writers: number
  throughputReaders: number
  editsEach: number
  boards: number
  clientsPerBoard: number
  /** Assessments of the large board (five claims each); 290 make about 1.1 MB. */
  largeAssessments: number
  syncSamples: number
  /** Target ids to run (targets.ts). */
  targets: string[]
  /** Where each target server writes a CPU profile of its round (node --cpu-prof), when set. */
  profileDir: string | null
  /** Where each target server's round is recorded by `perf record` and broken down by fan-out run (perf-breakdown.ts), when set. */
  perfDir: string | null
}

export type RoundFigures = {
  fanOut: FanOutFigures[]
  throughput: ThroughputFigures
  manyBoards: ManyBoardsFigures
  largeSync: LargeSyncFigures
  startRssMiB: number
}

/** A row of the table: how to read the figure from a round, its unit, and which way is better. */
type Row = { label: string; unit: string; read: (round: RoundFigures) => number; higherIsBetter?: boolean; also?: (round: RoundFigures) => number }

function rows(sizes: CompareSizes, sample: RoundFigures): Row[] {
  const fanOutRows = sizes.readers.flatMap((readers, i): Row[] => [
    { label: `server CPU per edit, 1 writer → ${readers} readers`, unit: 'µs', read: (r) => r.fanOut[i]!.cpuMicrosPerEdit },
    { label: `fan-out 1 → ${readers}, latency p99 / max`, unit: 'ms', read: (r) => r.fanOut[i]!.latencyMs.p99, also: (r) => r.fanOut[i]!.latencyMs.max },
  ])
  const { writers, throughputReaders, boards, clientsPerBoard } = sizes
  return [
    ...fanOutRows,
    { label: `${writers} writers → ${throughputReaders} readers, edits/s delivered`, unit: '', read: (r) => r.throughput.editsPerSecond, higherIsBetter: true },
    { label: 'server CPU per edit under that throughput', unit: 'µs', read: (r) => r.throughput.cpuMicrosPerEdit },
    { label: `${boards} boards × ${clientsPerBoard} clients, connect and first sync`, unit: 'ms', read: (r) => r.manyBoards.connectAndSyncMs },
    { label: 'server CPU per client connecting and syncing', unit: 'µs', read: (r) => r.manyBoards.cpuMicrosPerClient },
    { label: 'memory per loaded board (heap and external, after a full collection)', unit: 'KiB', read: (r) => r.manyBoards.memoryKiBPerBoard },
    { label: 'process memory at start (resident)', unit: 'MiB', read: (r) => r.startRssMiB },
    { label: `fresh client's sync of a ${(sample.largeSync.stateBytes / 1e6).toFixed(1)} MB board, p50`, unit: 'ms', read: (r) => r.largeSync.syncMs.p50 },
  ]
}

const format = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 10) / 10))

export type MedianRow = { label: string; unit: string; higherIsBetter: boolean; medians: Record<string, number>; alsoMedians?: Record<string, number> }

/** Medians per row and target, over the rounds. */
export function medianRows(sizes: CompareSizes, rounds: Record<string, RoundFigures[]>): MedianRow[] {
  const titles = Object.keys(rounds)
  const sample = rounds[titles[0]!]![0]!
  return rows(sizes, sample).map((row) => ({
    label: row.label,
    unit: row.unit,
    higherIsBetter: row.higherIsBetter ?? false,
    medians: Object.fromEntries(titles.map((title) => [title, median(rounds[title]!.map(row.read))])),
    ...(row.also ? { alsoMedians: Object.fromEntries(titles.map((title) => [title, median(rounds[title]!.map(row.also!))])) } : {}),
  }))
}

/** The table in Markdown: each cell a median and its ratio to the best (1.00× is the best; a higher ratio is that much worse). */
export function markdownTable(rowsOfMedians: MedianRow[]): string {
  const titles = Object.keys(rowsOfMedians[0]!.medians)
  const lines = [`| | ${titles.join(' | ')} |`, `|---|${titles.map(() => '---:').join('|')}|`]
  for (const row of rowsOfMedians) {
    const values = titles.map((title) => row.medians[title]!)
    const best = row.higherIsBetter ? Math.max(...values) : Math.min(...values)
    const cells = titles.map((title) => {
      const value = row.medians[title]!
      const ratio = row.higherIsBetter ? best / value : value / best
      const shown = row.alsoMedians ? `${format(value)} / ${format(row.alsoMedians[title]!)}` : format(value)
      return `${shown}${row.unit ? ` ${row.unit}` : ''} (${best === 0 ? '–' : ratio.toFixed(2)}×)`
    })
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}
