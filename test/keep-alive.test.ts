/**
 * Idle keep-alive connections outlive the proxy's: the documented nginx keeps
 * its idle connections to an instance for 60 s (its upstream
 * `keepalive_timeout`), and a request it sends on a connection the server is
 * closing at that moment is answered 502. Node's default closes them after 5 s.
 */
import { afterEach, expect, it } from 'vitest'
import { startTestServer, type TestServer } from './helpers/test-server.ts'

let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
})

it('keeps an idle connection open longer than nginx keeps its own, and tells clients so', async () => {
  server = await startTestServer()
  const response = await fetch(`${server.url}/healthz`)
  expect(response.status).toBe(200)
  expect(response.headers.get('keep-alive')).toBe('timeout=65')
})
