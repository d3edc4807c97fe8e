/**
 * The notifications from other instances that a channel could not read: the
 * first logged as a warning, each later one at debug, and how many were
 * dropped since in a warning at most once a report interval (a minute
 * unless configured): the count is told when the interval ends, so the last
 * of a flood is told too once it stops. Anyone connected to the database may
 * notify on the channels, and a warning each would let a flood of junk
 * (85,000 notifications: 19 MB of log on every instance, red team 35b) fill
 * every instance's log.
 */
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'

export const DEFAULT_REPORT_INTERVAL_MS = 60_000
const FAILURE = 'a notification from another instance dropped'
export const COUNTED = 'notifications from other instances dropped since the last warning'

export class DroppedNotifications {
  /** Open from a warning until the interval after it ends: what comes meanwhile is only counted. */
  private interval: NodeJS.Timeout | undefined
  /** Dropped within the interval, and the last of them. */
  private unwarned = 0
  private last: { channel: string; err: string } | undefined

  constructor(
    private readonly logger: Logger,
    private readonly reportIntervalMs = DEFAULT_REPORT_INTERVAL_MS,
  ) {}

  note(channel: string, error: unknown): void {
    const err = errorMessage(error)
    if (this.interval !== undefined) {
      this.unwarned++
      this.last = { channel, err }
      this.logger.debug({ channel, err }, FAILURE)
      return
    }
    this.logger.warn({ channel, err }, FAILURE)
    this.startInterval()
  }

  /** No count is told after this, and no timer is left. */
  stop(): void {
    clearTimeout(this.interval)
    this.interval = undefined
  }

  private startInterval(): void {
    this.interval = setTimeout(() => this.intervalEnded(), this.reportIntervalMs)
    this.interval.unref()
  }

  /** The count of the interval told, and another interval begun for what comes next; none dropped, the next is warned of at once. */
  private intervalEnded(): void {
    this.interval = undefined
    if (this.unwarned === 0) return
    const dropped = this.unwarned
    const last = this.last
    this.unwarned = 0
    this.last = undefined
    this.startInterval()
    this.logger.warn({ dropped, lastChannel: last?.channel, lastErr: last?.err }, COUNTED)
  }
}
