/**
 * Starts a server process: services, the HTTP app and the websocket server
 * (and the metrics port when METRICS_PORT is set), and stops them in the
 * reverse order within the shutdown deadline, saving what can be saved.
 */
import type { Server, ServerOptions } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocketServer, type ServerOptions as WebSocketServerOptions } from 'ws'
import { LIMITS } from '../shared/limits.ts'
import type { Config } from './config.ts'
import { takeWebsocketUpgrades } from './http/direct-upgrade.ts'
import { createLazyHonoServer } from './http/lazy-hono-server.ts'
import { createLogger, type Logger } from './log.ts'
import type { Metrics } from './metrics/metrics.ts'
import { metricsRoute } from './metrics/metrics-route.ts'
import { replayHeldChanges } from './relay/held-change-replay.ts'
import { errorMessage } from '../shared/error-message.ts'
import { closeServices, createServices, type ServiceOptions, type Services } from './services.ts'
import { DatabaseTakenByImport, holdServingLock } from './storage/serving-lock.ts'
import type { HeldLock } from './storage/held-lock.ts'
import { CLOSE_TIMEOUT_MS } from './websocket/relay-socket.ts'
import { codesOf } from './storage/storage-errors.ts'
import { StartupError } from './startup-error.ts'
import { owningWhatOpens, type OpenedResources } from './opened-resources.ts'

export type RunningServer = {
  url: string
  port: number
  /** Where /metrics is served when METRICS_PORT is set. */
  metricsUrl: string | undefined
  services: Services
  /**
   * Stops within SHUTDOWN_TIMEOUT_MS: stops accepting connections, refuses new
   * requests with 503, commits what can be committed, closes the websockets
   * with 1001 (going away) and closes the storage. Whatever could not be
   * committed by then stays in the clients, which send it again when they
   * reconnect to any instance.
   */
  close(): Promise<void>
  /**
   * Settles, with why, when the server has begun closing itself (close): an
   * `assay import` took its database while its serving lock was lost (or took
   * it and was done before the server held the lock again), and its rooms in
   * memory no longer match what the database holds. Never
   * rejects; whoever runs the server decides what follows (`assay serve`
   * exits 1, stop-on-signals.ts).
   */
  stopsItself: Promise<Error>
}

/**
 * `prepare`: work that must succeed before anything is served (`assay serve` creates the demo board there). When a
 * step of the start fails, what the steps before it opened (the serving lock, the services, the sockets) is closed,
 * newest first (opened-resources.ts), nothing listens, and the failure passes on.
 */
export async function startServer(config: Config, options: ServiceOptions = {}, prepare?: (services: Services) => Promise<void>): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL)
  return owningWhatOpens(logger, config.SHUTDOWN_TIMEOUT_MS, (opened) => serve(config, { ...options, logger }, opened, prepare))
}

