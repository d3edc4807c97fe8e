/**
 * A target server in a process of its own (started with --expose-gc, an IPC
 * channel, and initial-heap.js loaded first; see server-probe.js), in a fresh
 * data folder that goes with it.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { call } from './ipc.js'
import { PERF_HZ } from './perf-breakdown.ts'
import type { TargetReady } from './server-probe.js'
import type { Target } from './targets.ts'

const STOP_TIMEOUT_MS = 20_000

export type TargetServer = {
  ready: TargetReady
  /** The server process's id (valgrind runs its guest in the same process). */
  pid: number
  cpuMicros(): Promise<number>
  memory(): Promise<NodeJS.MemoryUsage>
  boards(count: number): Promise<string[]>
  stop(): Promise<void>
}

export type Profiling = {
  /** Where the server writes a CPU profile (node --cpu-prof) when it stops. */
  profileDir?: string
  /** The file `perf record` writes of the whole server process, kernel and every thread (perf-breakdown.ts reads it). */
  perfData?: string
  /** The file valgrind's callgrind writes (bench/keystroke-instructions.ts): counting starts off, and `callgrind_control` turns it on. */
  callgrindOut?: string
}

export async function startTarget(target: Target, { profileDir, perfData, callgrindOut }: Profiling = {}): Promise<TargetServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `assay-compare-${target.id}-`))
  const script = fileURLToPath(new URL(`./${target.script}`, import.meta.url))
  const initialHeap = new URL('./initial-heap.js', import.meta.url).href
  // Node names each thread's profile after the process and thread ids; the main thread's is the largest.
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, target.id)}`] : []
  const node = [process.execPath, '--expose-gc', '--import', initialHeap, ...profile, script]
  const [command, ...args] = perfData ? underPerf(perfData, node) : callgrindOut ? underCallgrind(callgrindOut, node) : node
  const child = spawn(command!, args, {
    env: { ...process.env, ...target.env(dataDir) },
    // Whatever the server prints goes to stderr: stdout is the bench's JSON.
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  child.stdout!.pipe(process.stderr)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const removeData = () => rmSync(dataDir, { recursive: true, force: true })
  const ready = await new Promise<TargetReady>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${target.id} exited with ${code} before it was ready`))
    child.once('exit', onExit)
    child.on('message', function onReady(message) {
      if (typeof message !== 'object' || message === null || !('ready' in message)) return
      child.off('message', onReady)
      child.off('exit', onExit)
      resolve(message.ready as TargetReady)
    })
  }).catch((error: unknown) => {
    removeData()
    throw error
  })
  return {
    ready,
    pid: child.pid!,
    cpuMicros: () => call<number>(child, 'cpu'),
    memory: () => call<NodeJS.MemoryUsage>(child, 'memory'),
    boards: (count) => call<string[]>(child, 'boards', count),
    async stop() {
      // Disconnecting asks the server to close; one that does not in time is killed.
      if (child.connected) child.disconnect()
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
      removeData()
    },
  }
}

/**
 * `node` run under `perf record`: CPU-clock samples with call stacks, stamped
 * with CLOCK_MONOTONIC (process.hrtime's clock, so a scenario's window can be
 * cut out), and V8 writing the names of its compiled code where perf finds
 * them (--perf-basic-prof). The V8 log that flag also starts goes beside the
 * data, not into the working folder.
 */
function underPerf(perfData: string, [execPath, ...nodeArgs]: string[]): string[] {
  const record = ['perf', 'record', '--quiet', '-e', 'cpu-clock', '-F', String(PERF_HZ), '-g', '-k', 'CLOCK_MONOTONIC', '-o', perfData]
  return [...record, execPath!, '--perf-basic-prof', `--logfile=${perfData}.v8.log`, '--no-logfile-per-isolate', ...nodeArgs]
}

/**
 * `node` run under valgrind's callgrind, counting nothing until told to
 * (`callgrind_control -i on`): instructions, which a machine's load does not
 * change, for a window the caller chooses, of the work socket reads and
 * setImmediate callbacks run on the main thread; a file for each thread
 * (`<out>-01` the main thread's), and V8's map of its compiled code.
 */
function underCallgrind(out: string, node: string[]): string[] {
  const [execPath, ...nodeArgs] = node
  const callgrind = [
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    // Only what a socket's read and the setImmediate callbacks run: a keystroke's frame read, checked and applied, and
    // its commit and broadcast. Not timers, whose count follows the wall-clock time valgrind takes, nor other threads.
    '--collect-atstart=no',
    '--toggle-collect=node::LibuvStreamWrap::OnUvRead*',
    '--toggle-collect=node::Environment::CheckImmediate*',
    '--separate-threads=yes',
    `--callgrind-out-file=${out}`,
    `--vgdb-prefix=${out}.vgdb`,
  ]
  // V8 lists its compiled code in /tmp/perf-<pid>.map, which names the JavaScript behind callgrind's bare addresses.
  return [...callgrind, execPath!, '--perf-basic-prof', `--logfile=${out}.v8.log`, '--no-logfile-per-isolate', ...nodeArgs]
}
