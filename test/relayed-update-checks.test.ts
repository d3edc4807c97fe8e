/**
 * What reaches a board's Redis channel is checked as a member's update before
 * any instance applies it or sends it on (red team 32a): Redis vouches for
 * nothing, and anyone who may PUBLISH there could otherwise reset every room
 * of the board at will (unreadable bytes: every socket closed 4012), or put
 * content outside the board's layout in every client's doc, stored nowhere,
 * which each client sent back at its next sync and was refused for, for good
 * (4422). Such an update is dropped and the board caught up from the update
 * log; the honest editors on both instances go on.
 */
import { Redis } from 'ioredis'
import * as encoding from 'lib0/encoding'
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { collection } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { REDIS_URL, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, type TestClient } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

const DROPPED = 'relayed update dropped unapplied; the board is caught up from the update log'

/** A board's channel message as an instance publishes a committed update: a sender id, kind 0, the update. */
function busUpdate(update: Uint8Array): Buffer {
  const encoder = encoding.createEncoder()
  encoding.writeVarString(encoder, crypto.randomUUID())
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint8Array(encoder, update)
  return Buffer.from(encoding.toUint8Array(encoder))
}

/** An update to the board `client` holds, putting `value` under `key` of a root map named `x`, which the board's layout has not. */
function outOfLayout(client: TestClient, value: string): Uint8Array {
  const elsewhere = new Y.Doc()
  Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(client.doc))
  const before = Y.encodeStateVector(elsewhere)
  elsewhere.getMap('x').set('key', value)
  return Y.encodeStateAsUpdate(elsewhere, before)
}

/** An update to the board `client` holds, adding an assessment titled `title`, as an honest instance relays one. */
function honest(client: TestClient, title: string): Uint8Array {
  const elsewhere = new Y.Doc()
  Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(client.doc))
  const before = Y.encodeStateVector(elsewhere)
  addAssessment(elsewhere, { title })
  return Y.encodeStateAsUpdate(elsewhere, before)
}

const titles = (doc: Y.Doc, boardId: string) => boardToModel(doc, boardId).assessments.map((assessment) => assessment.title)

/** Whether `doc` holds anything under a root named `x` (reading it would make one). */
const holdsX = (doc: Y.Doc) => doc.share.has('x') && doc.getMap('x').size > 0

