/** What the server tells a board's clients in its own presence entry (server/relay/server-notices.ts), as a stock provider sees it. */
import type { ServerPresence } from '../../shared/protocol.ts'
import type { TestClient } from './yjs-client.ts'

/** What the server's own presence entry tells `client`, if anything. */
export function serverNotice(client: TestClient): ServerPresence['server'] | undefined {
  for (const state of client.provider.awareness.getStates().values()) {
    if ((state as Partial<ServerPresence>).server) return (state as ServerPresence).server
  }
  return undefined
}
