/** A server in a child process of its own, so a test can SIGKILL it. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { withDeadline } from '../../server/health/deadline.ts'
import { compiledScript } from './compiled-processes.ts'

const ENTRY = fileURLToPath(new URL('./serve-open.ts', import.meta.url))
/** How long a child may take to listen (it migrates) on a loaded machine. */
const LISTEN_DEADLINE_MS = 60_000

export type ChildServer = {
  url: string
  wsUrl: string
  process: ChildProcess
  /** Its log lines so far (JSON; pass LOG_LEVEL in `env` to see any). */
  logs: string[]
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  kill(signal?: NodeJS.Signals): Promise<void>
}

/**
 * `entry`: a script serving as serve-open.ts does (prints its URL), e.g.
 * serve-stalling.ts; the child runs its compiled JavaScript
 * (test/helpers/compiled-processes.ts), the process a SIGKILL ends.
 */
export async function startChildServer(dataDir: string, env: Record<string, string> = {}, entry = ENTRY): Promise<ChildServer> {
  const child = spawn(process.execPath, [compiledScript(entry)], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const logs: string[] = []
  const listening = new Promise<string>((resolve, reject) => {
    let partial = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        // The server prints its URL once listening; everything else on stdout is a log line.
        if (line.startsWith('http')) resolve(line.trim())
        else if (line.trim() !== '') logs.push(line)
      }
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${stderr}`)))
  })
  const url = await withDeadline(listening, LISTEN_DEADLINE_MS, 'the child server').catch((error: unknown) => {
    child.kill('SIGKILL')
    throw new Error(`${String(error)}; its output: ${stderr}`)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/ws',
    process: child,
    logs,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}
