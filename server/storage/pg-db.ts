/** The PostgreSQL database as its stores see it: Drizzle over postgres.js, with the PostgreSQL schema. */
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type * as schema from '../../drizzle/pg/schema.ts'

export type PgDb = PostgresJsDatabase<typeof schema>
