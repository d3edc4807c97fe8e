/**
 * GET /readyz: whether this instance should be sent traffic. Ready only when
 * the database answers within READINESS_TIMEOUT_MS. The body says what was
 * checked, by kind only (no host names or messages: the route is public).
 */
import type { Services } from '../services.ts'
import type { ProbeResult } from './storage-health.ts'

export type CheckStatus = 'ok' | Extract<ProbeResult, { ok: false }>['problem']

export type Readiness = {
  ready: boolean
  /** True once the server has started shutting down: it takes no new work. */
  shuttingDown: boolean
  storage: { status: CheckStatus; ms?: number }
}

export async function checkReadiness(services: Pick<Services, 'storageHealth' | 'lifecycle'>): Promise<Readiness> {
  const { shuttingDown } = services.lifecycle
  const storage = await services.storageHealth.probe()
  return {
    ready: storage.ok && !shuttingDown,
    shuttingDown,
    storage: storage.ok ? { status: 'ok', ms: storage.ms } : { status: storage.problem },
  }
}
