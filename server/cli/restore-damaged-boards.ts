/**
 * The boards of a backup whose stored Yjs state cannot be applied: SQLite's
 * integrity check sees pages, not what a blob holds, so a backup with bytes
 * changed inside a stored update passed every check, was put in place, and the
 * board was then answered 503 board_damaged. `assay restore` reads each board
 * of its copy as a server loading it would (its latest checkpoint and the log
 * rows after it, through the same detector `assay board set-aside-damaged`
 * uses), one board at a time so memory stays that of the largest board.
 */
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from '../../drizzle/sqlite/schema.ts'
import { damagedRows } from '../history/damaged-rows.ts'
import { BoardDamaged } from '../relay/damaged-board.ts'
import { SqliteHistoryStore } from '../storage/sqlite-history.ts'

export type DamagedBoard = { boardId: string; damage: string }

/** Each board of the database at `path` that a server would refuse as damaged, and where (read-only). */
export async function damagedBoards(path: string): Promise<DamagedBoard[]> {
  const client = new Database(path, { readonly: true, fileMustExist: true })
  try {
    // The file is not trusted yet: nothing its schema holds runs while it is read.
    client.pragma('trusted_schema = OFF')
    const history = new SqliteHistoryStore(drizzle({ client, schema }))
    const boards = client.prepare('select id from boards order by id').all() as { id: string }[]
    const damaged: DamagedBoard[] = []
    for (const board of boards) {
      const damage = await damageOf(history, board.id)
      if (damage) damaged.push({ boardId: board.id, damage })
    }
    return damaged
  } finally {
    client.close()
  }
}

async function damageOf(history: SqliteHistoryStore, boardId: string): Promise<string | null> {
  const { checkpoint, throughSeq, rows } = await history.tail(boardId)
  try {
    const found = damagedRows(checkpoint, rows)
    if (found.setAside.length === 0) return null
    return found.setAside.map(({ row, reason }) => `change ${row.seq} (${reason})`).join(', ')
  } catch (error) {
    if (!(error instanceof BoardDamaged)) throw error
    return `its latest checkpoint, through change ${throughSeq} (${error.reason})`
  }
}
