// @ts-check
/**
 * The server side of the comparison: each target's server process (serve-*)
 * says where clients connect, then answers the bench's questions about itself
 * over IPC: its CPU time (process.cpuUsage, every thread's), its memory after
 * a full collection, and new boards. Plain JavaScript, so that the peer
 * servers run as plain Node, without a TypeScript loader adding to their memory.
 */
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
