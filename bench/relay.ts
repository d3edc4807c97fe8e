/**
 * The relay under load, end to end: real WebsocketProvider clients, a real
 * server, SQLite in a temporary folder (every figure includes the commit that
 * precedes each broadcast). `npm run bench` calls `benchRelay()`; run this file
 * alone with `npx tsx bench/relay.ts`.
 */
import { rmSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { startServer, type RunningServer } from '../server/server.ts'
import { BENCH_LIMITS } from './bench-limits.ts'
import { largeBoard } from './export.ts'

export type LatencyFigures = { p50: number; p99: number; max: number; samples: number }
export type ThroughputFigures = { writers: number; edits: number; seconds: number; editsPerSecond: number; cpuMsPerEdit: number }

export type RelayBenchResult = {
  echoLatencyMs: LatencyFigures
  throughput: ThroughputFigures
  largeBoard: { stateBytes: number; firstSyncMs: number; coldLoadMs: number; coldFirstSyncMs: number; logRowsAtLoad: number }
  memory: { rssMiBPerLoadedLargeBoard: number }
}

/** A y-websocket server to measure: where clients connect, and how a new board comes to be. */
export type RelayTarget = { wsUrl: string; newBoard(): Promise<string> }

/** Who the benchmarks create boards as: the open server's operator. */
export const OPERATOR = { userId: null, tokenId: null, name: 'bench', isAdmin: true, via: 'open' } as const

function assayTarget(server: RunningServer): RelayTarget {
  return {
    wsUrl: server.url.replace(/^http/, 'ws') + '/ws',
    newBoard: () => createBoard(server.services, { title: 'bench' }, OPERATOR),
  }
}

export function client(target: RelayTarget, boardId: string) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(target.wsUrl, boardId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  const synced = new Promise<void>((resolve) => provider.once('sync', () => resolve()))
  return {
    doc,
    provider,
    synced,
    destroy() {
      provider.destroy()
      doc.destroy()
    },
  }
}

function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve()
      else if (Date.now() > deadline) reject(new Error(`bench: timed out waiting for ${what}`))
      else setImmediate(poll)
    }
    poll()
  })
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

/** One keystroke at a time: the time from a writer's edit to its arrival at another client, through the commit. */
export async function echoLatency(target: RelayTarget, samples = 500): Promise<LatencyFigures> {
  const boardId = await target.newBoard()
  const writer = client(target, boardId)
  const reader = client(target, boardId)
  await Promise.all([writer.synced, reader.synced])
  const id = addAssessment(writer.doc, { title: 'latency' })
  await until(() => reader.doc.getMap('assessments').has(id), 'the card at the reader')
  const text = assessmentText(writer.doc, id, 'judgment')
  const readerText = () => assessmentText(reader.doc, id, 'judgment')
  const latencies: number[] = []
  for (let i = 0; i < samples; i++) {
    const start = performance.now()
    text.insert(i, 'x')
    await until(() => readerText().length === i + 1, 'one keystroke')
    latencies.push(performance.now() - start)
  }
  writer.destroy()
  reader.destroy()
  latencies.sort((a, b) => a - b)
  return { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1)!), samples }
}

/** Several writers typing as fast as they can into one board; how many edits per second reach an observer. */
export async function throughput(target: RelayTarget, writers = 10, editsEach = 1000): Promise<ThroughputFigures> {
  const boardId = await target.newBoard()
  const seed = client(target, boardId)
  await seed.synced
  const ids = Array.from({ length: writers }, (_, i) => addAssessment(seed.doc, { title: `writer ${i}` }))
  const clients = Array.from({ length: writers }, () => client(target, boardId))
  await Promise.all(clients.map((c) => c.synced))
  await until(() => clients.every((c) => ids.every((id) => c.doc.getMap('assessments').has(id))), 'cards at every writer')
  const total = () => ids.reduce((sum, id) => sum + assessmentText(seed.doc, id, 'judgment').length, 0)
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  // Each writer types in bursts of 10 keystrokes per event-loop turn, as a fast typist's client would batch them.
  await Promise.all(
    clients.map(async (c, w) => {
      const text = assessmentText(c.doc, ids[w]!, 'judgment')
      for (let i = 0; i < editsEach; i++) {
        text.insert(i, 'y')
        if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve))
      }
    }),
  )
  await until(() => total() === writers * editsEach, 'every edit at the observer', 120_000)
  const seconds = (performance.now() - start) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  for (const c of [seed, ...clients]) c.destroy()
  const edits = writers * editsEach
  // The clients run in this process too, so CPU per edit is an upper bound for the server alone.
  return { writers, edits, seconds: round(seconds), editsPerSecond: Math.round(edits / seconds), cpuMsPerEdit: round((cpu.user + cpu.system) / 1000 / edits, 3) }
}

/**
 * A board of 1,000 assessments and 5,000 claims: a fresh client's first sync
 * right after the board changed (its room still loaded), loading it from
 * storage, and a fresh client's first sync once its room has unloaded (the
 * load and the sync together).
 */
async function largeBoardFigures(server: RunningServer) {
  const boardId = await createBoard(server.services, { title: 'large' }, OPERATOR)
  const rssBefore = process.memoryUsage().rss
  await server.services.rooms.withRoom(boardId, (room) =>
    room.change((doc) => replaceBoardContent(doc, { ...largeBoard(), id: boardId, title: 'large' }, serverOrigin('bench'))),
  )
  const stateBytes = await server.services.rooms.withRoom(boardId, (room) => room.read((doc) => Y.encodeStateAsUpdate(doc).byteLength))
  const reader = client(assayTarget(server), boardId)
  const start = performance.now()
  await reader.synced
  const firstSyncMs = performance.now() - start
  const rssLoaded = process.memoryUsage().rss
  reader.destroy()
  await until(() => !server.services.rooms.loadedRooms.has(boardId), 'the room to unload')
  const logRowsAtLoad = await server.services.storage.log.count(boardId)
  const loadStart = performance.now()
  await server.services.rooms.withRoom(boardId, () => undefined)
  const coldLoadMs = performance.now() - loadStart
  await until(() => !server.services.rooms.loadedRooms.has(boardId), 'the room to unload again')
  const coldReader = client(assayTarget(server), boardId)
  const coldStart = performance.now()
  await coldReader.synced
  const coldFirstSyncMs = performance.now() - coldStart
  coldReader.destroy()
  return {
    figures: { stateBytes: stateBytes ?? 0, firstSyncMs: round(firstSyncMs), coldLoadMs: round(coldLoadMs), coldFirstSyncMs: round(coldFirstSyncMs), logRowsAtLoad },
    rssMiB: round((rssLoaded - rssBefore) / 1024 / 1024, 1),
  }
}

export async function benchRelay(): Promise<RelayBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-bench-'))
  const server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...BENCH_LIMITS }), {
    access: () => openAccess(),
    logger: createLogger('silent'),
  })
  try {
    const echoLatencyMs = await echoLatency(assayTarget(server))
    const throughputFigures = await throughput(assayTarget(server))
    const large = await largeBoardFigures(server)
    return { echoLatencyMs, throughput: throughputFigures, largeBoard: large.figures, memory: { rssMiBPerLoadedLargeBoard: large.rssMiB } }
  } finally {
    await server.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchRelay(), null, 2))
}
