/** A server in a child process of its own, so a test can SIGKILL it. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ENTRY = fileURLToPath(new URL('./serve-open.ts', import.meta.url))
/**
 * tsx as a loader of this very process, not its CLI: the CLI runs the script in
 * a second process of its own, which a SIGKILL of the first would leave running.
 */
const TSX_LOADER = import.meta.resolve('tsx')

export type ChildServer = { url: string; wsUrl: string; process: ChildProcess; kill(signal?: NodeJS.Signals): Promise<void> }

export async function startChildServer(dataDir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, ENTRY], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const line = stdout.split('\n')[0]
      if (stdout.includes('\n') && line) resolve(line.trim())
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${stderr}`)))
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/ws',
    process: child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}
