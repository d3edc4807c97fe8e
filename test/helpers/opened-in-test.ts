import { afterEach } from 'vitest'
import type { RawSocket } from './raw-socket.ts'
import type { TestServer } from './test-server.ts'
import type { TestClient } from './yjs-client.ts'

/** What a test opened: its server, stock clients and raw sockets. */
export type Opened = { server?: TestServer; clients: TestClient[]; sockets: RawSocket[] }

/** What each test of a file opens, ended after it: sockets first, then clients, then the server they were on. */
export function openedInTest(): Opened {
  const opened: Opened = { clients: [], sockets: [] }
  afterEach(async () => {
    for (const socket of opened.sockets.splice(0)) socket.terminate()
    for (const client of opened.clients.splice(0)) client.destroy()
    await opened.server?.destroy()
    opened.server = undefined
  })
  return opened
}
