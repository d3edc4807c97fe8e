/**
 * What the relay reports as it works, for the metrics (server/metrics/): the
 * relay calls these and knows nothing of how they are counted or exposed.
 */
export interface RelayMetrics {
  /** A writer's update arrived (before it is applied and committed). */
  updateReceived(bytes: number): void
  /** A batch of updates was committed to the update log. */
  committed(updates: number, seconds: number): void
  commitFailed(): void
  /** A frame was sent to one connection. */
  relayed(bytes: number): void
  /** The server closed a connection with this code. */
  closed(code: number): void
  /** An update or presence change was published to the other instances, or published ones arrived. */
  redisPublished(): void
  redisReceived(): void
  /** A board caught up from the update log after this instance may have missed messages. */
  caughtUp(): void
}

/** For a relay whose caller counts nothing (tests, the command line). */
export const UNCOUNTED: RelayMetrics = {
  updateReceived() {},
  committed() {},
  commitFailed() {},
  relayed() {},
  closed() {},
  redisPublished() {},
  redisReceived() {},
  caughtUp() {},
}
