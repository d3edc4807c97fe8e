/**
 * The real server in a process of its own for the memory soak (bench/soak.ts).
 * Started with --expose-gc and an IPC channel: on "measure" it runs a full
 * collection and answers with its memory and how many rooms it holds. Nothing
 * of this reaches a production server, which has neither.
 */
import { openAccess } from '../test/helpers/open-access.ts'
import { loadConfig } from '../server/config.ts'
import { startServer } from '../server/server.ts'

export type SoakMeasure = { memory: NodeJS.MemoryUsage; loadedRooms: number }
export type SoakServerMessage = { url: string } | SoakMeasure

const gc = (globalThis as { gc?: () => void }).gc
if (!gc || !process.send) throw new Error('bench/soak-server.ts runs under bench/soak.ts (node --expose-gc, with an IPC channel)')
const send = (message: SoakServerMessage) => process.send!(message)

const server = await startServer(loadConfig(), { access: () => openAccess() })
process.on('message', async (message) => {
  if (message !== 'measure') return
  // Several passes, with turns of the event loop between them, so that finalizers and weak references settle.
  for (let pass = 0; pass < 4; pass++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  send({ memory: process.memoryUsage(), loadedRooms: server.services.rooms.loadedRooms.size })
})
process.on('disconnect', () => void server.close().then(() => process.exit(0)))
send({ url: server.url })
