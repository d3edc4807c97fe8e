/**
 * The fair queue's turns, and a thread of the short lane taking the next short
 * job in turn: the server's line first, then the first person's line holding
 * one, which then goes to the back, as a line served does; what it takes
 * leaves the other lane's turns between the server and the members as they were.
 */
import { expect, it } from 'vitest'
import { FairQueue } from './fair-queue.ts'

type Job = { owner: string | null; label: string; short: boolean }
type Lane = 'general' | 'short'

const job = (owner: string | null, label: string, short: boolean): Job => ({ owner, label, short })
const isShort = (queued: Job) => queued.short

it('gives a short lane the next short job in turn, past the long ones, and the lines keep their turns', () => {
  const queue = new FairQueue<Job, Lane>()
  for (const queued of [job('ann', 'ann export', false), job('ann', 'ann read', true), job('bob', 'bob read', true), job(null, 'server export', false), job('bob', 'bob export', false)]) {
    queue.push(queued)
  }
  expect(queue.countOf(isShort)).toBe(2)
  // The server's line holds no short job: ann's line is first to, and goes to the back once served.
  expect(queue.shift('short', isShort)?.label).toBe('ann read')
  expect(queue.shift('general')?.label).toBe('server export')
  expect(queue.shift('general')?.label).toBe('bob read')
  expect(queue.shift('short', isShort)).toBeUndefined()
  expect(queue.shift('general')?.label).toBe('ann export')
  expect(queue.shift('general')?.label).toBe('bob export')
  expect(queue.length).toBe(0)
})

it("serves the server's line first, but never twice running while a person's job waits", () => {
  const queue = new FairQueue<Job, Lane>()
  for (let at = 0; at < 4; at++) queue.push(job(null, `compaction ${at}`, false))
  queue.push(job('ann', 'ann export', false))
  queue.push(job('bob', 'bob export', false))
  expect([queue.shift('general'), queue.shift('general'), queue.shift('general'), queue.shift('general'), queue.shift('general'), queue.shift('general')].map((queued) => queued?.label)).toEqual([
    'compaction 0',
    'ann export',
    'compaction 1',
    'bob export',
    'compaction 2',
    'compaction 3',
  ])
})

it("never serves the server's line twice running to a thread that could run a waiting person's job, while the short lane takes short ones", () => {
  const queue = new FairQueue<Job, Lane>()
  for (const queued of [job(null, 'S1', false), job(null, 'S2', false), job(null, 'S3', false), job('ann', 'ann export', false), job('bob', 'bob read 1', true), job('bob', 'bob read 2', true)]) {
    queue.push(queued)
  }
  // A thread of the general lane and one of the short lane, taking jobs in turn.
  const general: (string | undefined)[] = []
  const short: (string | undefined)[] = []
  while (queue.length > 0) {
    general.push(queue.shift('general')?.label)
    short.push(queue.shift('short', isShort)?.label)
  }
  expect(general).toEqual(['S1', 'ann export', 'S2', 'S3'])
  expect(short).toEqual(['bob read 1', 'bob read 2', undefined, undefined])
})

it("keeps each lane's turns by its name, its jobs accepted by a function made anew at each call", () => {
  const queue = new FairQueue<Job, Lane>()
  for (const queued of [job(null, 'S1', true), job(null, 'S2', true), job(null, 'S3', true), job('ann', 'ann read 1', true), job('ann', 'ann read 2', true)]) {
    queue.push(queued)
  }
  // Known by the function's identity, each call was a lane never served, the server's line served three times running.
  const taken: (string | undefined)[] = []
  while (queue.length > 0) taken.push(queue.shift('short', (queued) => queued.short)?.label)
  expect(taken).toEqual(['S1', 'ann read 1', 'S2', 'ann read 2', 'S3'])
})

it('drains every waiting job, the server’s first, and forgets the lanes’ turns', () => {
  const queue = new FairQueue<Job, Lane>()
  for (const queued of [job(null, 'S1', false), job('ann', 'ann export', false), job(null, 'S2', false), job('bob', 'bob read', true)]) queue.push(queued)
  expect(queue.shift('general')?.label).toBe('S1')
  expect(queue.drain().map((queued) => queued.label)).toEqual(['S2', 'ann export', 'bob read'])
  expect(queue.length).toBe(0)
  queue.push(job('ann', 'ann export', false))
  queue.push(job(null, 'S3', false))
  expect(queue.shift('general')?.label).toBe('S3')
})
