/**
 * The machine's services and tools the tests use. A suite that needs one that
 * is missing is registered all the same, as skipped, with the reason in its
 * title, so vitest counts its cases as skipped. Under CI=true a missing service
 * fails the run instead: CI must never pass by skipping (.ci/run installs and
 * starts every one of them).
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { Redis } from 'ioredis'
import postgres from 'postgres'
import { describe } from 'vitest'
import { POSTGRES_URL, REDIS_URL, type Dialect } from './test-server.ts'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** `redis-server`: the executable, for a test that runs a Redis of its own (test/helpers/own-redis.ts). */
export type Service = 'postgres' | 'redis' | 'redis-server' | 'chromium' | 'nginx' | 'tmpfs'

/** Each check answers '' when the service is there, or what is wrong. */
const CHECKS: Record<Service, () => Promise<string>> = {
  postgres: async () => ((await postgresAnswers()) ? '' : `PostgreSQL is not reachable at ${new URL(POSTGRES_URL).host}`),
  redis: async () => ((await redisAnswers()) ? '' : `Redis is not reachable at ${new URL(REDIS_URL).host}`),
  chromium: async () => (isExecutable(CHROMIUM_PATH) ? '' : `Chromium is not installed at ${CHROMIUM_PATH}`),
  'redis-server': async () => (executablePath('redis-server') ? '' : 'redis-server is not installed'),
  nginx: async () => (executablePath('nginx') ? '' : 'nginx is not installed'),
  tmpfs: async () => (process.getuid?.() === 0 ? '' : 'mounting a small tmpfs needs root'),
}

/**
 * Why a suite needing `services` cannot run here, or '' when it can. Under
 * CI=true a missing service throws, which fails the test file with the reason.
 */
export async function missingServices(...services: Service[]): Promise<string> {
  const problems = await Promise.all(services.map((service) => CHECKS[service]()))
  const reason = problems.filter((problem) => problem !== '').join('; ')
  if (reason !== '' && process.env.CI === 'true') {
    throw new Error(`${reason}. Under CI=true every service the tests use must be there (.ci/run installs and starts them).`)
  }
  return reason
}

type SuiteBody = () => void

/** `describe`, or, when `missing` names what is missing, `describe.skip` with that reason in the suite's title. */
export function describeUnless(missing: string): (title: string, body: SuiteBody) => void {
  return (title, body) => (missing === '' ? describe(title, body) : describe.skip(`${title} (skipped: ${missing})`, body))
}

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres']

/**
 * The suite once per dialect (`%s` in the title names it); the PostgreSQL one is
 * skipped with the reason when `postgresMissing` (from missingServices('postgres')) says so.
 */
export function describeEachDialect(postgresMissing: string, title: string, body: (dialect: Dialect) => void): void {
  for (const dialect of DIALECTS) {
    describeUnless(dialect === 'postgres' ? postgresMissing : '')(title.replace('%s', dialect), () => body(dialect))
  }
}

/** The full path of an executable found on PATH (or in /usr/sbin, where Debian puts nginx), or undefined. */
export function executablePath(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']
  return folders.filter((folder) => folder !== '').map((folder) => join(folder, name)).find(isExecutable)
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export async function postgresAnswers(): Promise<boolean> {
  const sql = postgres(POSTGRES_URL, { connect_timeout: 3, max: 1, onnotice: () => {} })
  try {
    await sql`select 1`
    return true
  } catch {
    return false
  } finally {
    await sql.end({ timeout: 1 })
  }
}

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return (await redis.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}
