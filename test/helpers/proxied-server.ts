/**
 * A test server on a PostgreSQL database of its own, which it reaches through
 * a TCP proxy the test can break (tcp-proxy.ts), and their removal.
 */
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'
import { createMigratedDatabase, databaseUrl, dropDatabase, freshDatabaseName, startTestServer, type TestServer, type TestServerOptions } from './test-server.ts'

/** `destroy(current)`: the server as it is now, when the test restarted it. */
export type ProxiedServer = { server: TestServer; proxy: TcpProxy; destroy(current?: TestServer): Promise<void> }

export async function startProxiedServer(options: Pick<TestServerOptions, 'accounts' | 'logSink'> & { env: Record<string, string> }): Promise<ProxiedServer> {
  const database = freshDatabaseName()
  await createMigratedDatabase(database)
  const target = new URL(databaseUrl(database))
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) })
  target.port = String(proxy.port)
  const server = await startTestServer({ dialect: 'postgres', database, accounts: options.accounts, logSink: options.logSink, env: { ...options.env, DATABASE_URL: target.toString() } })
  return {
    server,
    proxy,
    async destroy(current = server) {
      proxy.slow(0)
      proxy.restore()
      await current.destroy()
      await proxy.close()
      await dropDatabase(database)
    },
  }
}
