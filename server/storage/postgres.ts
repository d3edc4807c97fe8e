/**
 * PostgreSQL storage, used when DATABASE_URL is set. `schema` places the tables
 * in a PostgreSQL schema of their own (tests give each run a fresh one).
 */
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import * as schema from '../../drizzle/pg/schema.ts'
import type { Storage } from './storage.ts'
import { PgBoardStore } from './pg-boards.ts'
import { PgUpdateLogStore } from './pg-update-log.ts'

export type PgDb = PostgresJsDatabase<typeof schema>

export type PostgresOptions = { url: string; schema?: string }

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/pg', import.meta.url))

export async function openPostgresStorage(options: PostgresOptions): Promise<Storage> {
  const pgSchema = options.schema ?? 'public'
  const client = postgres(options.url, {
    max: 10,
    onnotice: () => {},
    connection: { search_path: pgSchema },
  })
  await client.unsafe(`create schema if not exists "${pgSchema.replaceAll('"', '""')}"`)
  const db = drizzle({ client, schema })
  await migrate(db, { migrationsFolder: MIGRATIONS, migrationsSchema: pgSchema })
  return {
    dialect: 'postgres',
    boards: new PgBoardStore(db),
    log: new PgUpdateLogStore(db),
    async close() {
      await client.end({ timeout: 5 })
    },
  }
}
