/**
 * The comparison's scenarios, run by the load generator against one target
 * server: each connects its own clients to fresh boards, measures, checks that
 * every client ended with the same document, and closes its clients. Server
 * CPU comes from the server process itself (ServerCalls).
 */
import { performance } from 'node:perf_hooks'
import * as Y from 'yjs'
import { assessmentText } from '../../shared/board-doc.ts'
import { replaceBoardContent } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import { largeBoard } from '../export.ts'
import { convergesTo, RelayClient } from './relay-client.ts'
import type { TargetReady } from './server-probe.js'
import type { Signal } from './signal.ts'

/** What the load generator may ask of the server under test. */
export type ServerCalls = {
  /** CPU time the server process has used, in µs (every thread's). */
  cpuMicros(): Promise<number>
  /** Its memory after a full collection. */
  memory(): Promise<NodeJS.MemoryUsage>
  boards(count: number): Promise<string[]>
}

export type ScenarioContext = { target: TargetReady; server: ServerCalls; signal: Signal }

export type FanOutFigures = {
  readers: number
  edits: number
  cpuMicrosPerEdit: number
  latencyMs: { p50: number; p99: number; max: number }
  /** When the keystrokes ran, in CLOCK_MONOTONIC seconds (the clock perf-breakdown.ts cuts a recording by). */
  window: { fromSeconds: number; toSeconds: number }
}
export type ThroughputFigures = {
  writers: number
  readers: number
  edits: number
  editsPerSecond: number
  cpuMicrosPerEdit: number
  /** When the writers typed until the observer had every edit, in CLOCK_MONOTONIC seconds (a CPU profile's clock). */
  window: { fromSeconds: number; toSeconds: number }
}
export type ManyBoardsFigures = { boards: number; clients: number; connectAndSyncMs: number; cpuMicrosPerClient: number; memoryKiBPerBoard: number }
export type LargeSyncFigures = { stateBytes: number; samples: number; syncMs: { p50: number; max: number } }

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits
const sortedNumbers = (values: number[]) => [...values].sort((a, b) => a - b)
/** process.hrtime reads CLOCK_MONOTONIC, which is the same for every process of the machine. */
const monotonicSeconds = () => Number(process.hrtime.bigint()) / 1e9

async function connected(clients: RelayClient[]): Promise<RelayClient[]> {
  await Promise.all(clients.map((client) => client.synced))
  return clients
}

const closeAll = (clients: RelayClient[]) => Promise.all(clients.map((client) => client.close()))

/** Fails unless every client's document adds up to `reference`; waits for stragglers first. */
async function checkConvergence(context: ScenarioContext, clients: RelayClient[], reference: Y.Doc, what: string): Promise<void> {
  const pending = new Set(clients)
  const deadline = Date.now() + 60_000
  while (pending.size > 0) {
    for (const client of [...pending]) if (convergesTo(client, reference)) pending.delete(client)
    if (pending.size === 0) return
    if (Date.now() > deadline) throw new Error(`${context.target.dialect}: ${pending.size} of ${clients.length} clients did not converge (${what})`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/**
 * One writer typing one keystroke at a time; each is sent once every reader
 * has the one before. Latency: from the keystroke to its arrival at each reader.
 */
export async function fanOut(context: ScenarioContext, readerCount: number, edits: number): Promise<FanOutFigures> {
  const { target, server, signal } = context
  const [board] = await server.boards(1)
  const writer = new RelayClient(target, board!, { signal, doc: new Y.Doc() })
  await writer.synced
  const cardId = addAssessment(writer.doc!, { title: 'fan-out' })
  let edit = 0
  let started = 0
  let arrived = 0
  const latencies: number[] = []
  const lastSeen = new Map<RelayClient, number>()
  const readers: RelayClient[] = []
  for (let i = 0; i < readerCount; i++) {
    const reader: RelayClient = new RelayClient(target, board!, {
      signal,
      onUpdate: () => {
        if (edit === 0 || lastSeen.get(reader) === edit) return
        lastSeen.set(reader, edit)
        latencies.push(performance.now() - started)
        arrived++
      },
    })
    readers.push(reader)
  }
  await connected(readers)
  const text = assessmentText(writer.doc!, cardId, 'judgment')
  await signal.until(() => readers.every((reader) => convergesTo(reader, writer.doc!)), 'the card at every reader')
  const cpuBefore = await server.cpuMicros()
  const fromSeconds = monotonicSeconds()
  for (edit = 1; edit <= edits; edit++) {
    arrived = 0
    started = performance.now()
    text.insert(text.length, 'x')
    await signal.until(() => arrived === readerCount, `keystroke ${edit} at every reader`)
  }
  const toSeconds = monotonicSeconds()
  const cpu = (await server.cpuMicros()) - cpuBefore
  await checkConvergence(context, readers, writer.doc!, 'fan-out')
  await closeAll([writer, ...readers])
  const sorted = sortedNumbers(latencies)
  return {
    readers: readerCount,
    edits,
    cpuMicrosPerEdit: Math.round(cpu / edits),
    latencyMs: { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)), max: round(sorted.at(-1)!) },
    window: { fromSeconds, toSeconds },
  }
}

/** Writers typing flat out (ten keystrokes a turn each, as a fast typist's client batches them); how many edits a second every reader gets. */
export async function throughput(context: ScenarioContext, writerCount: number, readerCount: number, editsEach: number): Promise<ThroughputFigures> {
  const { target, server, signal } = context
  const [board] = await server.boards(1)
  const writers = await connected(Array.from({ length: writerCount }, () => new RelayClient(target, board!, { signal, doc: new Y.Doc() })))
  const cards = writers.map((writer, i) => addAssessment(writer.doc!, { title: `writer ${i}` }))
  const observer = new RelayClient(target, board!, { signal, doc: new Y.Doc() })
  const readers = await connected([observer, ...Array.from({ length: readerCount - 1 }, () => new RelayClient(target, board!, { signal }))])
  const observed = () => cards.reduce((sum, id) => sum + (observer.doc!.getMap('assessments').has(id) ? assessmentText(observer.doc!, id, 'judgment').length : 0), 0)
  await signal.until(() => cards.every((id) => observer.doc!.getMap('assessments').has(id)), 'every card at the observer')
  for (const writer of writers) writer.following = false
  const edits = writerCount * editsEach
  const cpuBefore = await server.cpuMicros()
  const fromSeconds = monotonicSeconds()
  const started = performance.now()
  await Promise.all(
    writers.map(async (writer, w) => {
      const text = assessmentText(writer.doc!, cards[w]!, 'judgment')
      for (let i = 0; i < editsEach; i++) {
        text.insert(i, 'y')
        if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve))
      }
    }),
  )
  await signal.until(() => observed() === edits, 'every edit at the observer', 300_000)
  const seconds = (performance.now() - started) / 1000
  const toSeconds = monotonicSeconds()
  const cpu = (await server.cpuMicros()) - cpuBefore
  await checkConvergence(context, readers, observer.doc!, 'throughput')
  await closeAll([...writers, ...readers])
  return { writers: writerCount, readers: readerCount, edits, editsPerSecond: Math.round(edits / seconds), cpuMicrosPerEdit: Math.round(cpu / edits), window: { fromSeconds, toSeconds } }
}

