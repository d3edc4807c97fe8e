/**
 * Runs the real `assay` command line in a process of its own, as an operator
 * would: compiled, as `npm start` runs it (test/helpers/compiled-processes.ts).
 * The export and import tests run `server/cli/assay.js`, the command from the
 * TypeScript sources, too.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { compiledScript } from './compiled-processes.ts'

const ASSAY = compiledScript(fileURLToPath(new URL('../../server/cli/main.ts', import.meta.url)))

export type CliRun = { code: number | null; stdout: string; stderr: string }

/** `env` is added to this process' environment; `stdin` is written and closed. Resolves with the exit code and both outputs once it exits. */
export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<CliRun> {
  return startCli(args, env, stdin).done
}

/** As runCli, with the process, for a test that kills it part way. */
export function startCli(args: string[], env: Record<string, string>, stdin = ''): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [ASSAY, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  const done = new Promise<CliRun>((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
  child.stdin.end(stdin)
  return { child, done }
}