describeUnless(missing)('updates relayed through Redis', () => {
  const { start, connect } = instancesAfterEach()

  /**
   * Two instances on one board, an editor on each, their logs' drop lines
   * kept; then `publish` given a raw publisher on the board's channel, and
   * after it an honest update as a barrier, awaited on both clients: Redis
   * delivers one subscriber's messages in the order it took them.
   */
  const twoInstances = async (title: string, publish: (send: (update: Uint8Array) => Promise<unknown>, client: TestClient, sendRaw: (message: Buffer) => Promise<unknown>) => Promise<void>) => {
    const dropped: { reason: string; err: string }[][] = [[], []]
    const sink = (into: { reason: string; err: string }[]) => (line: string) => {
      const entry = JSON.parse(line) as { msg: string; reason: string; err: string }
      if (entry.msg === DROPPED) into.push(entry)
    }
    const one = await start({ logSink: sink(dropped[0]!), env: { METRICS_TOKEN } })
    const two = await start({ database: one.database, logSink: sink(dropped[1]!), env: { METRICS_TOKEN } })
    const boardId = await apiClient(one.url).createBoard(title)
    const a = connect(one, boardId)
    const b = connect(two, boardId)
    await Promise.all([a.synced(), b.synced()])
    const closes = [closeCodes(a), closeCodes(b)]
    const publisher = new Redis(REDIS_URL)
    try {
      const sendRaw = (message: Buffer) => publisher.publish(one.services.redis!.channelOf(boardId), message)
      await publish((update) => sendRaw(busUpdate(update)), a, sendRaw)
      const send = (update: Uint8Array) => sendRaw(busUpdate(update))
      await send(honest(a, 'Barrier'))
    } finally {
      publisher.disconnect()
    }
    // A board reset on the way closes its sockets (4012), and whatever was relayed unstored meanwhile is lost.
    const reset = () => closes.some((codes) => codes.length > 0)
    for (const client of [a, b]) await waitFor(() => titles(client.doc, boardId).includes('Barrier') || reset(), 'the barrier on both clients')
    return { one, two, boardId, a, b, closes, dropped }
  }

  /** An honest edit on one instance, then the other: seen on both clients and stored. */
  const honestEditsGoOn = async (servers: TestServer[], boardId: string, a: TestClient, b: TestClient) => {
    addAssessment(a.doc, { title: 'From one' })
    addAssessment(b.doc, { title: 'From two' })
    for (const client of [a, b]) await waitFor(() => ['From one', 'From two'].every((title) => titles(client.doc, boardId).includes(title)), 'both edits on both clients')
    const stored = new Y.Doc()
    await waitFor(async () => {
      const { checkpoint, updates } = await servers[0]!.services.storage.log.load(boardId)
      for (const update of [checkpoint, ...updates]) if (update) Y.applyUpdate(stored, update)
      return ['From one', 'From two'].every((title) => titles(stored, boardId).includes(title))
    }, 'both edits stored')
  }

  it('drops unreadable update bytes on every instance, closing no socket, and the editors go on', async () => {
    const junk = Uint8Array.from({ length: 251 }, (_, index) => index + 1)
    const { one, two, boardId, a, b, closes, dropped } = await twoInstances('Junk on the bus', async (send, _client, sendRaw) => {
      for (let round = 0; round < 5; round++) await send(junk)
      // Not even a message's framing (a sender id's length running past the end): dropped as unreadable, as before.
      await sendRaw(Buffer.from([0xff, 0xff]))
    })
    expect(closes).toEqual([[], []])
    expect(dropped.map((lines) => lines.map(({ reason }) => reason))).toEqual([Array(5).fill('refused'), Array(5).fill('refused')])
    for (const server of [one, two]) {
      const text = await metricsText(server)
      expect([sample(text, 'assay_redis_messages_dropped_total', { reason: 'refused' }), sample(text, 'assay_redis_messages_dropped_total', { reason: 'unreadable' })]).toEqual([5, 1])
    }
    await honestEditsGoOn([one, two], boardId, a, b)
    expect(closes).toEqual([[], []])
  })

  it('never applies nor sends on an update outside the board’s layout, small or dear to check, and the editors go on', async () => {
    const { one, two, boardId, a, b, closes, dropped } = await twoInstances('A root of another name', async (send, client) => {
      await send(outOfLayout(client, 'small'))
      // Past what is checked on the relay's thread (update-checks.ts): checked in a worker thread.
      await send(outOfLayout(client, 'y'.repeat(100_000)))
    })
    for (const client of [a, b]) expect(holdsX(client.doc)).toBe(false)
    expect(dropped.flat().map(({ err }) => err)).toEqual(Array(4).fill(`update writes to a root type named "x", which the board's layout does not have`))
    await honestEditsGoOn([one, two], boardId, a, b)
    for (const client of [a, b]) expect(holdsX(client.doc)).toBe(false)
    for (const server of [one, two]) expect(server.services.rooms.loadedRooms.get(boardId)!.doc.share.has('x')).toBe(false)
    expect(closes).toEqual([[], []])
  })

  it('applies no rest of a relayed update once what it waited for comes: where it lands was not known as it was checked', async () => {
    let assessmentId = ''
    const { one, two, boardId, a, b, closes } = await twoInstances('Staged on the bus', async (send, client) => {
      const elsewhere = new Y.Doc()
      Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(client.doc))
      const before = Y.encodeStateVector(elsewhere)
      assessmentId = addAssessment(elsewhere, { title: 'Staged' })
      const entry = Y.encodeStateAsUpdate(elsewhere, before)
      const afterEntry = Y.encodeStateVector(elsewhere)
      // A shared type in a field of an entry, which no field holds (board-shape.ts), sent first: it waits for the entry.
      ;(collection(elsewhere, 'assessments').get(assessmentId) as Y.Map<unknown>).set('staged', new Y.Map())
      await send(Y.encodeStateAsUpdate(elsewhere, afterEntry))
      await send(entry)
    })
    for (const client of [a, b]) await waitFor(() => titles(client.doc, boardId).includes('Staged'), 'the entry on both clients')
    await honestEditsGoOn([one, two], boardId, a, b)
    for (const doc of [a.doc, b.doc, ...[one, two].map((server) => server.services.rooms.loadedRooms.get(boardId)!.doc)]) {
      expect((collection(doc, 'assessments').get(assessmentId) as Y.Map<unknown>).has('staged')).toBe(false)
    }
    expect(closes).toEqual([[], []])
  })
})
