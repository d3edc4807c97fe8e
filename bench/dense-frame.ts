/**
 * One member's update dear to check against the relay, while an honest
 * editor types on another board: how long the relay's event loop is held
 * (its longest delay, perf_hooks), how long the frame takes to be decided,
 * and the honest keystrokes' round trips meanwhile. Real server in this
 * process, SQLite in a temporary folder, the stock provider for the honest
 * editor, a raw socket for the member. Held changes tried again count the
 * same, from the typist's character that lets them apply until their sender is
 * closed (`4409`: red team 25's 55,000 items on a typist's future
 * characters, 0.9 MB). Run with `npx tsx bench/dense-frame.ts`
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
import { craftedCollectedRun, heldOnFutureCharacters } from '../test/helpers/crafted-update.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { syncStep1Message, updateMessage } from '../server/relay/messages.ts'
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

/**
 * Sends `frame` on a board of its own while an honest editor types on another
 * board, once `ready` has readied the board (it may type there, and hold the
 * frame), and `trigger` sets off what is measured; until the frame's verdict.
 */
async function attack(server: RunningServer, frame: Uint8Array, scenario: Partial<HeldScenario> = {}): Promise<Figures> {
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
  let replies = 0
  socket.on('message', (data: Buffer) => {
    if (data.byteLength > 100_000) decided = true
    // A sync step 2: the reply to the step 1 sent after the frame.
    if (data[0] === 0 && data[1] === 1) replies++
  })
  socket.on('close', () => (decided = true))
  const typist = scenario.prepare ? await scenario.prepare(target, attacked, server) : null

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
  let frameBytes = frame.byteLength
  if (typist) {
    const held = heldOnFutureCharacters(typist.clientId, 5, HELD_ITEMS)
    frameBytes = held.byteLength
    socket.send(updateMessage(held))
    socket.send(syncStep1Message(new Y.Doc()))
    // Answered once the update is held (the room answers a step 1 once nothing is uncommitted).
    while (replies < 1 && !decided) await new Promise((resolve) => setImmediate(resolve))
  }
  roundTrips.length = 0
  delay.enable()
  const sent = performance.now()
  if (typist) typist.type()
  else socket.send(updateMessage(frame))
  while (!decided) await new Promise((resolve) => setImmediate(resolve))
  const decidedMs = performance.now() - sent
  delay.disable()
  typing = false
  await typed
  socket.terminate()
  typist?.destroy()
  writer.destroy()
  reader.destroy()
  const sorted = [...roundTrips].sort((a, b) => a - b)
  return {
    frameBytes,
    decidedMs: round(decidedMs),
    loopHeldMaxMs: round(delay.max / 1e6),
    honestKeystrokes: roundTrips.length,
    honestP50Ms: round(median(sorted)),
    honestMaxMs: round(sorted.at(-1) ?? 0),
  }
}

/** Red team 25's held items: as many as stay under the 1 MiB a connection may hold (0.9 MB in Yjs's v1 encoding). */
const HELD_ITEMS = 55_000

type HeldScenario = {
  /** A typist on the attacked board who has typed five characters; `type` types the sixth, which lets one held item apply. */
  prepare(target: { wsUrl: string }, boardId: string, server: RunningServer): Promise<{ clientId: number; type(): void; destroy(): void }>
}

const typistsNextCharacter: HeldScenario = {
  async prepare(target, boardId, server) {
    const typist = client(target as Parameters<typeof client>[0], boardId)
    await typist.synced
    blufText(typist.doc).insert(0, 'hello')
    const doc = server.services.rooms.loadedRooms.get(boardId)!.doc
    while (Y.getState(doc.store, typist.doc.clientID) < 5) await new Promise((resolve) => setImmediate(resolve))
    return { clientId: typist.doc.clientID, type: () => blufText(typist.doc).insert(5, '!'), destroy: () => typist.destroy() }
  },
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
    const held = { round, frame: `${HELD_ITEMS} held items tried again at a typist's character` }
    console.log(JSON.stringify({ ...held, ...(await attack(server, new Uint8Array(0), typistsNextCharacter)) }))
  }
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
