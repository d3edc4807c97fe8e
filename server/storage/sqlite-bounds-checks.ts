/** Each board's last bounds check on SQLite (storage.ts, BoundsCheck): read as its room loads, written once a load finds it within bounds. */
import { eq } from 'drizzle-orm'
import { boardBoundsChecks, boards } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { BoundsCheck, BoundsCheckStore } from './storage.ts'

export class SqliteBoundsCheckStore implements BoundsCheckStore {
  constructor(private readonly db: SqliteDb) {}

  async get(boardId: string): Promise<BoundsCheck | null> {
    const row = this.db.select({ bounds: boardBoundsChecks.bounds, stateVector: boardBoundsChecks.stateVector }).from(boardBoundsChecks).where(eq(boardBoundsChecks.boardId, boardId)).get()
    return row ? { bounds: row.bounds, stateVector: new Uint8Array(row.stateVector) } : null
  }

  async record(boardId: string, { bounds, stateVector }: BoundsCheck): Promise<void> {
    const columns = { bounds, stateVector: Buffer.from(stateVector) }
    // One transaction, on the relay's thread: no deletion of the board comes between the look and the write.
    this.db.transaction((tx) => {
      if (!tx.select({ id: boards.id }).from(boards).where(eq(boards.id, boardId)).get()) return
      tx.insert(boardBoundsChecks).values({ boardId, ...columns }).onConflictDoUpdate({ target: boardBoundsChecks.boardId, set: columns }).run()
    })
  }
}
