/**
 * The long-lived parts of a server process, made once at start-up and handed to
 * the HTTP app and the relay.
 */
import type { Access } from './access/access.ts'
import type { Config } from './config.ts'
import type { Logger } from './log.ts'
import type { RoomRegistry } from './relay/room-registry.ts'
import type { Storage } from './storage/storage.ts'

export type Services = {
  config: Config
  logger: Logger
  storage: Storage
  rooms: RoomRegistry
  access: Access
}
