import { afterEach, expect, it } from 'vitest'
import { waitFor } from '../test/helpers/wait-for.ts'
import { createLogger } from './log.ts'
import { PeriodicTask } from './periodic-task.ts'

const tasks: PeriodicTask<void>[] = []
afterEach(async () => {
  for (const task of tasks.splice(0)) await task.stop()
})

/** A task run every 5 ms that fails `failures` times, then succeeds; and the lines it logged at info and above. */
function failingThenFine(failures: number, firstFailureOnly: boolean) {
  const lines: { level: number; msg: string }[] = []
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) })
  let runs = 0
  const task = new PeriodicTask(
    async () => {
      runs++
      if (runs <= failures) throw new Error(`down (${runs})`)
    },
    { intervalMs: 5, logger, failure: 'reading failed', firstFailureOnly },
  )
  tasks.push(task)
  task.start()
  return { lines, runs: () => runs }
}

it('logs every failure of a run of them by default', async () => {
  const { lines, runs } = failingThenFine(4, false)
  await waitFor(() => runs() > 5, 'the task to succeed again')
  expect(lines.map((line) => line.msg)).toEqual(['reading failed', 'reading failed', 'reading failed', 'reading failed'])
})

it('logs the first of failures in a row once, and their end, when asked', async () => {
  const { lines, runs } = failingThenFine(4, true)
  await waitFor(() => runs() > 5, 'the task to succeed again')
  expect(lines.map((line) => line.msg)).toEqual(['reading failed', 'reading failed, and has now succeeded again'])
})
