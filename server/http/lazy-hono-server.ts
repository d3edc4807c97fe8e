/**
 * A Node HTTP server that listens from the start and hands every request,
 * and every upgrade it is given, to @hono/node-server's listeners, loaded at
 * the first of them (node-adaptor.ts) with the app they call (`loadFetch`):
 * requests that come while they load wait for them. The listeners are the
 * ones `createAdaptorServer` builds, on this server, so Hono answers exactly
 * as it did when they were registered at start; its `upgrade` listener is
 * taken off the server (direct-upgrade.ts takes the event, and gives Hono
 * what it does not take itself).
 */
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerOptions } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '../log.ts'
import type { WebSocketServer } from 'ws'
import { errorMessage } from '../../shared/error-message.ts'
import { loadNodeAdaptor } from './node-adaptor.ts'

export type UpgradeListener = (request: IncomingMessage, socket: Socket, head: Buffer) => void | Promise<void>
type Fetch = Parameters<Awaited<ReturnType<typeof loadNodeAdaptor>>['createAdaptorServer']>[0]['fetch']
type HonoListeners = { request: RequestListener; upgrade: UpgradeListener | undefined }

export type LazyHonoServer = {
  server: Server
  /** Hono's handling of an upgrade: its websocket route, or its refusal; loads the adaptor first when no request has. */
  honoUpgrade: UpgradeListener
}

/** `loadFetch`: the app's fetch, made at the first ask. `websocket`: the server Hono's websocket route hands its sockets to (created with `noServer`). */
export function createLazyHonoServer(loadFetch: () => Promise<Fetch>, serverOptions: ServerOptions, logger: Logger, websocket?: WebSocketServer): LazyHonoServer {
  const server = createServer(serverOptions)
  let listeners: HonoListeners | undefined
  let adapting: Promise<HonoListeners> | undefined
  const adapt = (): Promise<HonoListeners> =>
    (adapting ??= Promise.all([loadNodeAdaptor(), loadFetch()]).then(
      ([{ createAdaptorServer }, fetch]) => {
        listeners = honoListeners(createAdaptorServer, server, fetch, websocket)
        return listeners
      },
      (error: unknown) => {
        adapting = undefined
        throw error
      },
    ))
  /** The adaptor's listeners, loaded at the first ask; null (logged) when they cannot be, for the caller to answer 500. */
  const loadedListeners = async (): Promise<HonoListeners | null> => {
    try {
      return listeners ?? (await adapt())
    } catch (error) {
      logger.error({ err: errorMessage(error) }, 'the HTTP adaptor could not be loaded; answered 500')
      return null
    }
  }
  // Hono's listeners return promises: one rejected would be unhandled and end the process, so it is caught here and
  // the one request or socket it was for is answered or closed.
  const failedOn = (what: string, error: unknown) => logger.error({ err: errorMessage(error) }, `the HTTP adaptor failed on ${what}; closed`)
  server.on('request', (request, response) => {
    const serve = async () => {
      const loaded = await loadedListeners()
      if (loaded) await loaded.request(request, response)
      else response.writeHead(500, { connection: 'close' }).end()
    }
    serve().catch((error: unknown) => {
      failedOn('a request', error)
      if (!response.headersSent) response.writeHead(500, { connection: 'close' })
      response.end()
    })
  })
  const honoUpgrade: UpgradeListener = (request, socket, head) => {
    const upgrade = async () => {
      const loaded = await loadedListeners()
      if (loaded) await loaded.upgrade?.(request, socket, head)
      else if (!socket.destroyed) socket.end(`HTTP/1.1 500 ${STATUS_CODES[500]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    upgrade().catch((error: unknown) => {
      failedOn('an upgrade', error)
      socket.destroy()
    })
  }
  return { server, honoUpgrade }
}

/**
 * `createAdaptorServer` given this server in place of a new one: it keeps
 * the request listener it would have created the server with, and takes off
 * the `upgrade` listener it adds (with a websocket server); the one that
 * closes the websocket server with this one stays, as before.
 */
function honoListeners(
  createAdaptorServer: Awaited<ReturnType<typeof loadNodeAdaptor>>['createAdaptorServer'],
  server: Server,
  fetch: Fetch,
  websocket: WebSocketServer | undefined,
): HonoListeners {
  let request: RequestListener | undefined
  const upgradesBefore = server.listeners('upgrade')
  // @hono/node-server types its option as node:http's overloaded createServer; this one takes the listener and returns the server that exists.
  const thisServer = ((_options: ServerOptions, listener: RequestListener) => {
    request = listener
    return server
  }) as typeof createServer
  createAdaptorServer({ fetch, createServer: thisServer, ...(websocket && { websocket: { server: websocket } }) })
  const [upgrade, ...others] = server.listeners('upgrade').filter((listener) => !upgradesBefore.includes(listener)) as UpgradeListener[]
  if (!request || others.length > 0) throw new Error('expected @hono/node-server to create its server with one request listener and at most one upgrade listener')
  if (upgrade) server.removeListener('upgrade', upgrade)
  return { request, upgrade }
}
