/**
 * Starts a server process: services, the HTTP app and the websocket server, and
 * stops them in the reverse order, saving what is pending.
 */
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { WebSocketServer } from 'ws'
import { LIMITS } from '../shared/limits.ts'
import type { Config } from './config.ts'
import { createApp } from './http/app.ts'
import { closeServices, createServices, type ServiceOptions, type Services } from './services.ts'

export type RunningServer = {
  url: string
  port: number
  services: Services
  close(): Promise<void>
}

export async function startServer(config: Config, options: ServiceOptions = {}): Promise<RunningServer> {
  const services = await createServices(config, options)
  const app = createApp(services)
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxMessageBytes })
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: wss } })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.PORT, config.HOST, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`
  services.logger.info({ url, storage: services.storage.dialect }, 'assay is listening')
  let closing: Promise<void> | undefined
  return {
    url,
    port,
    services,
    close() {
      closing ??= (async () => {
        await services.rooms.close()
        for (const client of wss.clients) client.terminate()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await closeServices(services, options)
      })()
      return closing
    },
  }
}
