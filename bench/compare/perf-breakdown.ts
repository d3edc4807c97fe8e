/**
 * Where a target server's CPU went during each fan-out run, read from a
 * `perf record` of its whole round (`--perf DIR`, see server-process.ts):
 * unlike `--cpu-prof`, it sees the kernel's share of a syscall and every
 * thread of the process, V8's own included (its optimizing compiler and its
 * collector run beside the JavaScript and count in the server's CPU time).
 * Samples are taken at PERF_HZ of each thread's CPU time and stamped with
 * CLOCK_MONOTONIC, the clock of the run's window (process.hrtime), so a sample
 * is CPU time spent within the window.
 */
import { spawn } from 'node:child_process'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'

/** Samples a second of a thread's CPU time. */
export const PERF_HZ = 4000

/** A stretch of a round, in CLOCK_MONOTONIC seconds, and the keystrokes made in it. */
export type PerfWindow = { label: string; fromSeconds: number; toSeconds: number; edits: number }

type Sample = { mainThread: boolean; seconds: number; frames: string[] }

const MAIN_THREAD_LINES = 14

/** The breakdown of each window as text: CPU per keystroke by kind of thread, and the main thread's by what it ran. */
export async function perfBreakdown(dataFile: string, windows: readonly PerfWindow[]): Promise<string> {
  const tallies = windows.map(() => ({ threads: new Map<string, number>(), main: new Map<string, number>() }))
  for await (const sample of samples(dataFile)) {
    const index = windows.findIndex((window) => sample.seconds >= window.fromSeconds && sample.seconds <= window.toSeconds)
    if (index < 0) continue
    const tally = tallies[index]!
    add(tally.threads, sample.mainThread ? 'main thread' : threadKind(sample.frames))
    if (sample.mainThread) add(tally.main, mainThreadActivity(sample.frames))
  }
  return windows
    .map((window, i) => {
      const microsPerEdit = (count: number) => `${Math.round((count * 1e6) / PERF_HZ / window.edits)} µs`
      const { threads, main } = tallies[i]!
      const total = [...threads.values()].reduce((sum, count) => sum + count, 0)
      const lines = [`${basename(dataFile)}, ${window.label}: ${microsPerEdit(total)} of CPU per keystroke`]
      for (const [kind, count] of byCount(threads)) lines.push(`  ${microsPerEdit(count).padStart(9)}  ${kind}`)
      lines.push('  main thread, by what it ran:')
      for (const [activity, count] of byCount(main).slice(0, MAIN_THREAD_LINES)) lines.push(`  ${microsPerEdit(count).padStart(9)}    ${activity}`)
      return lines.join('\n')
    })
    .join('\n\n')
}

/** The samples of `perf script`, read as it prints them: a header line (pid/tid and time), then one frame a line (address, symbol), innermost first. */
async function* samples(dataFile: string): AsyncGenerator<Sample> {
  const child = spawn('perf', ['script', '-i', dataFile, '-F', 'pid,tid,time,ip,sym'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  // Awaited once the output is read; until then a failure to start must not count as unhandled.
  exited.catch(() => undefined)
  let current: Sample | null = null
  for await (const line of createInterface({ input: child.stdout })) {
    const header = /^\s*(\d+)\/(\d+)\s+([\d.]+):\s*$/.exec(line)
    const frame = /^\s+[0-9a-f]+\s+(.*)$/.exec(line)
    if (header) {
      if (current) yield current
      current = { mainThread: header[1] === header[2], seconds: Number(header[3]), frames: [] }
    } else if (current && frame) {
      current.frames.push(frame[1]!)
    }
  }
  if (current) yield current
  const code = await exited
  if (code !== 0) throw new Error(`perf script -i ${dataFile} exited with ${code}`)
}

/** What a thread other than the main one is, from the frames it was started by. */
function threadKind(frames: readonly string[]): string {
  const stack = frames.join('\n')
  if (stack.includes('OptimizingCompileDispatcher')) return "V8's optimizing compiler (background)"
  if (stack.includes('PlatformWorkerThread')) return "V8's helper threads (collection, sweeping)"
  if (stack.includes('worker::Worker::Run')) return 'worker threads (node:worker_threads)'
  return 'other threads (libuv pool, signal)'
}

/** What the main thread was doing: a syscall or page fault (kernel time), a collection, or the innermost JavaScript function. */
function mainThreadActivity(frames: readonly string[]): string {
  // The frame below the kernel's syscall entry is the syscall's own (__x64_sys_pwrite64, do_writev, ksys_write: some
  // kernels inline write's entry into ksys_write), the scheduler run on the way out (the thread preempted, most often by
  // a task its socket write woke), or the entry and exit themselves.
  const syscallEntry = frames.indexOf('do_syscall_64')
  if (syscallEntry > 0) {
    const below = frames[syscallEntry - 1]!
    if (below === 'exit_to_user_mode_loop') return 'kernel: switched out on leaving a syscall'
    const syscall = /^(?:__x64_sys_|do_|ksys_)(\w+)$/.exec(below)
    return syscall ? `kernel: ${syscall[1]}` : 'kernel: entering and leaving syscalls'
  }
  if (frames.includes('asm_exc_page_fault')) return 'kernel: page faults'
  if (frames.some((frame) => /Scavenger|MarkCompact|Heap::|Marking|Sweeper/.test(frame))) return 'garbage collection'
  const script = frames.find((frame) => frame.includes('JS:'))
  if (script) return script.replace(/^.*?JS:[*^~]?/, '').replace(/file:\/\/\S*\/(node_modules|dist\/server)\//, '')
  return frames[0] ?? 'unknown'
}

function add(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

const byCount = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1])
