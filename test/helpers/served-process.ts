/**
 * The real `assay serve` in a process of its own, started as an operator
 * starts it (compiled, as `npm start` runs it), for the tests of how a start
 * ends: its output, its exit, and its end at a test's end.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { compiledScript } from './compiled-processes.ts'
import { waitFor } from './wait-for.ts'

const ASSAY = compiledScript(fileURLToPath(new URL('../../server/cli/main.ts', import.meta.url)))
/** Starting, migrating, and failing: on a loaded machine too. */
export const START_MS = 60_000

export type Serving = {
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
  /** Freezes the process (SIGSTOP): its timers stop, and its connections stay open unsaid. */
  freeze(): void
  /** Ends the process if it still runs (SIGKILL: a test that failed leaves nothing behind). */
  kill(): Promise<void>
}

/** `assay serve` on `env` over the test's defaults (no database or Redis URL, port 0, no metrics port). */
export function serve(env: Record<string, string>): Serving {
  const child = spawn(process.execPath, [ASSAY, 'serve'], {
    env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '', PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    freeze: () => child.kill('SIGSTOP'),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

/** The process's exit code, once it has exited by itself; a process still running at the deadline fails the test. */
export async function exitCode(serving: Serving): Promise<number | null> {
  let code: number | null | undefined
  void serving.exited.then((exited) => (code = exited))
  await until(serving, () => code !== undefined, 'assay serve to exit by itself')
  return code ?? null
}

/** Waits for `check` (on the process's output) up to START_MS, failing with that output. */
export async function until(serving: Serving, check: () => boolean, what: string): Promise<void> {
  await waitFor(check, what, START_MS).catch((error: unknown) => {
    throw new Error(`${String(error)}; its output: ${serving.stdout()}${serving.stderr()}`)
  })
}
