/**
 * The stock y-websocket client, as a browser would use it, in Node: the real
 * WebsocketProvider over a real socket. BroadcastChannel is off so that two
 * clients in one process can only meet through the server.
 */
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { waitFor } from './wait-for.ts'

export type TestClient = {
  doc: Y.Doc
  provider: WebsocketProvider
  /** Resolves once the client has synced with the server. */
  synced(): Promise<void>
  destroy(): void
}

export function connectClient(wsUrl: string, boardId: string, params: Record<string, string> = {}, headers?: Record<string, string>): TestClient {
  const doc = new Y.Doc()
  const Polyfill = headers
    ? class extends WebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols, { headers })
        }
      }
    : WebSocket
  const provider = new WebsocketProvider(wsUrl, boardId, doc, {
    WebSocketPolyfill: Polyfill as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params,
  })
  return {
    doc,
    provider,
    synced: () => waitFor(() => provider.synced, `client of ${boardId} to sync`).then(() => undefined),
    destroy() {
      provider.destroy()
      doc.destroy()
    },
  }
}

/** The close codes the provider reports from now on, in order (0 for a close that gave none). */
export function closeCodes(client: TestClient): number[] {
  const codes: number[] = []
  client.provider.on('connection-close', (event) => codes.push(event?.code ?? 0))
  return codes
}

/** `connectClient` for the tests of a file or suite: each client is destroyed after the test that connected it. */
export function clientsDestroyedAfterEach(): (wsUrl: string, boardId: string, params?: Record<string, string>) => TestClient {
  const clients: TestClient[] = []
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy()
  })
  return (wsUrl, boardId, params) => {
    const client = connectClient(wsUrl, boardId, params)
    clients.push(client)
    return client
  }
}