/** Many boards at once, each opened by a pair of clients: the time until all are synced, and what each loaded board costs the server. */
export async function manyBoards(context: ScenarioContext, boardCount: number, clientsPerBoard: number): Promise<ManyBoardsFigures> {
  const { target, server, signal } = context
  const boards = await server.boards(boardCount)
  const before = await server.memory()
  const cpuBefore = await server.cpuMicros()
  const started = performance.now()
  const clients = await connected(boards.flatMap((board) => Array.from({ length: clientsPerBoard }, () => new RelayClient(target, board, { signal }))))
  const connectAndSyncMs = performance.now() - started
  const cpu = (await server.cpuMicros()) - cpuBefore
  const after = await server.memory()
  for (let i = 0; i < clients.length; i += clientsPerBoard) {
    const first = clients[i]!
    const reference = new Y.Doc()
    Y.applyUpdate(reference, Y.mergeUpdates(first.payloads))
    await checkConvergence(context, clients.slice(i, i + clientsPerBoard), reference, 'many boards')
    reference.destroy()
  }
  await closeAll(clients)
  const bytes = after.heapUsed + after.external - (before.heapUsed + before.external)
  return {
    boards: boardCount,
    clients: clients.length,
    connectAndSyncMs: Math.round(connectAndSyncMs),
    cpuMicrosPerClient: Math.round(cpu / clients.length),
    memoryKiBPerBoard: round(bytes / 1024 / boardCount, 1),
  }
}

/**
 * A board of `assessments` assessments (with five claims and cited links
 * each), sent whole by one writer who stays; then fresh clients, one after
 * another, each timed from opening its socket to the server's step 2.
 */
export async function largeSync(context: ScenarioContext, assessments: number, samples: number): Promise<LargeSyncFigures> {
  const { target, server, signal } = context
  const [board] = await server.boards(1)
  const writer = new RelayClient(target, board!, { signal, doc: new Y.Doc() })
  await writer.synced
  // Made now, as a writer makes it: the relay gives its own time to entries dated before their board was made, a change of every entry.
  const made = largeBoard(assessments, assessments * 5, { start: Date.now(), stepMs: 1 })
  replaceBoardContent(writer.doc!, { ...made, id: board!, title: 'large' }, serverOrigin('bench'))
  const stateBytes = Y.encodeStateAsUpdate(writer.doc!).byteLength
  const expected = Y.encodeStateVector(writer.doc!)
  // A fresh client may be sent the state in several frames before the step 2 that ends its sync: all of them count.
  const complete = (client: RelayClient) => sameStateVector(Y.encodeStateVectorFromUpdate(Y.mergeUpdates(client.payloads)), expected)
  const times: number[] = []
  // Until the whole board is on the server, a fresh client's sync is not the one measured.
  for (let warm = 0; ; warm++) {
    const probe = new RelayClient(target, board!, { signal })
    await probe.synced
    await probe.close()
    if (complete(probe)) break
    if (warm > 600) throw new Error(`${target.dialect}: the large board never reached the server`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  for (let i = 0; i < samples; i++) {
    const started = performance.now()
    const fresh = new RelayClient(target, board!, { signal })
    await fresh.synced
    times.push(performance.now() - started)
    await fresh.close()
    if (!complete(fresh)) throw new Error(`${target.dialect}: a fresh client's sync of the large board was incomplete`)
  }
  await writer.close()
  const sorted = sortedNumbers(times)
  return { stateBytes, samples, syncMs: { p50: round(percentile(sorted, 0.5)), max: round(sorted.at(-1)!) } }
}

function sameStateVector(a: Uint8Array, b: Uint8Array): boolean {
  const [left, right] = [Y.decodeStateVector(a), Y.decodeStateVector(b)]
  return left.size === right.size && [...left].every(([client, clock]) => right.get(client) === clock)
}
