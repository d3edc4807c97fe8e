/**
 * `npm run bench -- datingBack`: what the pass that dates back boards' history
 * ahead of the clock (UpdateLogStore.dateBackFuture) costs at each server start
 * and hourly sweep, on a database of 10,000 boards of a few log rows and a
 * snapshot each: with none ahead (every start), and with 100 left a year ahead
 * by a clock that stepped forward and back. Medians of five passes with none
 * ahead; the pass that dates back is run once. On SQLite, and on PostgreSQL
 * when it is reachable.
 */
import type { Dialect } from '../test/helpers/test-server.ts'
import { openFreshStorage } from '../test/helpers/test-server.ts'
import { missingServices } from '../test/helpers/services.ts'
import { testClock, DAY } from '../test/helpers/test-clock.ts'
import { median } from './median.ts'

const BOARDS = 10_000
const AHEAD = 100
const PASSES = 5
const ROWS = [new Uint8Array(64), new Uint8Array(64), new Uint8Array(64)].map((update) => ({ update, origin: 'bench' }))

type PassFigures = { noneAheadMs: number; datingBackMs: number; datedBack: number }
export type DatingBackBenchResult = { boards: number; ahead: number } & Partial<Record<Dialect, PassFigures | { skipped: string }>>

async function passes(dialect: Dialect): Promise<PassFigures> {
  const clock = testClock()
  const { storage, destroy } = await openFreshStorage(dialect, clock)
  try {
    const snapshot = { label: 'bench', kind: 'named' as const, contentHash: 'sha256:bench', authorId: null, authorName: 'Bench', state: new Uint8Array(256) }
    for (let i = 0; i < BOARDS; i++) {
      const boardId = `board-${i}`
      // The boards left ahead: written while the clock was a year on.
      const ahead = i % (BOARDS / AHEAD) === 0
      if (ahead) clock.advance(365 * DAY)
      await storage.boards.create({ id: boardId, title: `Board ${i}`, createdAt: clock.iso(), createdBy: null })
      await storage.log.append(boardId, ROWS)
      await storage.snapshots.create({ ...snapshot, id: `snapshot-${i}`, boardId })
      if (ahead) clock.advance(-365 * DAY)
    }
    const timed = async () => {
      const started = performance.now()
      const datedBack = await storage.log.dateBackFuture()
      return { ms: performance.now() - started, datedBack }
    }
    const dating = await timed()
    const none: number[] = []
    for (let i = 0; i < PASSES; i++) none.push((await timed()).ms)
    return { noneAheadMs: Math.round(median(none) * 10) / 10, datingBackMs: Math.round(dating.ms * 10) / 10, datedBack: dating.datedBack }
  } finally {
    await destroy()
  }
}

export async function benchDatingBack(): Promise<DatingBackBenchResult> {
  const result: DatingBackBenchResult = { boards: BOARDS, ahead: AHEAD, sqlite: await passes('sqlite') }
  const postgresMissing = await missingServices('postgres')
  result.postgres = postgresMissing === '' ? await passes('postgres') : { skipped: postgresMissing }
  return result
}
