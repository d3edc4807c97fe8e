/**
 * Runs the real `assay` command line in a process of its own, as an operator
 * would: compiled, as `npm start` runs it (test/helpers/compiled-processes.ts).
 * The export and import tests run `server/cli/assay.js`, the command from the
 * TypeScript sources, too.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { compiledScript } from './compiled-processes.ts'
import { waitFor } from './wait-for.ts'

const ASSAY = compiledScript(fileURLToPath(new URL('../../server/cli/main.ts', import.meta.url)))

export type CliRun = { code: number | null; stdout: string; stderr: string }

/** `env` is added to this process' environment; `stdin` is written and closed. Resolves with the exit code and both outputs once it exits. */
export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<CliRun> {
  return startCli(args, env, stdin).done
}

/** As runCli, with the process, for a test that kills it part way. */
export function startCli(args: string[], env: Record<string, string>, stdin = ''): { child: ChildProcess; done: Promise<CliRun> } {
  return started(spawn(process.execPath, [ASSAY, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] }), stdin)
}

/**
 * As startCli, the process stopped (SIGSTOP, by the shell that then becomes it) before the command runs, for a test
 * that prepares something named after its pid first; `resume` lets it run.
 */
export async function startCliPaused(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; done: Promise<CliRun>; resume(): void }> {
  const child = spawn('sh', ['-c', 'kill -STOP $$ && exec "$0" "$@"', process.execPath, ASSAY, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  const run = started(child, '')
  await waitFor(() => stopped(child.pid!), 'the command stopped before it runs')
  return { ...run, resume: () => child.kill('SIGCONT') }
}

/** The state in /proc/PID/stat (past the command's name, in parentheses) is T once the process is stopped. */
function stopped(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat[stat.lastIndexOf(')') + 2] === 'T'
}

function started(child: ChildProcess, stdin: string): { child: ChildProcess; done: Promise<CliRun> } {
  const done = new Promise<CliRun>((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
  child.stdin!.end(stdin)
  return { child, done }
}
