/**
 * A database that refuses to delete from one table, as a statement cut off
 * by its timeout, a connection cut or a full disk would: a trigger put into
 * the server's own database (SQLite file or PostgreSQL), failing every delete
 * there with PostgreSQL's statement-timeout error, until taken away.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import type { TestServer } from './test-server.ts'

const MESSAGE = 'canceling statement due to statement timeout'

/** Fails every delete from `table` until the returned function is called. */
export async function refuseDeletes(server: Pick<TestServer, 'config' | 'dataDir'>, table: string): Promise<() => Promise<void>> {
  const trigger = `zz_refuse_delete_${table}`
  if (server.config.DATABASE_URL) {
    const sql = postgres(server.config.DATABASE_URL, { max: 1, onnotice: () => {} })
    try {
      await sql.unsafe(`create function ${trigger}() returns trigger language plpgsql as $$ begin raise exception '${MESSAGE}' using errcode = '57014'; end $$`)
      await sql.unsafe(`create trigger ${trigger} before delete on ${table} for each statement execute function ${trigger}()`)
    } finally {
      await sql.end({ timeout: 1 })
    }
    return async () => {
      const again = postgres(server.config.DATABASE_URL!, { max: 1, onnotice: () => {} })
      try {
        await again.unsafe(`drop trigger ${trigger} on ${table}; drop function ${trigger}()`)
      } finally {
        await again.end({ timeout: 1 })
      }
    }
  }
  const file = join(server.dataDir, SQLITE_FILE_NAME)
  const onSqlite = (statement: string) => {
    const db = new Database(file)
    try {
      db.exec(statement)
    } finally {
      db.close()
    }
  }
  onSqlite(`create trigger ${trigger} before delete on ${table} begin select raise(abort, '${MESSAGE}'); end`)
  return async () => onSqlite(`drop trigger ${trigger}`)
}
