/**
 * drizzle's migrate(), except that what stops it is what it throws. Its
 * migrator runs ROLLBACK on any failure, and on some (a full disk, an I/O
 * error) SQLite has rolled the transaction back itself already: that
 * ROLLBACK's own failure ("no transaction is active") was thrown instead, and
 * a full disk at start-up read as `Failed to run the query 'ROLLBACK'`.
 */
import { SQLITE_MIGRATIONS, sqliteMigrations, type DrizzleMigrator, type DrizzleSession } from './sqlite-schema.ts'
import type { SqliteDb } from './sqlite-db.ts'

export function migrateSqlite(db: SqliteDb): void {
  const { dialect, session } = db as unknown as DrizzleMigrator
  const client = db.$client
  const rollingBackOnlyWhatIsOpen: DrizzleSession = new Proxy(session, {
    get(target, key, receiver) {
      if (key !== 'run') return Reflect.get(target, key, receiver)
      return (query: Parameters<DrizzleSession['run']>[0]) => {
        if (!client.inTransaction && dialect.sqlToQuery(query).sql === 'ROLLBACK') return undefined
        return target.run(query)
      }
    },
  })
  dialect.migrate(sqliteMigrations(), rollingBackOnlyWhatIsOpen, { migrationsFolder: SQLITE_MIGRATIONS })
}
