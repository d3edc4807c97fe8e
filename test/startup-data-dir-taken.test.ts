/**
 * Two servers on one SQLite DATA_DIR without Redis both served, each with its
 * own rooms in memory: a page on one never saw edits made through the other
 * until a restart (an operations red team). Now the second is refused with one
 * line naming the first's pid and what to do, and exits 1; a server killed
 * with SIGKILL blocks no start; servers with REDIS_URL share a DATA_DIR as
 * before, and refuse one without Redis beside them. Real server processes.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { withDeadline } from '../server/health/deadline.ts'
import { startChildServer, type ChildServer } from './helpers/child-server.ts'
import { startCli, type CliRun } from './helpers/run-cli.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { REDIS_URL, tempDir } from './helpers/test-server.ts'

/** Refused or started, on a loaded machine too. */
const START_MS = 60_000
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function dataDir(): string {
  const dir = tempDir()
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function serving(dir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const server = await startChildServer(dir, env)
  cleanups.push(() => server.kill())
  return server
}

/**
 * `assay serve` on `dir`, as an operator starts it: its exit, or a failure once it listens (it was not refused), the
 * process then stopped.
 */
async function serveRefused(dir: string, env: Record<string, string> = {}): Promise<CliRun> {
  const { child, done } = startCli(['serve'], { DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'info', ...env })
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    return done.then(() => undefined)
  })
  let stdout = ''
  const listening = new Promise<never>((_, reject) =>
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('assay is listening')) reject(new Error(`a second server started on ${dir}: ${stdout}`))
    }),
  )
  return withDeadline(Promise.race([done, listening]), START_MS, 'the second `assay serve`')
}

it('refuses a second server without Redis on a DATA_DIR one serves, naming its pid and what to do, and exits 1', { timeout: 3 * START_MS }, async () => {
  const dir = dataDir()
  const first = await serving(dir)

  const refused = await serveRefused(dir)
  expect(refused.code).toBe(1)
  expect(refused.stderr.trim().split('\n')).toEqual([
    `assay: another Assay server (pid ${first.process.pid}) serves ${dir} without REDIS_URL, keeping its boards in memory: pages on the two would not see each other's edits, so this one is not started. Stop that server, or give this server a DATA_DIR of its own, or, to serve the same boards from several servers, run each with DATABASE_URL (PostgreSQL) and REDIS_URL.`,
  ])
  // The first still serves.
  expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
  // A server in a process of its own (the test's, which prints what failed) is refused the same way.
  await expect(serving(dir)).rejects.toThrow(`another Assay server (pid ${first.process.pid}) serves ${dir} without REDIS_URL`)
})

it('starts after the server on its DATA_DIR was killed with SIGKILL, and holds the DATA_DIR in turn', { timeout: 3 * START_MS }, async () => {
  const dir = dataDir()
  const killed = await serving(dir)
  const killedNote = `assay-server.${killed.process.pid}.`
  expect(readdirSync(dir).some((name) => name.startsWith(killedNote))).toBe(true)
  await killed.kill('SIGKILL')

  const next = await serving(dir)
  expect((await fetch(`${next.url}/healthz`)).status).toBe(200)
  // The killed server's note is gone with it, and the next server is the one named.
  expect(readdirSync(dir).some((name) => name.startsWith(killedNote))).toBe(false)
  const refused = await serveRefused(dir)
  expect(refused.code).toBe(1)
  expect(refused.stderr).toContain(`another Assay server (pid ${next.process.pid}) serves ${dir} without REDIS_URL`)

  // Stopped as on SIGTERM, it takes its note away with its lock.
  await next.kill('SIGTERM')
  expect(readdirSync(dir).filter((name) => name.startsWith('assay-server.') && name !== 'assay-server.lock')).toEqual([])
  expect(existsSync(join(dir, 'assay-server.lock'))).toBe(true)
  const after = await serving(dir)
  expect((await fetch(`${after.url}/healthz`)).status).toBe(200)
})

const missing = await missingServices('redis')
describeUnless(missing)('with REDIS_URL', () => {
  it('servers share a DATA_DIR as before, and refuse one without Redis beside them, which refuses them in turn', { timeout: 5 * START_MS }, async () => {
    const dir = dataDir()
    const withRedis = { REDIS_URL, REDIS_PREFIX: `data-dir-${process.pid}-${Date.now()}` }
    const first = await serving(dir, withRedis)
    const second = await serving(dir, withRedis)
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200)

    const refused = await serveRefused(dir)
    expect(refused.code).toBe(1)
    const pids = [first.process.pid!, second.process.pid!].sort((a, b) => a - b)
    expect(refused.stderr).toContain(`Assay servers with REDIS_URL (pid ${pids[0]}, pid ${pids[1]}) serve ${dir}; this one, without REDIS_URL, would not hear their edits`)

    await first.kill('SIGTERM')
    await second.kill('SIGTERM')
    const alone = await serving(dir)
    const refusedWithRedis = await serveRefused(dir, withRedis)
    expect(refusedWithRedis.code).toBe(1)
    expect(refusedWithRedis.stderr).toContain(`another Assay server (pid ${alone.process.pid}) serves ${dir} without REDIS_URL`)
  })
})
