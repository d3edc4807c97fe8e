/**
 * Instances of the server on one PostgreSQL and Redis, for a test of several:
 * in this process or in a process of their own, with their clients and the
 * TCP proxies put in front of a service, all stopped after each test.
 */
import { rmSync } from 'node:fs'
import { afterEach } from 'vitest'
import type { Storage } from '../../server/storage/storage.ts'
import { startChildServer, type ChildServer } from './child-server.ts'
import { openAccess } from './open-access.ts'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'
import { databaseUrl, REDIS_URL, startTestServer, tempDir, type TestServer } from './test-server.ts'
import { connectClient, type TestClient } from './yjs-client.ts'

export type InstanceOptions = {
  /** Another instance's database, shared; a fresh one without it. */
  database?: string
  /** Real accounts; open access without. */
  accounts?: boolean
  redisUrl?: string
  logSink?: (line: string) => void
  wrapStorage?: (storage: Storage) => Storage
  env?: Record<string, string>
}

export function instancesAfterEach() {
  const servers: TestServer[] = []
  const children: ChildServer[] = []
  const clients: TestClient[] = []
  const proxies: TcpProxy[] = []
  const folders: string[] = []
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    for (const child of children.splice(0)) await child.kill()
    for (const proxy of proxies.splice(0)) await proxy.close()
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
    // The first server created the shared database and drops it, so it goes last.
    for (const server of servers.splice(0).reverse()) await server.destroy()
  })

  /** An instance in this process. */
  const start = async ({ database, accounts = false, redisUrl = REDIS_URL, logSink, wrapStorage, env }: InstanceOptions = {}) => {
    const server = await startTestServer({ dialect: 'postgres', database, logSink, wrapStorage, env: { REDIS_URL: redisUrl, ...env }, ...(accounts ? { accounts: true } : { access: () => openAccess() }) })
    servers.push(server)
    return server
  }
  /** An instance in a process of its own, as instances are deployed (and so that it can be killed). */
  const startChild = async (database: string) => {
    const dataDir = tempDir()
    folders.push(dataDir)
    const child = await startChildServer(dataDir, { DATABASE_URL: databaseUrl(database), REDIS_URL })
    children.push(child)
    return child
  }
  const connect = (server: { wsUrl: string }, boardId: string, params?: Record<string, string>) => {
    const client = connectClient(server.wsUrl, boardId, params)
    clients.push(client)
    return client
  }
  /** A proxy in front of the service at `url` the test can break, and the URL that reaches the service through it. */
  const throughProxy = async (url: string) => {
    const proxied = new URL(url)
    const proxy = await startTcpProxy({ host: proxied.hostname, port: Number(proxied.port || (proxied.protocol === 'redis:' ? 6379 : 5432)) })
    proxies.push(proxy)
    proxied.hostname = '127.0.0.1'
    proxied.port = String(proxy.port)
    return { proxy, url: proxied.toString() }
  }
  /** Redis through a proxy the test can cut: only the connections of whoever is pointed at it. */
  const redisThroughProxy = async () => {
    const { proxy, url } = await throughProxy(REDIS_URL)
    return { proxy, redisUrl: url }
  }
  return { servers, clients, start, startChild, connect, throughProxy, redisThroughProxy }
}
