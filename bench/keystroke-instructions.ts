/**
 * The instructions a sparse keystroke's own work costs the server, counted by
 * valgrind's callgrind, which a shared machine's load does not change (CPU
 * time on two cores shared with other suites varies by a third from run to
 * run). `npx tsx bench/keystroke-instructions.ts [--target assay]
 * [--checkout DIR] [--readers 10] [--warm 0] [--edits 200] [--out FILE]`
 * starts a target's server (Assay's compiled server of a checkout, built
 * beforehand with `npm run build:server`) under callgrind as the comparison
 * starts it (bench/compare/server-process.ts), opens one writer and the
 * readers on a fresh board, types `--warm` keystrokes uncounted, then counts
 * while `--edits` more are typed, each once every reader has the one before,
 * as the comparison's fan-out row does (its defaults: a fresh server, 200
 * keystrokes). Counted: what the main thread runs under a socket's read and
 * the setImmediate callbacks, that is the keystroke's frame read, checked
 * and applied, and its commit and broadcast, with the collections they
 * trigger; not timers (under valgrind a keystroke takes a hundred times as
 * long, and timers would run a hundred times as often), nor other threads.
 * Prints instructions per keystroke; `callgrind_annotate FILE-01` says where
 * they went (V8's code is named in /tmp/perf-<pid>.map).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { convergesTo, RelayClient } from './compare/relay-client.ts'
import { startTarget } from './compare/server-process.ts'
import { Signal } from './compare/signal.ts'
import { TARGETS } from './compare/targets.ts'
import { assayOf } from './assay-ab.ts'

const FLAGS = {
  target: { type: 'string', default: 'assay' },
  checkout: { type: 'string' },
  readers: { type: 'string', default: '10' },
  warm: { type: 'string', default: '0' },
  edits: { type: 'string', default: '200' },
  out: { type: 'string' },
} as const

/** Under valgrind a keystroke takes tens of milliseconds; a wait that long is not a lost frame. */
const WAIT_MS = 600_000

/** The instructions counted in one thread's file, from the `totals:` line that ends it (its `summary:` line reads 0 once the counters were zeroed). */
function countedInstructions(file: string): number {
  const totals = /^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'))
  if (!totals) throw new Error(`no totals line in ${file}`)
  return Number(totals[1])
}

/** Every thread's file callgrind wrote for `out` (`<out>-01`, `<out>-02`, …; the main thread's first). */
function threadFiles(out: string): string[] {
  const prefix = `${basename(out)}-`
  return readdirSync(dirname(out))
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .sort()
    .map((name) => join(dirname(out), name))
}

export async function benchKeystrokeInstructions(args: string[]): Promise<{ readers: number; edits: number; instructionsPerKeystroke: number; file: string }> {
  const { values } = parseArgs({ args, options: FLAGS, strict: true })
  const [readerCount, warm, edits] = [values.readers, values.warm, values.edits].map(Number) as [number, number, number]
  const checkout = resolve(values.checkout ?? fileURLToPath(new URL('..', import.meta.url)))
  const file = resolve(values.out ?? join(tmpdir(), `keystroke-${process.pid}.callgrind`))
  const target = values.target === 'assay' ? assayOf(checkout) : TARGETS.find((other) => other.id === values.target)
  if (!target) throw new Error(`--target is one of ${TARGETS.map((other) => other.id).join(', ')}`)
  const server = await startTarget(target, { callgrindOut: file })
  const signal = new Signal()
  const ready = server.ready
  // Valgrind names its control pipes after $HOST, which the server's settings set: callgrind_control finds them by the same.
  const controlEnv = { ...process.env, ...target.env(tmpdir()) }
  const control = (...flags: string[]) =>
    execFileSync('callgrind_control', [`--vgdb-prefix=${file}.vgdb`, ...flags, String(server.pid)], { env: controlEnv, stdio: ['ignore', 'ignore', 'inherit'] })
  try {
    const [board] = await server.boards(1)
    const writer = new RelayClient(ready, board!, { signal, doc: new Y.Doc() })
    await writer.synced
    const cardId = addAssessment(writer.doc!, { title: 'keystrokes' })
    let arrived = 0
    let edit = 0
    const lastSeen = new Map<RelayClient, number>()
    const readers = Array.from({ length: readerCount }, () => {
      const reader: RelayClient = new RelayClient(ready, board!, {
        signal,
        onUpdate: () => {
          if (edit === 0 || lastSeen.get(reader) === edit) return
          lastSeen.set(reader, edit)
          arrived++
        },
      })
      return reader
    })
    await Promise.all(readers.map((reader) => reader.synced))
    await signal.until(() => readers.every((reader) => convergesTo(reader, writer.doc!)), 'the card at every reader', WAIT_MS)
    const text = assessmentText(writer.doc!, cardId, 'judgment')
    const type = async (count: number) => {
      for (let i = 0; i < count; i++) {
        edit++
        arrived = 0
        text.insert(text.length, 'x')
        await signal.until(() => arrived === readerCount, `keystroke ${edit} at every reader`, WAIT_MS)
      }
    }
    await type(warm)
    control('--zero')
    control('--instr=on')
    await type(edits)
    control('--instr=off')
    await Promise.all([writer, ...readers].map((client) => client.close()))
    writer.doc!.destroy()
  } finally {
    await server.stop()
  }
  // Only the main thread runs a socket's reads and the setImmediate callbacks: the other threads' files count nothing.
  const [mainThread] = threadFiles(file)
  const result = { readers: readerCount, edits, instructionsPerKeystroke: Math.round(countedInstructions(mainThread!) / edits), file: mainThread! }
  console.error(`keystroke-instructions: ${result.instructionsPerKeystroke} instructions a keystroke to ${readerCount} readers (${mainThread})`)
  return result
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchKeystrokeInstructions(process.argv.slice(2))))
