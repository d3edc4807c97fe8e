/**
 * The boards of a database file whose stored Yjs state cannot be applied:
 * SQLite's integrity check sees pages, not what a blob holds, so a backup
 * with bytes changed inside a stored update passed every check, was put in
 * place, and the board was then answered 503 board_damaged. `assay backup`
 * reads each board of the copy it wrote, and `assay restore` of the copy it
 * is about to put in place, as a server loading it would (its latest
 * checkpoint and the log rows after it, through the same detector `assay board
 * set-aside-damaged` uses), one board at a time so memory stays that of the
 * largest board. With --accept-damaged a restore sets the damaged rows aside
 * in its copy, before the copy takes the database's name, their files into a
 * folder of the restore's own (restore-staged-rows.ts): that rename stays the
 * one moment the restore takes effect, so a restore killed at any point
 * leaves either the old database and no file in damaged-rows/, or the
 * restored one with its rows set aside, never a restored one still damaged.
 */
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from '../../drizzle/sqlite/schema.ts'
import { damagedRows } from '../history/damaged-rows.ts'
import { BoardDamaged } from '../relay/damaged-board.ts'
import { SqliteHistoryStore } from '../storage/sqlite-history.ts'
import { describeSetAside, setAsideDamagedRows } from './damaged-rows-set-aside.ts'

export type DamagedBoard = { boardId: string; damage: string }

/** Each board of the database at `path` that a server would refuse as damaged, and where (read-only). */
export async function damagedBoards(path: string): Promise<DamagedBoard[]> {
  return withHistory(path, true, async (history, client) => {
    const boards = client.prepare('select id from boards order by id').all() as { id: string }[]
    const damaged: DamagedBoard[] = []
    for (const board of boards) {
      const damage = await damageOf(history, board.id)
      if (damage) damaged.push({ boardId: board.id, damage })
    }
    return damaged
  })
}

/**
 * Sets aside, in the database file at `path` (a restore's copy, not yet in
 * place), the rows of each of `damaged` that cannot be applied, their files
 * into `folder`; resolves with what was done, as lines.
 * A board whose latest checkpoint is damaged is left as it is, and said.
 */
export async function setAsideInCopy(path: string, folder: string, damaged: DamagedBoard[]): Promise<string> {
  return withHistory(path, false, async (history) => {
    let report = ''
    for (const { boardId } of damaged) {
      const outcome = await setAsideDamagedRows(history, folder, boardId, async () => {})
      report +=
        outcome.kind === 'rows'
          ? describeSetAside(boardId, outcome.found)
          : `Board ${boardId}: its latest checkpoint (through row ${outcome.throughSeq}) cannot be applied (${outcome.reason}), which setting rows aside cannot mend: restored as it is, and refused with 503 board_damaged. Restore it from another backup.\n`
    }
    return report
  })
}

/** The damaged boards, one line each, for a refusal or a report. */
export function damagedList(damaged: DamagedBoard[]): string {
  return damaged.map(({ boardId, damage }) => `  board ${boardId}: ${damage}\n`).join('')
}

async function withHistory<T>(path: string, readonly: boolean, use: (history: SqliteHistoryStore, client: Database.Database) => Promise<T>): Promise<T> {
  const client = new Database(path, { readonly, fileMustExist: true })
  try {
    // The file is not trusted yet: nothing its schema holds runs while it is read or written.
    client.pragma('trusted_schema = OFF')
    return await use(new SqliteHistoryStore(drizzle({ client, schema })), client)
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
