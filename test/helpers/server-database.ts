/**
 * Statements run on a test server's own database, beside the server, as an
 * operator would run them: its PostgreSQL database, or its SQLite file.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import type { TestServer } from './test-server.ts'

export type ServerDatabase = Pick<TestServer, 'config' | 'dataDir'>

/** Runs each statement in turn (`?` for each of its `params`); the rows the last one returns. */
export async function onServerDatabase<Row>(server: ServerDatabase, statements: readonly string[], params: readonly (string | number)[] = []): Promise<Row[]> {
  if (server.config.DATABASE_URL) {
    const sql = postgres(server.config.DATABASE_URL, { max: 1, onnotice: () => {} })
    try {
      let rows: Row[] = []
      for (const statement of statements) {
        let n = 0
        rows = [...(await sql.unsafe(statement.replace(/\?/g, () => `$${++n}`), [...params]))] as Row[]
      }
      return rows
    } finally {
      await sql.end({ timeout: 1 })
    }
  }
  const db = new Database(join(server.dataDir, SQLITE_FILE_NAME))
  try {
    let rows: Row[] = []
    for (const statement of statements) {
      const prepared = db.prepare(statement)
      if (prepared.reader) rows = prepared.all(...params) as Row[]
      else prepared.run(...params)
    }
    return rows
  } finally {
    db.close()
  }
}

/** How many rows of `table` have `column` equal to `value` (all of them without). */
export async function rowCount(server: ServerDatabase, table: string, where?: { column: string; value: string }): Promise<number> {
  const condition = where ? ` where ${where.column} = ?` : ''
  const [row] = await onServerDatabase<{ n: number | string }>(server, [`select count(*) as n from ${table}${condition}`], where ? [where.value] : [])
  return Number(row?.n ?? 0)
}
