/**
 * A database an earlier version of Assay wrote: its migrations up to and
 * including `through` (a tag of drizzle's journal), then `rows` written as that
 * version would. Opening a storage on it (openTestStorage) runs this version's
 * migrations that follow.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3'
import { migrate as sqliteMigrate } from 'drizzle-orm/better-sqlite3/migrator'
import { drizzle as pgDrizzle } from 'drizzle-orm/postgres-js'
import { migrate as pgMigrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { projectPath } from '../../server/project-root.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, tempDir, type Dialect } from './test-server.ts'

export type OlderDatabase = { dataDir: string; database: string; destroy(): Promise<void> }

/** A copy in `root` of the dialect's migrations (those of `from`, the project's by default) that ends at `through`. */
export function olderMigrations(dialect: Dialect, root: string, through: string, from = projectPath('drizzle', dialect === 'postgres' ? 'pg' : 'sqlite')): string {
  const folder = join(root, 'older-migrations')
  cpSync(from, folder, { recursive: true })
  const journalPath = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] }
  const end = journal.entries.findIndex((entry) => entry.tag === through) + 1
  if (end === 0) throw new Error(`no migration ${through}`)
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, end) }))
  return folder
}

export async function olderDatabase(dialect: Dialect, through: string, rows: readonly string[]): Promise<OlderDatabase> {
  const dataDir = tempDir()
  const database = freshDatabaseName()
  const destroy = async () => {
    if (dialect === 'postgres') await dropDatabase(database)
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const migrations = olderMigrations(dialect, dataDir, through)
    if (dialect === 'postgres') {
      await createDatabase(database)
      const client = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
      try {
        await pgMigrate(pgDrizzle({ client }), { migrationsFolder: migrations })
        for (const statement of rows) await client.unsafe(statement)
      } finally {
        await client.end({ timeout: 5 })
      }
    } else {
      const client = new Database(join(dataDir, SQLITE_FILE_NAME))
      try {
        sqliteMigrate(sqliteDrizzle({ client }), { migrationsFolder: migrations })
        for (const statement of rows) client.exec(statement)
      } finally {
        client.close()
      }
    }
  } catch (error) {
    await destroy()
    throw error
  }
  return { dataDir, database, destroy }
}

type Run = (statement: string) => Promise<Record<string, unknown>[]>

/** Runs statements on the database directly, as another process (an instance of an earlier version) would. */
export async function onDatabase<T>(dialect: Dialect, dataDir: string, database: string, use: (run: Run) => Promise<T>): Promise<T> {
  if (dialect === 'postgres') {
    const client = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
    try {
      return await use(async (statement) => [...(await client.unsafe<Record<string, unknown>[]>(statement))])
    } finally {
      await client.end({ timeout: 5 })
    }
  }
  const client = new Database(join(dataDir, SQLITE_FILE_NAME))
  try {
    return await use(async (statement) => {
      const prepared = client.prepare(statement)
      if (prepared.reader) return prepared.all() as Record<string, unknown>[]
      prepared.run()
      return []
    })
  } finally {
    client.close()
  }
}
