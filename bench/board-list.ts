/**
 * `npm run bench -- boardList`: what listing boards costs on an instance of
 * 3,000 boards (`GET /api/boards` through the real server, accounts on): for
 * the admin, who sees them all, and for a member of three. Each listing's wall
 * time and the longest the relay's event loop was held meanwhile, medians of
 * seven after a warm-up; on SQLite, and on PostgreSQL when it is reachable.
 */
import { addAccount, addMember, addToken } from '../test/helpers/accounts.ts'
import { missingServices } from '../test/helpers/services.ts'
import { startTestServer, type Dialect } from '../test/helpers/test-server.ts'
import { watchLoop } from './main-thread.ts'
import { median } from './median.ts'

const BOARDS = 3_000
const MEMBER_BOARDS_EVERY = 1_000
const LISTINGS = 7

type ListingFigures = { boardsListed: number; ms: number; maxLoopBlockMs: number }
export type BoardListBenchResult = { boards: number } & Partial<Record<Dialect, { admin: ListingFigures; member: ListingFigures } | { skipped: string }>>

async function listings(dialect: Dialect): Promise<{ admin: ListingFigures; member: ListingFigures }> {
  const server = await startTestServer({ accounts: true, dialect })
  try {
    const admin = await addAccount(server, { name: 'Ada Admin', isAdmin: true })
    const member = await addAccount(server, { name: 'Mia Member' })
    const { storage } = server.services
    for (let i = 0; i < BOARDS; i++) {
      const id = `board-${i}`
      await storage.boards.create({ id, title: `Board ${i}`, createdAt: new Date().toISOString(), createdBy: admin.id })
      await storage.members.add({ boardId: id, userId: admin.id, role: 'owner', addedAt: new Date().toISOString() })
      if (i % MEMBER_BOARDS_EVERY === 0) await addMember(server, id, member, 'editor')
    }
    const listAs = async (token: string): Promise<ListingFigures> => {
      const headers = { authorization: `Bearer ${token}` }
      await fetch(`${server.url}/api/boards`, { headers }).then((response) => response.arrayBuffer())
      const runs: ListingFigures[] = []
      for (let i = 0; i < LISTINGS; i++) {
        let boardsListed = 0
        const watched = await watchLoop(async () => {
          boardsListed = ((await (await fetch(`${server.url}/api/boards`, { headers })).json()) as unknown[]).length
        })
        runs.push({ boardsListed, ...watched })
      }
      return { boardsListed: runs[0]!.boardsListed, ms: median(runs.map((r) => r.ms)), maxLoopBlockMs: median(runs.map((r) => r.maxLoopBlockMs)) }
    }
    return { admin: await listAs((await addToken(server, admin)).token), member: await listAs((await addToken(server, member)).token) }
  } finally {
    await server.destroy()
  }
}

export async function benchBoardList(): Promise<BoardListBenchResult> {
  const result: BoardListBenchResult = { boards: BOARDS, sqlite: await listings('sqlite') }
  const postgresMissing = await missingServices('postgres')
  result.postgres = postgresMissing === '' ? await listings('postgres') : { skipped: postgresMissing }
  return result
}
