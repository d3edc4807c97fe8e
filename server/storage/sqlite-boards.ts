import { asc, eq } from 'drizzle-orm'
import { boardChanges, boardCheckpoints, boards, boardUpdates } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite.ts'
import type { BoardRecord, BoardStore } from './storage.ts'

export class SqliteBoardStore implements BoardStore {
  constructor(private readonly db: SqliteDb) {}

  async create(board: BoardRecord): Promise<void> {
    this.db.insert(boards).values(board).run()
  }

  async get(id: string): Promise<BoardRecord | undefined> {
    return this.db.select().from(boards).where(eq(boards.id, id)).get()
  }

  async list(): Promise<BoardRecord[]> {
    return this.db.select().from(boards).orderBy(asc(boards.createdAt), asc(boards.id)).all()
  }

  async rename(id: string, title: string): Promise<void> {
    this.db.update(boards).set({ title }).where(eq(boards.id, id)).run()
  }

  async delete(id: string): Promise<void> {
    this.db.transaction((tx) => {
      tx.delete(boardUpdates).where(eq(boardUpdates.boardId, id)).run()
      tx.delete(boardCheckpoints).where(eq(boardCheckpoints.boardId, id)).run()
      tx.delete(boardChanges).where(eq(boardChanges.boardId, id)).run()
      tx.delete(boards).where(eq(boards.id, id)).run()
    })
  }
}
