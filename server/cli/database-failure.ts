/**
 * What a command prints when PostgreSQL cannot be reached, refuses the
 * connection, or cannot do what is asked: one line naming DATABASE_URL's host,
 * port or database (never the URL itself, which may hold a password), the
 * database's own words (the driver's, not Drizzle's "Failed query" around
 * them) and what to do, not the driver's stack trace. A code of its own has a
 * line of its own; otherwise PostgreSQL's SQLSTATE classes that put the fault
 * in the database or its surroundings (a connection, its resources, an
 * operator's intervention, its own machine) have one each, while any other
 * failure (a bug) stays unexpected.
 */
import { postgresUrl, type Config } from '../config.ts'
import { codesOf, DATABASE_SILENT } from '../storage/storage-errors.ts'
import { innermostMessage } from '../startup-error.ts'

const DEFAULT_PORT = '5432'

/** The line (without "assay: "), or null when `error` is no such failure or the database is SQLite. */
export function databaseFailureLine(error: unknown, config: Pick<Config, 'DATABASE_URL' | 'DATABASE_CONNECT_TIMEOUT_MS' | 'DATABASE_STATEMENT_TIMEOUT_MS'>): string | null {
  if (config.DATABASE_URL === undefined) return null
  // The first host, to which the driver connects first.
  const url = postgresUrl(config.DATABASE_URL)
  if (url === null) return null
  const host = url.hostname
  const where = `${host}:${url.port || DEFAULT_PORT}`
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username)
  const said = innermostMessage(error)
  for (const code of codesOf(error)) {
    const line = byCode(code) ?? byClass(code)
    if (line !== undefined) return `${line} (${code}).`
  }
  return null

  function byCode(code: string): string | undefined {
    switch (code) {
      case '3D000':
        return `DATABASE_URL names the database "${database}", which does not exist on ${where}: create it (createdb -h ${host} "${database}") or correct the database in DATABASE_URL`
      case '28P01':
      case '28000':
        return `PostgreSQL at ${where} refused DATABASE_URL's credentials: ${said}; correct the user or password in DATABASE_URL, or the server's pg_hba.conf`
      case '42501':
        return `DATABASE_URL's user may not do what Assay needs in the database "${database}" on ${where}: ${said}; make that user the database's owner, or grant it the rights`
      case '25006':
        return `PostgreSQL at ${where} is read-only: ${said} (a standby, a primary demoted by a failover, or default_transaction_read_only set): point DATABASE_URL at the primary, or make the database writable, and start again`
      case '57014':
        return `PostgreSQL at ${where} cancelled a statement: ${said} (past DATABASE_STATEMENT_TIMEOUT_MS=${config.DATABASE_STATEMENT_TIMEOUT_MS}, or by an administrator): look for what holds it up (a lock, the database's load: pg_stat_activity) and start again, or raise the timeout`
      case '55P03':
        return `PostgreSQL at ${where} did not grant a lock in time: ${said}: end the session holding it (pg_stat_activity) or wait for it to finish, and start again`
      case 'ECONNREFUSED':
        return `nothing accepts connections at ${where}, DATABASE_URL's host and port: start PostgreSQL there or correct DATABASE_URL`
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `DATABASE_URL's host ${host} does not resolve to an address: correct the host in DATABASE_URL`
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ETIMEDOUT':
        return `${where}, DATABASE_URL's host and port, cannot be reached from this machine: check the host in DATABASE_URL and the network between`
      case 'CONNECT_TIMEOUT':
        return `PostgreSQL at ${where} (DATABASE_URL) did not complete a connection within DATABASE_CONNECT_TIMEOUT_MS=${config.DATABASE_CONNECT_TIMEOUT_MS}: check that PostgreSQL listens there (not another service) and is reachable, or raise the timeout`
      case DATABASE_SILENT:
        return `PostgreSQL at ${where} (DATABASE_URL) stopped answering: ${said} (its host frozen or overloaded, or the network between lost the connection unsaid): check the database and the network, and start again`
      case 'CONNECTION_CLOSED':
      case 'CONNECTION_ENDED':
      case 'CONNECTION_DESTROYED':
      case 'ECONNRESET':
      case 'EPIPE':
        return `the connection to PostgreSQL at ${where} (DATABASE_URL) closed while in use: ${said}: check that PostgreSQL runs there (not restarting, nor failing over) and start again`
      default:
        return undefined
    }
  }

  /** By the SQLSTATE's class (its first two characters): PostgreSQL's errors only, as no other code has these. */
  function byClass(code: string): string | undefined {
    switch (code.slice(0, 2)) {
      case '08':
        return `the connection to PostgreSQL at ${where} (DATABASE_URL) failed: ${said}: check that PostgreSQL runs there and is reachable, and start again`
      case '40':
        return `PostgreSQL at ${where} rolled back a transaction: ${said}: start again`
      case '53':
        return `PostgreSQL at ${where} is out of a resource: ${said} (disk space, memory, or connections): free some or raise its limit, and start again`
      case '57':
        return `PostgreSQL at ${where} ended the session or turned it away: ${said} (shutting down, restarting, starting up, or an administrator): start again once it serves`
      case '58':
      case 'XX':
        return `PostgreSQL at ${where} failed on its own side: ${said}: see its log`
      default:
        return undefined
    }
  }
}
