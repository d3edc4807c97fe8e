/**
 * A seeded fuzzer of the y-websocket protocol against the real server: several
 * lanes of reconnecting raw sockets, as writers and as reviewers, send random
 * and mutated messages (sync step 1, step 2 and updates, awareness, queries,
 * garbage, truncations, bit flips and splices of valid frames). Afterwards the
 * process is alive and answers, two real providers and a joiner converge, no
 * pending structs or foreign presence are left in the room, and memory is
 * bounded. A stalled reply fails the run.
 *
 * The seed is in the test's title; replay a run with
 * `RELAY_FUZZ_SEED=<seed> npx vitest run test/relay-fuzz.test.ts`
 * (each lane's messages are the same; how lanes interleave is not).
 */
import * as encoding from 'lib0/encoding'
import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment, updateAssessment } from '../shared/board-mutations.ts'
import { MESSAGE_AUTH, MESSAGE_SYNC } from '../shared/protocol.ts'
import { apiClient } from './helpers/api.ts'
import { openAccess } from './helpers/open-access.ts'
import { frames, openRawSocket, syncReplies, type RawSocket } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const SEED = process.env.RELAY_FUZZ_SEED ? Number(process.env.RELAY_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)
const MESSAGES = process.env.RELAY_FUZZ_MESSAGES ? Number(process.env.RELAY_FUZZ_MESSAGES) : 3600
const LANES = 3
/** A reply the server owes (to a sync step 1 sent as a barrier) that takes longer than this is a stall. */
const STALL_MS = 5000

type Generator = prng.PRNG

let server: TestServer
let boardId: string
const clients: TestClient[] = []

beforeAll(async () => {
  server = await startTestServer({
    access: () => openAccess((request) => (new URL(request.url).searchParams.get('as') === 'reviewer' ? 'reviewer' : 'editor')),
  })
  boardId = await apiClient(server.url).createBoard('Fuzzed')
})

afterAll(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await server.destroy()
})

function connect(): TestClient {
  const client = connectClient(server.wsUrl, boardId)
  clients.push(client)
  return client
}

/**
 * Real changes from a client of its own (a "forger" that forked the board):
 * valid updates to send, some of which a lane drops, so that later ones
 * depend on content the server never got.
 */
class Forger {
  readonly doc = new Y.Doc()
  private readonly updates: Uint8Array[] = []
  private readonly ids: string[] = []

  constructor(base: Y.Doc) {
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(base))
    this.doc.on('update', (update: Uint8Array) => this.updates.push(update))
  }

  next(gen: Generator): Uint8Array {
    while (this.updates.length === 0) this.edit(gen)
    return this.updates.shift()!
  }

  private edit(gen: Generator): void {
    const id = this.ids.length > 0 && prng.bool(gen) ? prng.oneOf(gen, this.ids) : null
    if (id === null) this.ids.push(addAssessment(this.doc, { title: prng.word(gen, 1, 12) }))
    else if (prng.bool(gen)) assessmentText(this.doc, id, 'judgment').insert(0, `${prng.word(gen, 1, 30)} `)
    else updateAssessment(this.doc, id, { tags: [prng.word(gen, 1, 8)] })
  }
}

/** Everything a lane may send, drawn from its own seeded generator. */
class Messages {
  /** Valid frames, for truncation, bit flips and splices. */
  private readonly corpus: Uint8Array[] = []
  readonly kinds = new Map<string, number>()

  constructor(
    private readonly gen: Generator,
    private readonly forger: Forger,
    private readonly knownClients: number[],
  ) {
    this.corpus.push(frames.syncStep1(new Uint8Array([0])), frames.queryAwareness())
  }

