/**
 * A process named so that another process can tell whether it still runs:
 * a restore's leftovers in DATA_DIR (its copy `NAME.restoring-<run>`, its
 * staged rows `damaged-rows.restoring-<run>`), a server's note of itself beside
 * its DATA_DIR lock (data-dir-server.ts). A pid alone does not say: pids are
 * reused, a process is often pid 1 in a container, and a restore that took a
 * killed restore's leftovers for its own deleted the only copy of rows it had
 * set aside when it was refused, or could not write its copy over the killed
 * one's (red team 39b). So a run is its pid and, where Linux's /proc tells
 * it, when its process started, in clock ticks since boot (unchanged by an
 * exec): `<pid>.<ticks>`. Names an older release wrote carry the pid alone.
 */
import { readFileSync } from 'node:fs'

export type ProcessRun = { pid: number; started: string | null }

/** A run's part of a name, `<pid>` or `<pid>.<ticks>`, as a pattern with those two groups. */
export const RUN_PATTERN = '(\\d+)(?:\\.(\\d+))?'

/** This process's part of the names it leaves, or another process's (a test's command it started). */
export function runName(pid = process.pid): string {
  const started = startedTicks(pid)
  return started === null ? String(pid) : `${pid}.${started}`
}

/** The run a name's pid and ticks groups (RUN_PATTERN) name. */
export function runOf(pid: string, started: string | undefined): ProcessRun {
  return { pid: Number(pid), started: started ?? null }
}

/**
 * Whether `run` is still at work: a process of its pid runs and is the one
 * that started then. A name without the time is this process's own only if
 * left by an earlier one with its pid (a restore looks for leftovers before
 * it writes anything), and another's while its pid runs.
 */
export function stillRunning(run: ProcessRun): boolean {
  if (run.started === null) return run.pid !== process.pid && alive(run.pid)
  return alive(run.pid) && startedTicks(run.pid) === run.started
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Field 22 of /proc/<pid>/stat, after the command's name in parentheses (which may hold spaces); null where there is no /proc or no such process. */
function startedTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}
