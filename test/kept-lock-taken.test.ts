/**
 * A kept SQLite file lock (the held-changes spool's, a server's serving lock) whose file is deleted: a second process
 * retrying took the new file within milliseconds, and the holder's check, refused on it, took that for a command's brief
 * check and went on believing it held the lock, two processes each replaying and removing the spool's files. The holder
 * is now told it lost the lock (onTakenAway). Two real processes on one folder.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import { trySqliteServingLock } from '../server/storage/sqlite-serving-lock.ts'
import { compiledScript } from './helpers/compiled-processes.ts'
import { tempDir } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const TRY_KEPT_LOCK = fileURLToPath(new URL('./helpers/try-kept-lock.ts', import.meta.url))
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

it('tells the holder of a kept lock it lost it once another process takes the lock file put at its name', { timeout: 60_000 }, async () => {
  const folder = tempDir()
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }))
  const lock = trySqliteServingLock(folder, 'exclusive', { fileName: 'spool.lock', kept: true })!
  cleanups.push(() => lock.release())
  let lost = false
  lock.onTakenAway(() => (lost = true))

  const other = startTrying(folder)
  cleanups.push(() => other.stop())
  expect(await other.attempt()).toBe('refused')
  rmSync(join(folder, 'spool.lock'))
  expect(await other.attempt()).toBe('held')
  await waitFor(() => lost, 'the holder told it lost the lock')
})

/** The other process (try-kept-lock.ts): each attempt answers `held` or `refused`. */
function startTrying(folder: string): { attempt(): Promise<string>; stop(): Promise<void> } {
  const child: ChildProcess = spawn(process.execPath, [compiledScript(TRY_KEPT_LOCK), folder], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const answers: string[] = []
  let partial = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = lines.pop() ?? ''
    answers.push(...lines)
  })
  return {
    async attempt() {
      const before = answers.length
      child.stdin!.write('try\n')
      await waitFor(() => answers.length > before, 'the other process’s answer')
      return answers[before]!
    },
    async stop() {
      child.kill('SIGKILL')
      await exited
    },
  }
}
