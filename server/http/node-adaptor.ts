/**
 * @hono/node-server, loaded at the first request that needs it. Its module
 * reads the globals `Request`, `Response` and `Headers` as it loads, and the
 * first read of any of them makes Node load its fetch implementation
 * (undici): about 3 MiB resident (BENCHMARKS.md, "Start memory") that the
 * relay never needs, as direct-upgrade.ts takes websockets without a
 * `Request`. The server listens with Node's own `http.Server` from the start
 * (lazy-hono-server.ts); the first HTTP request loads this, once.
 */
type NodeAdaptor = typeof import('@hono/node-server')

let loading: Promise<NodeAdaptor> | undefined

export function loadNodeAdaptor(): Promise<NodeAdaptor> {
  loading ??= import('@hono/node-server').catch((error: unknown) => {
    // Not kept: a load that failed for want of a file descriptor succeeds at a later request.
    loading = undefined
    throw error
  })
  return loading
}
