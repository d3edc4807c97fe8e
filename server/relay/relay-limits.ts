/** The relay's limits as configured: the settings of server/config.ts in the relay's own units. */
import { RELAY_LIMITS, type RelayLimits } from '../../shared/limits.ts'
import type { Config } from '../config.ts'

export type { RelayLimits }

export const DEFAULT_RELAY_LIMITS: RelayLimits = RELAY_LIMITS

export function relayLimits(config: Config): RelayLimits {
  return {
    connectionsPerPerson: config.WS_MAX_CONNECTIONS_PER_PERSON,
    connections: config.WS_MAX_CONNECTIONS,
    messagesPerSecond: config.WS_MAX_MESSAGES_PER_SECOND,
    bytesPerSecond: config.WS_MAX_BYTES_PER_SECOND,
    writtenBytesPerHour: config.WRITTEN_BYTES_PER_HOUR_PER_PERSON,
    loadedBytesPerMinute: config.LOADED_BYTES_PER_MINUTE_PER_PERSON,
    instanceLoadedBytesPerMinute: config.LOADED_BYTES_PER_MINUTE,
    instanceEncodedBytesPerSecond: config.ENCODED_BYTES_PER_SECOND,
    boardBytes: config.BOARD_MAX_BYTES,
    readOnlyMessageBytes: RELAY_LIMITS.readOnlyMessageBytes,
    unfinishedBytes: config.WS_MAX_UNFINISHED_BYTES,
    messageTimeoutMs: config.WS_MESSAGE_TIMEOUT_MS,
    messageMinBytesPerSecond: config.WS_MESSAGE_MIN_BYTES_PER_SECOND,
    pingIntervalMs: config.WS_PING_INTERVAL_MS,
    queuedBytesPerConnection: config.WS_MAX_QUEUED_BYTES_PER_CONNECTION,
    queuedBytes: config.WS_MAX_QUEUED_BYTES,
    presenceBytes: config.PRESENCE_MAX_BYTES,
    presenceDepth: config.PRESENCE_MAX_DEPTH,
    presenceUpdatesPerSecond: config.PRESENCE_UPDATES_PER_SECOND,
    presenceBytesPerSecond: config.PRESENCE_BYTES_PER_SECOND_PER_PERSON,
    presenceClientsPerConnection: RELAY_LIMITS.presenceClientsPerConnection,
    presenceRememberRemovedMs: config.PRESENCE_REMEMBER_REMOVED_MS,
    pendingUpdateBytes: config.PENDING_UPDATE_MAX_BYTES,
    commitRetryMaxMs: config.COMMIT_RETRY_MAX_MS,
    commitFailingNoticeMs: config.COMMIT_FAILING_NOTICE_MS,
    commitWaitMs: config.COMMIT_WAIT_MS,
    idleRoomMs: config.ROOM_IDLE_MS,
    idleRooms: config.ROOM_IDLE_MAX,
    idleRoomBytes: config.ROOM_IDLE_MAX_BYTES,
    rewriteResetIntervalMs: config.REWRITE_RESET_INTERVAL_MS,
  }
}
