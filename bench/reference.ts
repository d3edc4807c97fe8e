/**
 * Assay against the reference Yjs server (@y/websocket-server, which keeps
 * documents in memory and stores nothing), with the same clients and the same
 * load: what durable-before-broadcast costs. `npm run bench` calls
 * `benchReference()`; run this file alone with `npx tsx bench/reference.ts`.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { docs, setupWSConnection } from '@y/websocket-server/utils'
import { WebSocketServer } from 'ws'
import { echoLatency, throughput, type LatencyFigures, type RelayTarget, type ThroughputFigures } from './relay.ts'

export type ReferenceBenchResult = { echoLatencyMs: LatencyFigures; throughput: ThroughputFigures }

/** The reference server, in this process like Assay's in bench/relay.ts. */
async function startReference(): Promise<RelayTarget & { close(): Promise<void> }> {
  const http = createServer()
  const wss = new WebSocketServer({ server: http })
  wss.on('connection', (socket, request) => setupWSConnection(socket, request))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    newBoard: async () => crypto.randomUUID(),
    close: async () => {
      for (const socket of wss.clients) socket.terminate()
      await new Promise<void>((resolve) => wss.close(() => http.close(() => resolve())))
      // The reference server keeps every document, and its presence timer, for the life of the process.
      for (const doc of docs.values()) {
        doc.awareness.destroy()
        doc.destroy()
      }
      docs.clear()
    },
  }
}

export async function benchReference(): Promise<ReferenceBenchResult> {
  const reference = await startReference()
  try {
    return { echoLatencyMs: await echoLatency(reference), throughput: await throughput(reference) }
  } finally {
    await reference.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchReference(), null, 2))
}
