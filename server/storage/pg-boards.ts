import { asc, eq, inArray, isNull, max, sql } from 'drizzle-orm'
import { boardChanges, boardCheckpoints, boardClientWriters, boards, boardUpdates } from '../../drizzle/pg/schema.ts'
import type { Clock } from '../clock.ts'
import { insertAudited } from './pg-audited.ts'
import type { PgDb } from './pg-db.ts'
import { storeFirstWrites } from './pg-client-writers.ts'
import { addMember } from './pg-members.ts'
import { laterTime } from './later-time.ts'
import { idGroups } from './id-groups.ts'
import { oldestFirst } from './many-boards.ts'
import type { BoardFounding, BoardRecord, BoardRecordStore, BoardSummary, NewAuditRecord, NewBoard, SummarizedNewBoard } from './storage.ts'

export class PgBoardRecordStore implements BoardRecordStore {
  constructor(
    private readonly db: PgDb,
    private readonly clock: Clock,
  ) {}

  async create(board: NewBoard | SummarizedNewBoard, founding?: BoardFounding): Promise<boolean> {
    if (!founding) {
      await this.db.insert(boards).values(board)
      return true
    }
    return this.db.transaction(async (tx) => {
      if (founding.onlyIfNoBoards) {
        // Read committed sees no board another transaction has yet to commit: this mode conflicts with itself and with
        // every insert, so a second instance making the first board waits here for the first's commit, then sees it.
        await tx.execute(sql`lock table ${boards} in share row exclusive mode`)
        const [existing] = await tx.select({ id: boards.id }).from(boards).limit(1)
        if (existing) return false
      }
      await tx.insert(boards).values(board)
      if (founding.owner) await addMember(tx, founding.owner)
      await insertAudited(tx, founding.audited)
      const { update, origin, firstWrites } = founding.firstEntry
      const [row] = await tx.insert(boardUpdates).values({ boardId: board.id, update: Buffer.from(update), origin, createdAt: this.clock().toISOString() }).returning({ seq: boardUpdates.seq })
      for (const writes of firstWrites ?? []) await storeFirstWrites(tx, board.id, row!.seq, 0, writes)
      return true
    })
  }

  async get(id: string): Promise<BoardRecord | undefined> {
    const [row] = await this.db.select().from(boards).where(eq(boards.id, id))
    return row
  }

  async list(ids?: readonly string[]): Promise<BoardRecord[]> {
    if (ids === undefined) return this.db.select().from(boards).orderBy(asc(boards.createdAt), asc(boards.id))
    const records: BoardRecord[] = []
    for (const group of idGroups(ids)) records.push(...(await this.db.select().from(boards).where(inArray(boards.id, group))))
    return oldestFirst(records)
  }

  async summarize(id: string, summary: BoardSummary): Promise<void> {
    await this.db.update(boards).set(summary).where(eq(boards.id, id))
  }

  async unsummarized(): Promise<string[]> {
    const rows = await this.db.select({ id: boards.id }).from(boards).where(isNull(boards.assessmentCount)).orderBy(asc(boards.createdAt))
    return rows.map((row) => row.id)
  }

  async lastWrittenAt(id: string): Promise<string | null> {
    const [logged] = await this.db.select({ at: max(boardUpdates.createdAt) }).from(boardUpdates).where(eq(boardUpdates.boardId, id))
    const [checkpointed] = await this.db.select({ at: max(boardCheckpoints.at) }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, id))
    return laterTime(logged?.at ?? null, checkpointed?.at ?? null)
  }

  async setArchived(id: string, archived: { at: string; by: string } | null, audited?: NewAuditRecord): Promise<boolean> {
    const change = { archivedAt: archived?.at ?? null, archivedBy: archived?.by ?? null }
    return this.db.transaction(async (tx) => {
      const updated = await tx.update(boards).set(change).where(eq(boards.id, id)).returning({ id: boards.id })
      if (updated.length === 1 && audited) await insertAudited(tx, audited)
      return updated.length === 1
    })
  }

  async delete(id: string, audited?: NewAuditRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      // The board's row first: a write to its log still in flight holds that row (pg-update-log.ts), so this waits for it
      // to commit, and the deletions below then see its rows; a write after this finds no row and stores nothing.
      await tx.delete(boards).where(eq(boards.id, id))
      await tx.delete(boardUpdates).where(eq(boardUpdates.boardId, id))
      await tx.delete(boardCheckpoints).where(eq(boardCheckpoints.boardId, id))
      await tx.delete(boardChanges).where(eq(boardChanges.boardId, id))
      await tx.delete(boardClientWriters).where(eq(boardClientWriters.boardId, id))
      if (audited) await insertAudited(tx, audited)
    })
  }
}
