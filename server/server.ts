/**
 * Starts a server process: storage, rooms, the HTTP app and the websocket
 * server, and stops them in the reverse order, saving what is pending.
 */
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { WebSocketServer } from 'ws'
import { LIMITS } from '../shared/limits.ts'
import type { Access } from './access/access.ts'
import { openAccess } from './access/open-access.ts'
import type { Config } from './config.ts'
import { createApp } from './http/app.ts'
import { createLogger, type Logger } from './log.ts'
import { RoomRegistry, type RoomRegistryOptions } from './relay/room-registry.ts'
import type { Services } from './services.ts'
import { openStorage } from './storage/open-storage.ts'
import type { Storage } from './storage/storage.ts'

export type StartOptions = {
  logger?: Logger
  /** Overrides how requests are authenticated and authorized (tests of the relay alone). */
  access?: (storage: Storage) => Access
  rooms?: RoomRegistryOptions
  /** A storage opened by the caller (e.g. a PostgreSQL schema of a test's own). */
  storage?: Storage
}

export type RunningServer = {
  url: string
  port: number
  services: Services
  close(): Promise<void>
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL)
  const storage = options.storage ?? (await openStorage(config))
  const rooms = new RoomRegistry(storage, logger, options.rooms)
  const access = options.access ? options.access(storage) : openAccess()
  const services: Services = { config, logger, storage, rooms, access }
  const app = createApp(services)
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxMessageBytes })
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: wss } })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.PORT, config.HOST, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`
  logger.info({ url, storage: storage.dialect }, 'assay is listening')
  let closing: Promise<void> | undefined
  return {
    url,
    port,
    services,
    close() {
      closing ??= (async () => {
        await rooms.close()
        for (const client of wss.clients) client.terminate()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        if (!options.storage) await storage.close()
      })()
      return closing
    },
  }
}