  next(): Uint8Array {
    const gen = this.gen
    const [kind, make] = prng.oneOf(gen, this.generators)
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1)
    return make()
  }

  private readonly generators: [string, () => Uint8Array][] = [
    ['garbage', () => prng.uint8Array(this.gen, prng.uint32(this.gen, 0, 48))],
    ['unknown type', () => Uint8Array.of(prng.oneOf(this.gen, [MESSAGE_AUTH, 4, 9, 127]), ...prng.uint8Array(this.gen, prng.uint32(this.gen, 0, 8)))],
    ['truncated', () => this.pick().slice(0, prng.uint32(this.gen, 0, Math.max(0, this.pick().length - 1)))],
    ['bit flips', () => this.flip(this.pick())],
    ['bit flips', () => this.flip(this.pick())],
    ['spliced', () => this.splice(this.pick(), this.pick())],
    ['state vector', () => this.stateVector()],
    ['update', () => this.update()],
    ['update', () => this.update()],
    ['awareness', () => this.awareness()],
    ['awareness', () => this.awareness()],
    ['query', () => frames.queryAwareness()],
  ]

  private pick(): Uint8Array {
    return prng.oneOf(this.gen, this.corpus)
  }

  private remember(frame: Uint8Array): Uint8Array {
    if (this.corpus.length < 200) this.corpus.push(frame)
    else this.corpus[prng.uint32(this.gen, 0, this.corpus.length - 1)] = frame
    return frame
  }

  private flip(frame: Uint8Array): Uint8Array {
    const copy = frame.slice()
    if (copy.length === 0) return copy
    for (let i = prng.uint32(this.gen, 1, 4); i > 0; i--) copy[prng.uint32(this.gen, 0, copy.length - 1)]! ^= 1 << prng.uint32(this.gen, 0, 7)
    return copy
  }

  private splice(a: Uint8Array, b: Uint8Array): Uint8Array {
    const cut = prng.uint32(this.gen, 0, a.length)
    const from = prng.uint32(this.gen, 0, b.length)
    return Uint8Array.of(...a.slice(0, cut), ...b.slice(from))
  }

  /** A state vector: valid (some clocks far beyond anything), or cut short. */
  private stateVector(): Uint8Array {
    const vector = new Map<number, number>()
    for (let i = prng.uint32(this.gen, 0, 4); i > 0; i--) {
      vector.set(prng.oneOf(this.gen, [...this.knownClients, prng.uint32(this.gen, 0, 2 ** 32 - 1)]), prng.oneOf(this.gen, [0, 1, 1000, 2 ** 31, Number.MAX_SAFE_INTEGER]))
    }
    const encoded = Y.encodeStateVector(vector)
    const cut = prng.bool(this.gen) ? encoded : encoded.slice(0, prng.uint32(this.gen, 0, encoded.length))
    return this.remember(frames.syncStep1(cut))
  }

  /** A real update, as step 2 or as an update; now and then one is dropped so that later ones miss what they need. */
  private update(): Uint8Array {
    if (prng.uint32(this.gen, 0, 9) === 0) this.forger.next(this.gen)
    const update = this.forger.next(this.gen)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    encoding.writeVarUint(encoder, prng.bool(this.gen) ? 1 : 2)
    encoding.writeVarUint8Array(encoder, update)
    return this.remember(encoding.toUint8Array(encoder))
  }

  /** Presence for one's own ids, others' (the providers', the server's), deep, huge, not JSON, not objects. */
  private awareness(): Uint8Array {
    const entries: { clientId: number; clock: number; json: string }[] = []
    for (let i = prng.uint32(this.gen, 1, 3); i > 0; i--) {
      entries.push({
        clientId: prng.oneOf(this.gen, [...this.knownClients, prng.uint32(this.gen, 1, 50), prng.uint32(this.gen, 0, 2 ** 32 - 1)]),
        clock: prng.oneOf(this.gen, [0, 1, prng.uint32(this.gen, 2, 100), Number.MAX_SAFE_INTEGER]),
        json: this.presenceJson(),
      })
    }
    return this.remember(frames.awareness(entries))
  }

  private presenceJson(): string {
    const gen = this.gen
    switch (prng.uint32(gen, 0, 8)) {
      case 0:
        return 'null'
      case 1: {
        const depth = prng.uint32(gen, 1, 40)
        return '['.repeat(depth) + ']'.repeat(depth)
      }
      case 2:
        return JSON.stringify({ user: { name: 'x'.repeat(prng.uint32(gen, 0, 9000)) } })
      case 3:
        return prng.oneOf(gen, ['{"user":', '5', '"text"', '[1,2]', '{"a":{"b":', 'true', ''])
      case 4:
        return JSON.stringify({ server: { saving: 'failing', since: '2026-01-01T00:00:00Z' } })
      case 5:
        return JSON.stringify({ user: { name: 'Administrator', color: prng.oneOf(gen, ['#1d5fd1', 'url(x)', 'red']), readOnly: false } })
      default:
        return JSON.stringify({ user: { name: prng.word(gen), color: '#0f7a4a' }, focus: { assessmentId: prng.word(gen), field: prng.oneOf(gen, ['title', 'judgment', null]) } })
    }
  }
}

