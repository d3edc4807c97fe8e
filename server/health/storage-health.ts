/**
 * Whether the database answers, as this instance sees it. When a query fails as
 * if the database were unreachable, the database is pinged; if the ping fails
 * too, the database counts as down: requests are refused with 503 at once
 * instead of each waiting for its own timeout, and it is pinged every second
 * until it answers again. A single dropped connection therefore refuses
 * nothing: only a database that does not answer a ping does.
 */
import type { Logger } from '../log.ts'
import { storageTroubleOf } from '../storage/storage-errors.ts'
import { DeadlineExceeded, withDeadline } from './deadline.ts'
import { errorMessage } from '../../shared/error-message.ts'

/** The outcome of one ping: how long it took, or why it failed (a kind, never a message: readiness is public). */
export type ProbeResult = { ok: true; ms: number } | { ok: false; problem: 'timeout' | 'unreachable' | 'refusing' | 'error' }

/** How often a database that is down is pinged. */
const PROBE_INTERVAL_MS = 1000

export class StorageHealth {
  private downSince: number | null = null
  private probing: Promise<ProbeResult> | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(
    private readonly ping: () => Promise<void>,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Since when (epoch ms) the database has not answered, or null while it does. */
  get unavailableSince(): number | null {
    return this.downSince
  }

  /** Pings the database within the deadline; concurrent callers share one ping. */
  probe(): Promise<ProbeResult> {
    this.probing ??= this.pingOnce().finally(() => (this.probing = undefined))
    return this.probing
  }

  /** A query failed; if it looks like an unreachable database, find out whether it is. */
  noteFailure(error: unknown): void {
    if (storageTroubleOf(error)?.trouble === 'unreachable' && this.downSince === null) this.probeInBackground()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
  }

  /** A probe nobody waits for: pingOnce() turns every failure into a result, and anything else is logged here. */
  private probeInBackground(): void {
    this.probe().catch((error: unknown) => this.logger.error({ err: errorMessage(error) }, 'database probe failed'))
  }

  private async pingOnce(): Promise<ProbeResult> {
    const started = performance.now()
    let result: ProbeResult
    try {
      await withDeadline(this.ping(), this.timeoutMs, 'the database')
      result = { ok: true, ms: Math.round(performance.now() - started) }
    } catch (error) {
      result = { ok: false, problem: error instanceof DeadlineExceeded ? 'timeout' : (storageTroubleOf(error)?.trouble ?? 'error') }
    }
    this.follow(result)
    return result
  }

  private follow(result: ProbeResult): void {
    if (result.ok) {
      if (this.downSince !== null) this.logger.info({ downForMs: Date.now() - this.downSince }, 'the database answers again')
      this.downSince = null
      return
    }
    if (result.problem === 'refusing') return
    if (this.downSince === null) {
      this.downSince = Date.now()
      this.logger.error({ problem: result.problem }, 'the database does not answer; refusing requests with 503 until it does')
    }
    if (!this.stopped && this.retryTimer === undefined) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined
        if (this.downSince !== null) this.probeInBackground()
      }, PROBE_INTERVAL_MS)
      this.retryTimer.unref()
    }
  }
}