async function serve(config: Config, options: ServiceOptions & { logger: Logger }, opened: OpenedResources, prepare?: (services: Services) => Promise<void>): Promise<RunningServer> {
  const closingWithin = () => sleep(config.SHUTDOWN_TIMEOUT_MS, undefined, { ref: false })
  // On SQLite, whose DATA_DIR is the database: a second server there without Redis would serve boards apart from the first.
  const dataDirHeld = config.DATABASE_URL ? undefined : opened.add('the data folder', await holdSqliteDataDir(config, options.logger), (held) => held.release())
  // Before the storage is opened: an `assay import` writing it meanwhile finishes first.
  const servingLock = opened.add('the serving lock', await holdServingLock(config, options.logger), (lock) => lock.release())
  const services = await createServices(config, options)
  // Shutting down: requests are refused (503), and a held change's replay stops.
  const closeServing = (deadline: Promise<unknown>) => {
    services.lifecycle.shuttingDown = true
    return closeServices(services, options, deadline)
  }
  opened.add('the services', services, () => closeServing(closingWithin()))
  // Boards left ahead of the clock (it stepped forward and back, and nobody edited them since) would keep times to come
  // until their next edit: dated back before anything is served, so a read as of now holds their newest rows. Here, not
  // in createServices: the CLI's commands (withServices) leave history alone, run as they are by another machine's clock
  // and on SQLite beside the server that serves the file. A failure (the database busy or away) does not keep the server
  // from starting: the hourly history sweep tries again.
  await services.storage.log
    .dateBackFuture()
    .catch((error: unknown) => services.logger.warn({ err: errorMessage(error) }, 'history ahead of the clock could not be dated back at start'))
  // Read before anything is served: an import that wrote before this is in whatever the rooms load.
  await servingLock.watchWrites(() => services.storage.exclusiveWrites.count())
  // closeTimeout: ws (8.23) takes it, @types/ws does not list it yet.
  const websocketOptions: WebSocketServerOptions & { closeTimeout: number } = { noServer: true, maxPayload: LIMITS.maxMessageBytes, closeTimeout: CLOSE_TIMEOUT_MS }
  const wss = new WebSocketServer(websocketOptions)
  // The API (Hono, its OpenAPI layer, every route and its schemas; some 6 MiB resident, BENCHMARKS.md) is loaded at the
  // first HTTP request: the relay's websockets never need it.
  const { server, honoUpgrade } = createLazyHonoServer(async () => (await import('./http/app.ts')).createApp(services).fetch, requestTimeouts(config), services.logger, wss)
  takeWebsocketUpgrades(server, wss, services, honoUpgrade)
  services.connections.watch(server)
  services.requests.watch(server)
  const metricsServer = services.metrics && config.METRICS_PORT !== undefined ? serveMetrics(services.metrics, config, services.logger) : undefined
  const closeSockets = () => {
    server.close()
    for (const client of wss.clients) client.terminate()
    server.closeAllConnections()
    metricsServer?.close()
    metricsServer?.closeAllConnections()
  }
  opened.add('the listening sockets', server, closeSockets)
  let closing: Promise<void> | undefined
  const stopServing = async (deadline: Promise<unknown>) => {
    server.close()
    server.closeIdleConnections()
    await closeServing(deadline)
    closeSockets()
  }
  // The changes an earlier process answered 202 and never committed are stored first, before anything is served, as
  // long as that takes at most COMMIT_WAIT_MS: the rest once the server listens (held-change-replay.ts). It never rejects.
  const replay = replayHeldChanges({
    spool: services.heldChanges,
    storage: services.storage,
    access: services.access,
    rooms: services.rooms,
    logger: services.logger,
    retryForMs: config.HELD_CHANGES_RETRY_MS,
    stopped: () => services.lifecycle.shuttingDown,
  })
  const replayed = await Promise.race([replay.then(() => true), sleep(config.COMMIT_WAIT_MS, false, { ref: false })])
  if (!replayed) services.logger.warn({ folder: services.heldChanges.folder }, 'held HTTP changes of an earlier run are not all stored within COMMIT_WAIT_MS; the rest are stored once the server listens')
  await prepare?.(services)
  // The metrics port first: a port of its own that is taken stops the start before anyone is served on the main one.
  const metricsUrl = metricsServer && (await listen(metricsServer, config.METRICS_PORT ?? 0, config.METRICS_HOST, { port: 'METRICS_PORT', host: 'METRICS_HOST' })).url
  const { url, port } = await listen(server, config.PORT, config.HOST, { port: 'PORT', host: 'HOST' })
  services.logger.info({ url, metricsUrl, storage: services.storage.dialect }, 'assay is listening')
  let stopItself: (why: Error) => void = () => {}
  const running: RunningServer = {
    url,
    port,
    metricsUrl,
    services,
    close() {
      closing ??= (async () => {
        await stopServing(closingWithin())
        await servingLock.release()
        await dataDirHeld?.release()
      })()
      return closing
    },
    stopsItself: new Promise((resolve) => (stopItself = resolve)),
  }
  servingLock.onTakenAway(() => {
    // Whoever awaits stopsItself joins close() and sees its failure, if any.
    running.close().catch(() => {})
    stopItself(new DatabaseTakenByImport(config))
  })
  return running
}

/** Loaded on SQLite only, as the serving lock loads only its dialect's module (serving-lock.ts). */
async function holdSqliteDataDir(config: Config, logger: Logger): Promise<HeldLock> {
  const { holdDataDir } = await import('./storage/data-dir-server.ts')
  return holdDataDir(config.DATA_DIR, config.REDIS_URL !== undefined, logger)
}

