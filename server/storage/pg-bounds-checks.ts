/** Each board's last bounds check on PostgreSQL (storage.ts, BoundsCheck): read as its room loads, written once a load finds it within bounds. */
import { eq, sql } from 'drizzle-orm'
import { boardBoundsChecks, boards } from '../../drizzle/pg/schema.ts'
import type { PgDb } from './pg-db.ts'
import type { BoundsCheck, BoundsCheckStore } from './storage.ts'

export class PgBoundsCheckStore implements BoundsCheckStore {
  constructor(private readonly db: PgDb) {}

  async get(boardId: string): Promise<BoundsCheck | null> {
    const [row] = await this.db.select({ bounds: boardBoundsChecks.bounds, stateVector: boardBoundsChecks.stateVector }).from(boardBoundsChecks).where(eq(boardBoundsChecks.boardId, boardId))
    return row ? { bounds: row.bounds, stateVector: new Uint8Array(row.stateVector) } : null
  }

  async record(boardId: string, { bounds, stateVector }: BoundsCheck): Promise<void> {
    // The board's row held (FOR KEY SHARE) while the check is written: a deletion, which takes that row first
    // (pg-boards.ts), either waits and removes the check with the board (ON DELETE CASCADE) or came first, and nothing is written.
    await this.db.execute(sql`insert into ${boardBoundsChecks} (board_id, bounds, state_vector)
      select ${boardId}, ${bounds}, ${Buffer.from(stateVector)} where exists (select 1 from ${boards} where ${boards.id} = ${boardId} for key share)
      on conflict (board_id) do update set bounds = excluded.bounds, state_vector = excluded.state_vector`)
  }
}
