/** Runs the real `assay` command line in a process of its own, as an operator would. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ASSAY = fileURLToPath(new URL('../../server/cli/assay.js', import.meta.url))

export type CliRun = { code: number | null; stdout: string; stderr: string }

/** `env` is added to this process' environment; `stdin` is written and closed. Resolves with the exit code and both outputs once it exits. */
export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ASSAY, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}
