/**
 * Signals sent to a server process while it shuts down: a second one is
 * answered with a line saying how long is left before the deadline, and the
 * drain goes on; a third, or a second SIGINT (Ctrl-C twice), ends the process
 * at once with 128 + the signal's number and a line saying that edits not yet
 * committed were not waited for. Before, any second signal ended the process
 * at once with status 1 (an orchestrator repeating SIGTERM cut the drain short).
 * The shutdown is held open by an import whose commit never returns: the
 * server waits for it until its deadline.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { apiClient } from '../helpers/api.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** Far longer than the test: the shutdown is still draining when the signals that follow arrive. */
const SHUTDOWN_TIMEOUT_MS = 600_000
const START_MS = 60_000
const STALLING = fileURLToPath(new URL('../helpers/serve-stalling.ts', import.meta.url))

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A server process whose shutdown, once begun, waits on an import whose commit never returns (serve-stalling.ts). */
async function drainingServer(): Promise<ChildServer> {
  const dataDir = tempDir('assay-shutdown-signals-')
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const stall = join(dataDir, 'stall-after-commit')
  const child = await startChildServer(dataDir, { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), STALL_AFTER_COMMIT: stall }, STALLING)
  cleanups.push(() => child.kill())
  const api = apiClient(child.url)
  const boardId = await api.createBoard('Draining')
  writeFileSync(stall, '')
  void api.post(`/api/boards/${boardId}/import`, { text: 'Report one says the depot burned at dusk. [citation: Wire one]' }).catch(() => {})
  await waitFor(() => child.logs.includes('committed'), 'the import to be committed, and held')
  return child
}

function logged(child: ChildServer, message: RegExp): Record<string, unknown> | undefined {
  // serve-stalling.ts prints `committed` among the JSON lines.
  const lines = child.logs.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
  return lines.find((line) => message.test(String(line.msg)))
}

async function loggedSoon(child: ChildServer, message: RegExp): Promise<Record<string, unknown>> {
  return waitFor(() => logged(child, message), `a log line matching ${message}`).catch((error: unknown) => {
    throw new Error(`${String(error)}; its log: ${child.logs.join('\n')}`)
  })
}

async function exitOf(child: ChildServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  void child.exited.then((exited) => (exit = exited))
  return waitFor(() => exit, 'the server process to exit')
}

const IN_PROGRESS = /^shutdown in progress, \d+ s left before its deadline; a third signal, or a second SIGINT, exits at once/
const FORCED = /^signal repeated while shutting down: exiting now, without waiting for edits not yet committed/

it('a second SIGTERM is answered with the time left and the drain goes on; a third exits at once, 143', async () => {
  const child = await drainingServer()
  child.process.kill('SIGTERM')
  await loggedSoon(child, /^shutting down$/)
  child.process.kill('SIGTERM')
  const answered = await loggedSoon(child, IN_PROGRESS)
  expect(answered.signal).toBe('SIGTERM')
  expect(answered.leftMs).toBeGreaterThan(0)
  expect(answered.leftMs).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS)
  // Answered, not obeyed: the process still drains (it would have exited before its line was read).
  expect(child.process.exitCode).toBeNull()
  expect(logged(child, FORCED)).toBeUndefined()
  child.process.kill('SIGTERM')
  expect(await exitOf(child)).toEqual({ code: 143, signal: null })
  expect(await loggedSoon(child, FORCED)).toMatchObject({ signal: 'SIGTERM', signals: 3 })
}, START_MS)

it('SIGINT twice, as at a terminal, exits at once with 130', async () => {
  const child = await drainingServer()
  child.process.kill('SIGINT')
  await loggedSoon(child, /^shutting down$/)
  child.process.kill('SIGINT')
  expect(await exitOf(child)).toEqual({ code: 130, signal: null })
  expect(await loggedSoon(child, FORCED)).toMatchObject({ signal: 'SIGINT', signals: 2 })
  expect(logged(child, IN_PROGRESS)).toBeUndefined()
}, START_MS)
