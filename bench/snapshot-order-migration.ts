/**
 * `npx tsx bench/snapshot-order-migration.ts [sqlite migrations folder] [pg migrations folder]`: what the migration
 * that gives snapshots their order (sqlite 0013, pg 0012) costs on a database of many large snapshots: 200 of 1 MiB
 * on 20 boards, with two of each board's tied on one time (dated back together) and with none tied. The database is
 * made at the migration
 * before, then migrated to the end; the time of that, and what it wrote: on SQLite the WAL's size when it ends, on
 * PostgreSQL the WAL it wrote (pg_current_wal_lsn). The folders default to the project's; pass an earlier build's to
 * measure its migration.
 */
import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3'
import { migrate as sqliteMigrate } from 'drizzle-orm/better-sqlite3/migrator'
import { drizzle as pgDrizzle } from 'drizzle-orm/postgres-js'
import { migrate as pgMigrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { projectPath } from '../server/project-root.ts'
import { olderMigrations } from '../test/helpers/older-database.ts'
import { missingServices } from '../test/helpers/services.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, tempDir } from '../test/helpers/test-server.ts'

const BOARDS = 20
const PER_BOARD = 10
const STATE_BYTES = 1024 * 1024
const BEFORE = { sqlite: '0012_board_client_writers', postgres: '0011_board_client_writers' }

/** Each board's snapshots a day apart, but with `tied` the last two of one time. Random states: PostgreSQL compresses none. */
function rows(tied: boolean): unknown[][] {
  const made: unknown[][] = []
  for (let board = 0; board < BOARDS; board++)
    for (let i = 0; i < PER_BOARD; i++) {
      const at = new Date(Date.UTC(2026, 0, 1 + (tied ? Math.min(i, PER_BOARD - 2) : i))).toISOString()
      const state = Buffer.alloc(STATE_BYTES)
      for (let b = 0; b < STATE_BYTES; b += 4) state.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, b)
      made.push([`s-${board}-${i}`, `b-${board}`, `s ${i}`, 'named', state, 'hash', null, 'Bench', at, i === 0 ? null : `s-${board}-${i - 1}`])
    }
  return made
}

const INSERT_SNAPSHOT = 'insert into snapshots (id, board_id, label, kind, state, content_hash, author_id, author_name, created_at, previous_id) values '

async function onSqlite(folder: string, tied: boolean) {
  const dir = tempDir()
  try {
    const client = new Database(join(dir, 'bench.db'))
    client.pragma('journal_mode = WAL')
    client.pragma('wal_autocheckpoint = 0')
    sqliteMigrate(sqliteDrizzle({ client }), { migrationsFolder: olderMigrations('sqlite', dir, BEFORE.sqlite, folder) })
    for (let board = 0; board < BOARDS; board++) client.prepare('insert into boards (id, title, created_at) values (?, ?, ?)').run(`b-${board}`, 'B', '2026-01-01T00:00:00.000Z')
    const insert = client.prepare(`${INSERT_SNAPSHOT}(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    for (const row of rows(tied)) insert.run(...row)
    client.pragma('wal_checkpoint(TRUNCATE)')
    const started = performance.now()
    sqliteMigrate(sqliteDrizzle({ client }), { migrationsFolder: folder })
    const ms = performance.now() - started
    const walBytes = statSync(join(dir, 'bench.db-wal')).size
    client.close()
    return { ms: Math.round(ms), walMiB: +(walBytes / 2 ** 20).toFixed(1) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function onPostgres(folder: string, tied: boolean) {
  const dir = tempDir()
  const database = freshDatabaseName()
  await createDatabase(database)
  const client = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
  try {
    await pgMigrate(pgDrizzle({ client }), { migrationsFolder: olderMigrations('postgres', dir, BEFORE.postgres, folder) })
    for (let board = 0; board < BOARDS; board++) await client`insert into boards (id, title, created_at) values (${`b-${board}`}, 'B', '2026-01-01T00:00:00.000Z')`
    for (const row of rows(tied)) await client.unsafe(`${INSERT_SNAPSHOT}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, row as never[])
    const [before] = await client`select pg_current_wal_lsn() as lsn`
    const started = performance.now()
    await pgMigrate(pgDrizzle({ client }), { migrationsFolder: folder })
    const ms = performance.now() - started
    const [after] = await client`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${before!.lsn}) as bytes`
    return { ms: Math.round(ms), walMiB: +(Number(after!.bytes) / 2 ** 20).toFixed(1) }
  } finally {
    await client.end({ timeout: 5 })
    await dropDatabase(database)
    rmSync(dir, { recursive: true, force: true })
  }
}

const [sqliteFolder = projectPath('drizzle', 'sqlite'), pgFolder = projectPath('drizzle', 'pg')] = process.argv.slice(2)
const postgresMissing = await missingServices('postgres')
const result = {
  snapshots: BOARDS * PER_BOARD,
  stateMiB: STATE_BYTES / 2 ** 20,
  tied: { sqlite: await onSqlite(sqliteFolder, true), postgres: postgresMissing || (await onPostgres(pgFolder, true)) },
  noneTied: { sqlite: await onSqlite(sqliteFolder, false), postgres: postgresMissing || (await onPostgres(pgFolder, false)) },
}
console.log(JSON.stringify(result))
