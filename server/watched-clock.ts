/**
 * The clock the server stores history with, watched for a step back (an NTP
 * step, a virtual machine restored from an image): a warning, once per
 * process, names it. The stores date what they write no earlier than what the
 * board's history already holds, within a tolerance (storage/history-time.ts),
 * so while the clock is behind, boards' times stand still, and an operator
 * reading the history should know why.
 */
import type { Clock } from './clock.ts'
import type { Logger } from './log.ts'

export function watchedClock(clock: Clock, logger: Logger): Clock {
  let latest = -Infinity
  let warned = false
  return () => {
    const now = clock()
    const ms = now.getTime()
    if (ms >= latest) latest = ms
    else if (!warned) {
      warned = true
      logger.warn(
        { now: now.toISOString(), seenBefore: new Date(latest).toISOString() },
        'the system clock went back: history stores no time earlier than a board already holds, so boards’ times stand still until the clock catches up (within HISTORY_CLOCK_TOLERANCE_MS; a board’s history further ahead is dated back to the clock at its next edit)',
      )
    }
    return now
  }
}
