/**
 * The schema of an Assay SQLite database is exactly what this build's
 * migrations made, up to the migration it is at: no trigger, view, table,
 * index or column of anyone else's. A trigger planted in the file runs inside
 * the server's own statements (one deleting each update-log row as it is
 * written loses edits the server acknowledged; one clearing `revoked_at` keeps
 * a revoked token working), and a view in a table's place swallows what is
 * written to it. So a database is compared, object by object, with one the
 * same migrator makes in memory from the same migrations.
 */
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { readMigrationFiles, type MigrationConfig, type MigrationMeta } from 'drizzle-orm/migrator'
import type { SQL } from 'drizzle-orm'
import { projectPath } from '../project-root.ts'
import { countOf } from '../../shared/format-number.ts'

/** This build's migrations: a database holding one newer came from a later version. */
export const SQLITE_MIGRATIONS = projectPath('drizzle', 'sqlite')
const MIGRATIONS_TABLE = '__drizzle_migrations'
/** What ANALYZE makes: SQLite's own tables (no one else may name a table sqlite_…), steering only how queries are planned. */
const STATISTICS = new Set(['sqlite_stat1', 'sqlite_stat4'])
/** How many differences a refusal names. */
const NAMED = 3

let migrations: MigrationMeta[] | undefined
/** This build's migrations, read once. */
export const sqliteMigrations = (): MigrationMeta[] => (migrations ??= readMigrationFiles({ migrationsFolder: SQLITE_MIGRATIONS }))

/**
 * What drizzle's migrate() calls on a database: migrate() takes neither a
 * subset of the migrations nor a session of the caller's, so its dialect is called.
 */
export type DrizzleMigrator = {
  dialect: { migrate(migrations: MigrationMeta[], session: DrizzleSession, config: MigrationConfig): void; sqlToQuery(query: SQL): { sql: string } }
  session: DrizzleSession
}
export type DrizzleSession = { run(query: SQL): unknown }

/**
 * How far a database's migrations table says it is: `none` without one (a new file, or no Assay database),
 * `later` with migrations this build does not know, `foreign` when its list is not this build's first ones in order.
 */
export type MigrationLevel = { kind: 'none' } | { kind: 'at'; applied: number } | { kind: 'later'; unknown: number } | { kind: 'foreign' }

export function migrationLevel(client: Database.Database): MigrationLevel {
  const table = client.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(MIGRATIONS_TABLE)
  if (!table) return { kind: 'none' }
  let applied: number[]
  try {
    // Its id is no rowid alias (drizzle declares it SERIAL): the rowid is the order they were applied in.
    applied = (client.prepare(`select created_at as at from ${MIGRATIONS_TABLE} order by rowid`).all() as { at: unknown }[]).map((row) => Number(row.at))
  } catch {
    return { kind: 'foreign' }
  }
  const known = sqliteMigrations().map((migration) => migration.folderMillis)
  const latest = Math.max(...known)
  const unknown = applied.filter((at) => at > latest).length
  if (unknown > 0) return { kind: 'later', unknown }
  if (applied.some((at, index) => at !== known[index])) return { kind: 'foreign' }
  return { kind: 'at', applied: applied.length }
}

type SchemaObject = { type: string; name: string; table: string; sql: string | null; shape: string }

/** A database that is not as this build's migrations made it: neither a server nor a command opens it. */
export class AlteredDatabase extends Error {
  override name = 'AlteredDatabase'
}

/** Checked before the migrations run, so that none of them ever fires a trigger planted in the file. */
export function refuseAlteredDatabase(client: Database.Database, path: string): void {
  const problem = schemaProblem(client, migrationLevel(client))
  if (problem) throw new AlteredDatabase(`the database ${path} ${problem}: Assay does not open it (README: Operations, Backups and restore).`)
}

/**
 * Why `client` is not an Assay database of this build or an earlier one, worded to follow its name; undefined
 * when it is. `client` is only read. One with no migrations table is compared with a database holding nothing.
 */
