/** The PostgreSQL database as its stores see it: Drizzle over postgres.js, with the PostgreSQL schema. */
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type * as schema from '../../drizzle/pg/schema.ts'

export type PgDb = PostgresJsDatabase<typeof schema>

/** A transaction of that database, which a store's writes may join. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0]
