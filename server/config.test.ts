import { describe, expect, it } from 'vitest'
import { runCli } from '../test/helpers/run-cli.ts'
import { ConfigError, loadConfig } from './config.ts'

const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error(`accepted ${JSON.stringify(env)}`)
}

describe('loadConfig', () => {
  it('counts a blank value as unset, as an empty one, rather than reading it as 0', () => {
    const defaults = loadConfig({})
    const names = ['PORT', 'SNAPSHOT_INTERVAL_MINUTES', 'HISTORY_RETENTION_DAYS', 'ROOM_IDLE_MS', 'HISTORY_READ_CACHE_BYTES', 'TRUST_PROXY', 'METRICS_PORT', 'HOST', 'DATA_DIR'] as const
    for (const blank of [' ', '\t', ' \n ']) {
      const config = loadConfig(Object.fromEntries(names.map((name) => [name, blank])))
      for (const name of names) expect(config[name], `${name}=${JSON.stringify(blank)}`).toBe(defaults[name])
    }
    expect(defaults.METRICS_PORT).toBeUndefined()
  })

  it('reads a value without the spaces around it, but a password as typed', () => {
    const config = loadConfig({ PORT: ' 9000\n', HOST: ' 0.0.0.0 ', SNAPSHOT_INTERVAL_MINUTES: '\t0.5 ', ASSAY_ADMIN_EMAIL: ' admin@example.org ', ASSAY_ADMIN_PASSWORD: ' a long pass phrase ' })
    expect(config).toMatchObject({ PORT: 9000, HOST: '0.0.0.0', SNAPSHOT_INTERVAL_MINUTES: 0.5, ASSAY_ADMIN_EMAIL: 'admin@example.org', ASSAY_ADMIN_PASSWORD: ' a long pass phrase ' })
  })

  it('takes numbers in decimal digits only, within their range, and whole where the setting is a count, a port or milliseconds', () => {
    expect(refusal({ PORT: '0x1F90' })).toContain('PORT: must be a port number from 0 to 65535, e.g. 8787')
    expect(refusal({ PORT: '80.5' })).toContain('PORT: must be a port number from 0 to 65535')
    expect(refusal({ METRICS_PORT: '65536' })).toContain('METRICS_PORT: must be at most 65535')
    expect(refusal({ SHUTDOWN_TIMEOUT_MS: '1e4' })).toContain('SHUTDOWN_TIMEOUT_MS: must be a whole number of milliseconds, e.g. 10000')
    expect(refusal({ ROOM_IDLE_MS: '-1' })).toContain('ROOM_IDLE_MS: must be at least 0')
    expect(refusal({ TRUST_PROXY: '1.5' })).toContain('TRUST_PROXY: must be a whole number of proxies')
    expect(refusal({ HISTORY_RETENTION_DAYS: 'Infinity' })).toContain('HISTORY_RETENTION_DAYS: must be a number of days')
    expect(refusal({ HISTORY_RETENTION_DAYS: '-' + '9'.repeat(400) })).toContain('HISTORY_RETENTION_DAYS: must be 0 (for ever) or more days')
    expect(refusal({ HISTORY_READ_CACHE_BYTES: '9'.repeat(400) })).toContain('HISTORY_READ_CACHE_BYTES: must be at most')
    expect(refusal({ HISTORY_DETAIL_DAYS: '0.001' })).toContain('HISTORY_DETAIL_DAYS: must be at least 0.01 days')
    expect(loadConfig({ HISTORY_RETENTION_DAYS: '0', ROOM_IDLE_MS: '0', HISTORY_DETAIL_DAYS: '.5' })).toMatchObject({ HISTORY_RETENTION_DAYS: 0, ROOM_IDLE_MS: 0, HISTORY_DETAIL_DAYS: 0.5 })
  })

  it('pings Redis connections every 5 s unless told otherwise, at most every 100 ms', () => {
    expect(loadConfig({}).REDIS_PING_INTERVAL_MS).toBe(5000)
    expect(loadConfig({ REDIS_PING_INTERVAL_MS: '500' }).REDIS_PING_INTERVAL_MS).toBe(500)
    expect(refusal({ REDIS_PING_INTERVAL_MS: '50' })).toContain('REDIS_PING_INTERVAL_MS: must be at least 100 ms')
  })

  it('catches changed boards up in the background every 15 s unless told otherwise, at most every 100 ms', () => {
    expect(loadConfig({}).REDIS_CATCH_UP_INTERVAL_MS).toBe(15_000)
    expect(loadConfig({ REDIS_CATCH_UP_INTERVAL_MS: '500' }).REDIS_CATCH_UP_INTERVAL_MS).toBe(500)
    expect(refusal({ REDIS_CATCH_UP_INTERVAL_MS: '50' })).toContain('REDIS_CATCH_UP_INTERVAL_MS: must be at least 100 ms')
  })

  it('counts the notifications dropped at most once a minute unless told otherwise, at most every 100 ms', () => {
    expect(loadConfig({}).DROPPED_NOTIFICATIONS_REPORT_INTERVAL_MS).toBe(60_000)
    expect(loadConfig({ DROPPED_NOTIFICATIONS_REPORT_INTERVAL_MS: '500' }).DROPPED_NOTIFICATIONS_REPORT_INTERVAL_MS).toBe(500)
    expect(refusal({ DROPPED_NOTIFICATIONS_REPORT_INTERVAL_MS: '50' })).toContain('DROPPED_NOTIFICATIONS_REPORT_INTERVAL_MS: must be at least 100 ms')
  })

  it('takes a whole request 60 s unless told otherwise, and refuses its headers longer than that (as Node would)', () => {
    expect(loadConfig({})).toMatchObject({ HTTP_HEADERS_TIMEOUT_MS: 20_000, HTTP_REQUEST_TIMEOUT_MS: 60_000 })
    expect(loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '500' }).HTTP_REQUEST_TIMEOUT_MS).toBe(500)
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow('HTTP_HEADERS_TIMEOUT_MS must be at most HTTP_REQUEST_TIMEOUT_MS')
  })

  it('refuses automatic snapshots more often than every 0.001 minutes, 0 turning them off', () => {
    expect(refusal({ SNAPSHOT_INTERVAL_MINUTES: '0.0000001' })).toContain('SNAPSHOT_INTERVAL_MINUTES: must be 0 (off) or at least 0.001 minutes (60 ms)')
    expect(loadConfig({ SNAPSHOT_INTERVAL_MINUTES: '0' }).SNAPSHOT_INTERVAL_MINUTES).toBe(0)
    expect(loadConfig({ SNAPSHOT_INTERVAL_MINUTES: '0.001' }).SNAPSHOT_INTERVAL_MINUTES).toBe(0.001)
  })
})

describe('assay serve with a bad setting', () => {
  // The unreachable database makes a start that wrongly accepted the settings end too (with another message) instead of serving.
  it('exits 1 before starting, one line naming each bad setting', async () => {
    const run = await runCli(['serve'], { PORT: ' 0x1F90 ', SNAPSHOT_INTERVAL_MINUTES: '0.0000001', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATABASE_CONNECT_TIMEOUT_MS: '1000' })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      'assay: Invalid configuration:\n  PORT: must be a port number from 0 to 65535, e.g. 8787\n  SNAPSHOT_INTERVAL_MINUTES: must be 0 (off) or at least 0.001 minutes (60 ms)\n',
    )
    expect(run.stdout).toBe('')
  }, 30_000)
})
