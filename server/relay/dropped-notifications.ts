/**
 * The notifications from other instances that a channel could not read: the
 * first logged as a warning, then how many more at most once a
 * REPORT_INTERVAL_MS, each of them at debug. Anyone connected to the database
 * may notify on the channels, and a warning each would let a flood of junk
 * (85,000 notifications: 19 MB of log on every instance, red team 35b) fill
 * every instance's log.
 */
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'

const REPORT_INTERVAL_MS = 60_000
const FAILURE = 'a notification from another instance dropped'

export class DroppedNotifications {
  private lastWarnedAt: number | undefined
  /** Dropped since the last warning. */
  private unwarned = 0

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  note(channel: string, error: unknown): void {
    const now = this.now()
    if (this.lastWarnedAt !== undefined && now - this.lastWarnedAt < REPORT_INTERVAL_MS) {
      this.unwarned++
      this.logger.debug({ channel, err: errorMessage(error) }, FAILURE)
      return
    }
    this.logger.warn({ channel, err: errorMessage(error), droppedSinceLastWarning: this.unwarned }, FAILURE)
    this.lastWarnedAt = now
    this.unwarned = 0
  }
}
