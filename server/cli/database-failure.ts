/**
 * What a command prints when PostgreSQL cannot be reached or refuses the
 * connection: one line naming DATABASE_URL's host, port or database (never the
 * URL itself, which may hold a password) and what to do, not the driver's
 * stack trace.
 */
import { postgresUrl, type Config } from '../config.ts'
import { codesOf } from '../storage/storage-errors.ts'
import { innermostMessage } from '../startup-error.ts'

const DEFAULT_PORT = '5432'

/** The line (without "assay: "), or null when `error` is no such failure or the database is SQLite. */
export function databaseFailureLine(error: unknown, config: Pick<Config, 'DATABASE_URL' | 'DATABASE_CONNECT_TIMEOUT_MS'>): string | null {
  if (config.DATABASE_URL === undefined) return null
  // The first host, to which the driver connects first.
  const url = postgresUrl(config.DATABASE_URL)
  if (url === null) return null
  const host = url.hostname
  const where = `${host}:${url.port || DEFAULT_PORT}`
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username)
  for (const code of codesOf(error)) {
    const line = lines(code)
    if (line !== undefined) return `${line} (${code}).`
  }
  return null

  function lines(code: string): string | undefined {
    switch (code) {
      case '3D000':
        return `DATABASE_URL names the database "${database}", which does not exist on ${where}: create it (createdb -h ${host} "${database}") or correct the database in DATABASE_URL`
      case '28P01':
      case '28000':
        return `PostgreSQL at ${where} refused DATABASE_URL's credentials: ${innermostMessage(error)}; correct the user or password in DATABASE_URL, or the server's pg_hba.conf`
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
      default:
        return undefined
    }
  }
}
