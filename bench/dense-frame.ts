/**
 * One member's update dear to check against the relay, while an honest
 * editor types on another board: how long the relay's event loop is held
 * (its longest delay, perf_hooks), how long the frame takes to be decided,
 * and the honest keystrokes' round trips meanwhile. Real server in this
 * process, SQLite in a temporary folder, the stock provider for the honest
 * editor, a raw socket for the member. Run with `npx tsx bench/dense-frame.ts`
 * (`--rounds N`, 3 by default).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { blufText, metaMap } from '../shared/board-doc.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { craftedCollectedRun } from '../test/helpers/crafted-update.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { updateMessage } from '../server/relay/messages.ts'
import { MAX_UPDATE_PIECES } from '../server/relay/validate-update.ts'
import { startServer, type RunningServer } from '../server/server.ts'
import { BENCH_LIMITS } from './bench-limits.ts'
import { median } from './median.ts'
import { client, round } from './relay.ts'

const OPERATOR = { userId: null, tokenId: null, name: 'bench', isAdmin: true, via: 'open' } as const

/** 150,000 one-character items typed backwards into the bottom line: accepted, 1.6 MB. */
function typedBackwards(clientId: number): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = clientId
  const text = blufText(doc)
  doc.transact(() => {
    for (let i = 0; i < 150_000; i++) text.insert(0, 'x')
  })
  return Y.encodeStateAsUpdate(doc)
}

/** 199,000 collected structs and one write to a root the layout lacks: refused (4422) at the last check, 398 KB. */
function collectedThenRefused(clientId: number): Uint8Array {
  const evil = new Y.Doc()
  evil.clientID = clientId + 1
  evil.getMap('evilroot').set('k', 'v')
  return Y.mergeUpdates([craftedCollectedRun(clientId, MAX_UPDATE_PIECES - 1_000), Y.encodeStateAsUpdate(evil)])
}

type Figures = { frameBytes: number; decidedMs: number; loopHeldMaxMs: number; honestKeystrokes: number; honestP50Ms: number; honestMaxMs: number }

async function attack(server: RunningServer, frame: Uint8Array): Promise<Figures> {
  const wsUrl = server.url.replace(/^http/, 'ws') + '/ws'
  const target = { wsUrl, newBoard: () => createBoard(server.services, { title: 'bench' }, OPERATOR) }
  const [attacked, other] = await Promise.all([target.newBoard(), target.newBoard()])
  const writer = client(target, other)
  const reader = client(target, other)
  await Promise.all([writer.synced, reader.synced])
  const socket = new WebSocket(`${wsUrl}/${attacked}`)
  socket.binaryType = 'nodebuffer'
  await new Promise((resolve) => socket.once('open', resolve))
  let decided = false
  socket.on('message', (data: Buffer) => {
    if (data.byteLength > 100_000) decided = true
  })
  socket.on('close', () => (decided = true))

  const delay = monitorEventLoopDelay({ resolution: 1 })
  const roundTrips: number[] = []
  let typing = true
  const typed = (async () => {
    for (let i = 0; typing; i++) {
      const start = performance.now()
      metaMap(writer.doc).set('question', `q${i}`)
      while (metaMap(reader.doc).get('question') !== `q${i}`) await new Promise((resolve) => setImmediate(resolve))
      roundTrips.push(performance.now() - start)
    }
  })()
  // Typing before the frame, so the honest path is warm.
  while (roundTrips.length < 20) await new Promise((resolve) => setImmediate(resolve))
  roundTrips.length = 0
  delay.enable()
  const sent = performance.now()
  socket.send(updateMessage(frame))
  while (!decided) await new Promise((resolve) => setImmediate(resolve))
  const decidedMs = performance.now() - sent
  delay.disable()
  typing = false
  await typed
  socket.terminate()
  writer.destroy()
  reader.destroy()
  const sorted = [...roundTrips].sort((a, b) => a - b)
  return {
    frameBytes: frame.byteLength,
    decidedMs: round(decidedMs),
    loopHeldMaxMs: round(delay.max / 1e6),
    honestKeystrokes: roundTrips.length,
    honestP50Ms: round(median(sorted)),
    honestMaxMs: round(sorted.at(-1) ?? 0),
  }
}

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } })
const dataDir = mkdtempSync(join(tmpdir(), 'assay-bench-'))
const server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...BENCH_LIMITS, WS_MAX_BYTES_PER_SECOND: String(2 ** 30) }), {
  access: () => openAccess(),
  logger: createLogger('silent'),
})
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    console.log(JSON.stringify({ round, frame: '150,000 characters typed backwards', ...(await attack(server, typedBackwards(700_000 + round))) }))
    console.log(JSON.stringify({ round, frame: '199,000 collected structs, refused', ...(await attack(server, collectedThenRefused(800_000 + 2 * round))) }))
  }
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
