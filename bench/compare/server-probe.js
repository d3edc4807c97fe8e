// @ts-check
/**
 * The server side of the comparison: each target's server process (serve-*)
 * says where clients connect, then answers the bench's questions about itself
 * over IPC: its CPU time (process.cpuUsage, every thread's), its memory after
 * a full collection, and new boards. Plain JavaScript, so that the peer
 * servers run as plain Node, without a TypeScript loader adding to their memory.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { initialNewSpaceBytes, newSpaceBytes } from './initial-heap.js'
import { answerCalls } from './ipc.js'

/** @typedef {import('./server-probe.d.ts').ServerProbe} ServerProbe */

const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc

/** Memory after several full collections, with turns of the event loop between them so that finalizers settle. */
export async function settledMemory() {
  if (!gc) throw new Error('a target server runs with --expose-gc (bench/compare/server-process.ts starts it so)')
  for (let pass = 0; pass < 4; pass++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage()
}

/** How long start memory waits for the young generation to be given back; V8 does it after about 15 s of idleness. */
const IDLE_WAIT_MS = 30_000

/**
 * Memory at start, as an idle server holds it: loading modules grows V8's
 * young generation (to 32 MiB for Assay's), and a full collection does not
 * give it back; V8's memory reducer does, once the process has been idle for
 * a while. So this waits (polling, never collecting, which would put the
 * reducer off) until the young generation is back to its size at launch, or
 * for IDLE_WAIT_MS, then reads it as settledMemory does. The same for
 * every target: one that never grew it is read at once.
 */
export async function memoryOnceIdle() {
  const deadline = Date.now() + IDLE_WAIT_MS
  while (newSpaceBytes() > initialNewSpaceBytes && Date.now() < deadline) await sleep(250)
  return settledMemory()
}

/** @param {ServerProbe} probe */
export function serveProbe(probe) {
  if (!process.send) throw new Error('a target server runs under the comparison bench, with an IPC channel')
  answerCalls(process, {
    cpu: () => {
      const { user, system } = process.cpuUsage()
      return user + system
    },
    memory: settledMemory,
    boards: (/** @type {number} */ count) => probe.createBoards(count),
  })
  process.on('disconnect', () => {
    probe.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
  const { wsBase, dialect, token, startMemory } = probe
  process.send({ ready: { wsBase, dialect, token, startMemory } })
}