export function schemaProblem(client: Database.Database, level: MigrationLevel): string | undefined {
  if (level.kind === 'later') return `comes from a later version of Assay (${countOf(level.unknown, 'migration')} this version does not know)`
  if (level.kind === 'foreign') return `has a migrations table that is not this version's migrations in order`
  const differences = schemaDifferences(client, level.kind === 'none' ? undefined : level.applied)
  if (differences.length === 0) return undefined
  const more = differences.length - NAMED
  const at = level.kind === 'none' ? '' : ` (at migration ${level.applied} of ${sqliteMigrations().length})`
  return `is not as Assay's migrations made it${at}: ${differences.slice(0, NAMED).join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`
}

/** Triggers and views first, which act on what the server writes, then what else is not Assay's, what differs, what is missing. */
function schemaDifferences(client: Database.Database, applied: number | undefined): string[] {
  const expected = expectedSchema(applied)
  const found = schemaOf(client)
  const differences: { rank: number; text: string }[] = []
  for (const [key, object] of found) {
    const wanted = expected.get(key)
    if (!wanted) differences.push({ rank: object.type === 'trigger' || object.type === 'view' ? 0 : 1, text: `${named(object)} is not Assay's` })
    else if (normalSql(wanted.sql) !== normalSql(object.sql) || wanted.shape !== object.shape || wanted.table !== object.table) {
      differences.push({ rank: 2, text: `${named(object)} differs from Assay's` })
    }
  }
  for (const [key, object] of expected) if (!found.has(key)) differences.push({ rank: 3, text: `${object.type} “${object.name}” is missing` })
  return differences.sort((a, b) => a.rank - b.rank).map((difference) => difference.text)
}

const named = (object: SchemaObject): string =>
  `${object.type} “${object.name}”${object.type === 'trigger' || object.type === 'index' ? ` on ${object.table}` : ''}`

const expectedByLevel = new Map<number | undefined, Map<string, SchemaObject>>()

/** A database made in memory by drizzle's migrator, the server's own, from this build's first `applied` migrations. */
function expectedSchema(applied: number | undefined): Map<string, SchemaObject> {
  const cached = expectedByLevel.get(applied)
  if (cached) return cached
  const client = new Database(':memory:')
  try {
    if (applied !== undefined) {
      // drizzle's migrate() is readMigrationFiles then this; it takes no subset, so its dialect is called with one.
      const db = drizzle({ client }) as unknown as DrizzleMigrator
      db.dialect.migrate(sqliteMigrations().slice(0, applied), db.session, { migrationsFolder: SQLITE_MIGRATIONS })
    }
    const schema = schemaOf(client)
    expectedByLevel.set(applied, schema)
    return schema
  } finally {
    client.close()
  }
}

/** Every object in sqlite_master with its columns, foreign keys or indexed columns as SQLite reads them. */
function schemaOf(client: Database.Database): Map<string, SchemaObject> {
  const rows = client.prepare('select type, name, tbl_name as "table", sql from sqlite_master').all() as Omit<SchemaObject, 'shape'>[]
  const columns = client.prepare('select * from pragma_table_xinfo(?)')
  const foreignKeys = client.prepare('select * from pragma_foreign_key_list(?)')
  const indexed = client.prepare('select * from pragma_index_xinfo(?)')
  const shape = (object: Omit<SchemaObject, 'shape'>): string => {
    if (object.type === 'table') return JSON.stringify([columns.all(object.name), foreignKeys.all(object.name)])
    return object.type === 'index' ? JSON.stringify(indexed.all(object.name)) : ''
  }
  return new Map(
    rows.filter((object) => !(object.type === 'table' && STATISTICS.has(object.name))).map((object) => [`${object.type} ${object.name}`, { ...object, shape: shape(object) }]),
  )
}

/**
 * The statement as SQLite reads it: outside string literals, identifier quotes dropped, runs of spaces made one
 * and none kept beside punctuation, and letters in one case (SQLite rewrites a table's statement as it renames it,
 * quoting as its version does, and drizzle's own may be laid out otherwise in another of its versions).
 */
function normalSql(sql: string | null): string | null {
  if (sql === null) return null
  return sql
    .split(/('(?:[^']|'')*')/)
    .map((part, index) =>
      index % 2 === 1
        ? part
        : part
            .replace(/["`[\]]/g, '')
            .replace(/\s+/g, ' ')
            .replace(/ ?([(),;]) ?/g, '$1')
            .toLowerCase(),
    )
    .join('')
    .trim()
}
