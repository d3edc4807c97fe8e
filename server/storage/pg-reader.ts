/**
 * Inside a worker thread: the PostgreSQL database read with a connection of
 * the thread's own, once per thread. postgres.js takes every row apart on the
 * thread that asked for it (a log row's bytes arrive as hex text), so an as-of
 * read of a board of 100,000 keystroke rows through the relay's pool held the
 * relay's thread a page of 5,000 rows at a time, and every board's edits and
 * /healthz waited behind it (BENCHMARKS.md). The connection reads only: its
 * transactions are read-only by default, and its statements are bounded as
 * the relay's are (pg-pool-sockets.ts); it closes once idle for a statement
 * timeout, and goes with the thread.
 */
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import * as schema from '../../drizzle/pg/schema.ts'
import { PgHistoryStore } from './pg-history.ts'
import { boundedClient, withoutRollbackOnClosedConnections } from './postgres.ts'
import type { PastLogSource } from './storage.ts'

type PostgresSource = Extract<PastLogSource, { dialect: 'postgres' }>

const opened = new Map<string, PgHistoryStore>()

/** The history of the database `source` names, read through this thread's own connection. */
export function readOnlyPgHistory(source: PostgresSource): PgHistoryStore {
  const key = JSON.stringify(source)
  let history = opened.get(key)
  if (!history) {
    // One read at a time runs on a thread: one connection is all it uses.
    const { settings } = boundedClient(source, { max: 1, applicationName: 'assay-history-reader', connection: { default_transaction_read_only: true } })
    const client = postgres(source.url, settings)
    history = new PgHistoryStore(drizzle({ client: withoutRollbackOnClosedConnections(client), schema }))
    opened.set(key, history)
  }
  return history
}
