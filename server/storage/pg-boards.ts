import { asc, eq } from 'drizzle-orm'
import { boardChanges, boardCheckpoints, boards, boardUpdates } from '../../drizzle/pg/schema.ts'
import type { PgDb } from './postgres.ts'
import type { BoardRecord, BoardStore } from './storage.ts'

export class PgBoardStore implements BoardStore {
  constructor(private readonly db: PgDb) {}

  async create(board: BoardRecord): Promise<void> {
    await this.db.insert(boards).values(board)
  }

  async get(id: string): Promise<BoardRecord | undefined> {
    const [row] = await this.db.select().from(boards).where(eq(boards.id, id))
    return row
  }

  async list(): Promise<BoardRecord[]> {
    return this.db.select().from(boards).orderBy(asc(boards.createdAt), asc(boards.id))
  }

  async rename(id: string, title: string): Promise<void> {
    await this.db.update(boards).set({ title }).where(eq(boards.id, id))
  }

  async delete(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(boardUpdates).where(eq(boardUpdates.boardId, id))
      await tx.delete(boardCheckpoints).where(eq(boardCheckpoints.boardId, id))
      await tx.delete(boardChanges).where(eq(boardChanges.boardId, id))
      await tx.delete(boards).where(eq(boards.id, id))
    })
  }
}
