import { expect, it } from 'vitest'
import { createLogger } from './log.ts'
import { owningWhatOpens } from './opened-resources.ts'

function loggedLines() {
  const lines: { msg: string; what: string; err?: string }[] = []
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string; what: string; err?: string }) })
  return { lines, logger }
}

it('a step that fails has what was opened before it closed, newest first; a close that fails is logged and the rest still close', async () => {
  const { lines, logger } = loggedLines()
  const closed: string[] = []
  const refused = new Error('step refused')
  const failure = await owningWhatOpens(logger, 1000, async (opened) => {
    opened.add('first', 'a', (name) => void closed.push(name))
    opened.add('second', 'b', () => {
      throw new Error('close refused')
    })
    opened.add('third', 'c', async (name) => void closed.push(name))
    throw refused
  }).catch((error: unknown) => error)
  expect(failure).toBe(refused)
  expect(closed).toEqual(['c', 'a'])
  expect(lines).toEqual([expect.objectContaining({ what: 'second', err: 'close refused', msg: 'start-up failed; closing what it had opened failed too' })])
})

it('a close that hangs is left once the time for closing has passed, and the failure still passes on', async () => {
  const { lines, logger } = loggedLines()
  const closed: string[] = []
  const failure = await owningWhatOpens(logger, 50, async (opened) => {
    opened.add('first', 'a', (name) => void closed.push(name))
    opened.add('hanging', 'b', () => new Promise(() => {}))
    throw new Error('step refused')
  }).catch((error: unknown) => error)
  expect((failure as Error).message).toBe('step refused')
  expect(closed).toEqual(['a'])
  expect(lines).toEqual([expect.objectContaining({ what: 'hanging', msg: 'start-up failed; closing what it had opened took too long, left as it is' })])
})

it('once the start has succeeded, nothing it opened is closed', async () => {
  const { logger } = loggedLines()
  const closed: string[] = []
  expect(await owningWhatOpens(logger, 1000, async (opened) => opened.add('first', 'a', (name) => void closed.push(name)))).toBe('a')
  expect(closed).toEqual([])
})