type LaneReport = { messages: number; sockets: number; closes: Map<number, number>; kinds: Map<string, number> }

/** One lane: socket after socket, each sending a burst and then ending one way or another. */
async function lane(index: number, messages: number, base: Y.Doc, knownClients: number[]): Promise<LaneReport> {
  const gen = prng.create(SEED + index)
  const report: LaneReport = { messages: 0, sockets: 0, closes: new Map(), kinds: new Map() }
  const generator = new Messages(gen, new Forger(base), knownClients)
  while (report.messages < messages) {
    const asReviewer = prng.uint32(gen, 0, 2) === 0
    const socket = await openRawSocket(`${server.wsUrl}/${boardId}${asReviewer ? '?as=reviewer' : ''}`)
    report.sockets++
    void socket.closed.then(({ code }) => report.closes.set(code, (report.closes.get(code) ?? 0) + 1))
    for (let burst = prng.uint32(gen, 1, 40); burst > 0 && report.messages < messages; burst--) {
      socket.send(generator.next())
      report.messages++
      if (prng.uint32(gen, 0, 7) === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await end(socket, prng.uint32(gen, 0, 3))
  }
  report.kinds = generator.kinds
  return report
}

/** Ends a fuzzing socket: after a reply the server owes (a stall fails the run), abruptly, or politely. */
async function end(socket: RawSocket, how: number): Promise<void> {
  if (how <= 1 && !socket.isClosed()) {
    const before = syncReplies(socket.received).length
    socket.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => socket.isClosed() || syncReplies(socket.received).length > before, `the server to answer or close (seed ${SEED})`, STALL_MS)
  }
  if (how === 2) socket.socket.close()
  else socket.terminate()
  await socket.closed
}

it(`survives ${MESSAGES} random and mutated y-protocols messages over reconnecting sockets (seed ${SEED})`, async () => {
  console.info(`relay fuzz: seed ${SEED}; replay with RELAY_FUZZ_SEED=${SEED}`)
  const [a, b] = [connect(), connect()]
  await Promise.all([a.synced(), b.synced()])
  // As the app does, each provider says who it is before it connects.
  a.provider.awareness.setLocalStateField('user', { name: 'A', color: '#1d5fd1' })
  b.provider.awareness.setLocalStateField('user', { name: 'B', color: '#b3261e' })
  addAssessment(a.doc, { title: 'Before the fuzz' })
  await waitFor(() => b.doc.getMap('assessments').size === 1, 'the first edit at b')
  const room = server.services.rooms.loadedRooms.get(boardId)!
  const knownClients = [a.doc.clientID, b.doc.clientID, room.awareness.clientID]
  const memoryBefore = process.memoryUsage()

  const reports = await Promise.all(Array.from({ length: LANES }, (_, index) => lane(index, Math.ceil(MESSAGES / LANES), a.doc, knownClients)))
  const closes = new Map<number, number>()
  const kinds = new Map<string, number>()
  for (const report of reports) {
    for (const [code, count] of report.closes) closes.set(code, (closes.get(code) ?? 0) + count)
    for (const [kind, count] of report.kinds) kinds.set(kind, (kinds.get(kind) ?? 0) + count)
  }
  const sent = reports.reduce((sum, report) => sum + report.messages, 0)
  console.info(
    `relay fuzz: ${sent} messages over ${reports.reduce((sum, report) => sum + report.sockets, 0)} sockets;`,
    `kinds ${JSON.stringify(Object.fromEntries(kinds))}; closes by code ${JSON.stringify(Object.fromEntries(closes))}`,
  )
  expect(sent).toBeGreaterThanOrEqual(3000)

  // Alive and answering, every fuzzing connection gone from the server.
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  // A fuzzed update that left the board's document in an unknown state resets its room (room.ts, `reset`): the providers
  // reconnect to a new one, and this room, emptied, would be waited on in vain. Rerun with TEST_LOG_LEVEL=error for its cause.
  expect(server.services.rooms.loadedRooms.get(boardId), `the board's room to be the same, not reset by a fuzzed message (seed ${SEED})`).toBe(room)
  await waitFor(() => room.connections.size === 2 && server.services.rooms.connectionCount === 2, 'only the two providers to remain')
  await waitFor(() => server.services.rooms.outbound.queuedBytes === 0, 'nothing left queued')

  // The providers still converge, and a joiner gets the same.
  const ids = [addAssessment(a.doc, { title: 'After the fuzz, from a' }), addAssessment(b.doc, { title: 'After the fuzz, from b' })]
  await waitFor(
    () => ids.every((id) => a.doc.getMap('assessments').has(id) && b.doc.getMap('assessments').has(id)) && sameContent(a.doc, b.doc),
    `the providers to converge (seed ${SEED})`,
  )
  const joiner = connect()
  await joiner.synced()
  await waitFor(() => sameContent(joiner.doc, a.doc), `the joiner to converge (seed ${SEED})`)
  expect(joiner.doc.store.pendingStructs).toBeNull()
  expect(room.doc.store.pendingStructs).toBeNull()
  expect(room.doc.store.pendingDs).toBeNull()

  // Presence: the providers' own, untouched, and nothing the fuzzing sockets left behind.
  await waitFor(() => room.awareness.getStates().size === 2, 'the fuzzers’ presence to be gone')
  expect([...room.awareness.getStates().keys()].sort()).toEqual([a.doc.clientID, b.doc.clientID].sort())
  expect(room.awareness.getStates().get(a.doc.clientID)).toEqual({ user: { id: null, name: 'analyst', readOnly: false, color: '#1d5fd1' } })
  expect(room.awareness.getStates().get(b.doc.clientID)).toEqual({ user: { id: null, name: 'analyst', readOnly: false, color: '#b3261e' } })

  // Memory stays bounded: the fuzz leaves nothing that grows with it.
  const memoryAfter = process.memoryUsage()
  console.info(`relay fuzz: heap ${mib(memoryBefore.heapUsed)} → ${mib(memoryAfter.heapUsed)} MiB, rss ${mib(memoryBefore.rss)} → ${mib(memoryAfter.rss)} MiB`)
  expect(memoryAfter.heapUsed - memoryBefore.heapUsed).toBeLessThan(256 * 1024 * 1024)
}, 90_000)

/** The same insertions (state vectors) and the same deletions: the same content, however each got it. */
function sameContent(x: Y.Doc, y: Y.Doc): boolean {
  const [vx, vy] = [Y.encodeStateVector(x), Y.encodeStateVector(y)]
  const sameVector = vx.length === vy.length && vx.every((byte, i) => byte === vy[i])
  return sameVector && Y.equalDeleteSets(Y.createDeleteSetFromStructStore(x.store), Y.createDeleteSetFromStructStore(y.store))
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024)
}