/**
 * How long a request's headers may take to arrive (HTTP_HEADERS_TIMEOUT_MS),
 * and the whole request, its body included (HTTP_REQUEST_TIMEOUT_MS), each
 * counted by Node from the request's first byte (from the connection's
 * opening, for its first request): a connection idle between requests is not
 * waiting for one, and keeps its keep-alive time. Node answers a late one 408
 * and closes its connection. It looks for late requests at an interval, a
 * quarter of the shorter time here (at its default, 30 s, late headers could
 * run half a minute past the time).
 */
function requestTimeouts(config: Config): ServerOptions {
  return {
    headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: Math.ceil(config.HTTP_HEADERS_TIMEOUT_MS / 4),
  }
}

/** Connections the metrics port holds at once: a scraper or two needs a few, and whoever reaches the port gets no more. */
const METRICS_MAX_CONNECTIONS = 16

/**
 * The metrics port of its own, under the main port's time limits for a
 * request: without them 500 sockets sending unfinished headers were all held
 * for Node's default minute, each an open file of the process.
 */
function serveMetrics(metrics: Metrics, config: Config, logger: Logger): Server {
  const { server } = createLazyHonoServer(async () => metricsRoute(metrics, config.METRICS_TOKEN).fetch, requestTimeouts(config), logger)
  server.maxConnections = METRICS_MAX_CONNECTIONS
  return server
}

/**
 * How long an idle keep-alive connection stays open: longer than the proxy in
 * front keeps its idle connections to an instance (nginx's upstream
 * `keepalive_timeout`, 60 s by default), so that the proxy never sends a
 * request on a connection the server is closing at that moment, which it
 * answers 502 and does not retry when the request was a POST. Node's default
 * is 5 s.
 */
const KEEP_ALIVE_MS = 65_000

/**
 * Connections the kernel completes and queues before the server accepts them
 * (the kernel holds it to `net.core.somaxconn`). Node's default, 511, overflows
 * when a thousand clients connect at once while the event loop is busy with
 * upgrades (a restart's reconnecting clients): the kernel drops each connection
 * past it, and its client tries again only a second later (BENCHMARKS.md,
 * "The many-boards row: a burst of connections, and fewer writes").
 * Accepted connections are bounded as before (HTTP_MAX_CONNECTIONS).
 */
const LISTEN_BACKLOG = 4096

/** The settings a listening socket's port and host come from, named when it cannot listen. */
type ListenSettings = { port: string; host: string }

async function listen(server: Server, port: number, host: string, settings: ListenSettings): Promise<{ url: string; port: number }> {
  server.keepAliveTimeout = KEEP_ALIVE_MS
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenFailure(error, port, host, settings)))
    server.listen(port, host, LISTEN_BACKLOG, () => resolve())
  })
  const bound = (server.address() as AddressInfo).port
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, port: bound }
}

/** What the operator can do about a port that cannot be listened on, by Node's code; other failures pass as they are. */
function listenFailure(error: Error, port: number, host: string, settings: ListenSettings): Error {
  const code = codesOf(error)[0]
  const where = `${settings.port}=${port} on ${settings.host}=${host}`
  const advice: Record<string, string> = {
    EADDRINUSE: `cannot listen on ${where}: another process listens there; stop it or set ${settings.port} to a free port`,
    EACCES: `cannot listen on ${where}: ports below 1024 need privileges; set ${settings.port} to 1024 or above (a proxy in front can serve port 80/443)`,
    EADDRNOTAVAIL: `cannot listen on ${where}: ${host} is not an address of this machine; set ${settings.host} to one of its addresses (0.0.0.0 for all)`,
    ENOTFOUND: `cannot listen on ${where}: ${host} does not resolve to an address; set ${settings.host} to an address of this machine (0.0.0.0 for all)`,
    EAI_AGAIN: `cannot listen on ${where}: ${host} could not be resolved (the name server did not answer); set ${settings.host} to an address, e.g. 0.0.0.0`,
  }
  return code !== undefined && advice[code] !== undefined ? new StartupError(`${advice[code]} (${code}).`, { cause: error }) : error
}
