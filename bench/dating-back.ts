/**
 * `npm run bench -- datingBack`: what the pass that dates back boards' history
 * ahead of the clock (UpdateLogStore.dateBackFuture) costs at each server start
 * and hourly sweep, on a database of 10,000 boards of a few log rows and a
 * snapshot each: with none ahead (every start), and with 100 left a year ahead
 * by a clock that stepped forward and back. Medians of five passes with none
 * ahead, with the longest the event loop was held meanwhile (a page of 1,000
 * boards); the pass that dates back is run once. On SQLite, and on PostgreSQL
 * when it is reachable.
 */
import type { Dialect } from '../test/helpers/test-server.ts'
import { openFreshStorage } from '../test/helpers/test-server.ts'
import { missingServices } from '../test/helpers/services.ts'
import { testClock, DAY } from '../test/helpers/test-clock.ts'
import { watchLoop } from './main-thread.ts'
import { median } from './median.ts'

const BOARDS = 10_000
const AHEAD = 100
const PASSES = 5
const ROWS = [new Uint8Array(64), new Uint8Array(64), new Uint8Array(64)].map((update) => ({ update, origin: 'bench' }))

type PassFigures = { noneAheadMs: number; noneAheadMaxLoopBlockMs: number; datingBackMs: number; datedBack: number }
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
    let datedBack = 0
    const dating = await watchLoop(async () => (datedBack = await storage.log.dateBackFuture()))
    const none: Awaited<ReturnType<typeof watchLoop>>[] = []
    for (let i = 0; i < PASSES; i++) none.push(await watchLoop(() => storage.log.dateBackFuture()))
    return {
      noneAheadMs: median(none.map((pass) => pass.ms)),
      noneAheadMaxLoopBlockMs: median(none.map((pass) => pass.maxLoopBlockMs)),
      datingBackMs: dating.ms,
      datedBack,
    }
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
