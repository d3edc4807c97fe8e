/**
 * Changes a connection sends that wait for content the server lacks, frame
 * after frame, against the real server over real sockets: holding them costs
 * the relay about what their sender sent (server/relay/held-updates.ts), a
 * connection naming too many client ids in them is closed, and a client's
 * own edits arriving out of order are all applied once what they wait for
 * arrives.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { blufText } from '../shared/board-doc.ts'
import { CLOSE } from '../shared/protocol.ts'
import { HELD_CLIENTS_MAX } from '../server/relay/held-updates.ts'
import { apiClient } from './helpers/api.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { frames, openRawSocket, syncReplies, type RawSocket } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const opened = openedInTest()

/** A server whose sockets may send a burst of frames at once: the attack paced at 180 a second within the default limits costs the same, only slower. */
async function start(): Promise<{ server: TestServer; boardId: string }> {
  const server = await startTestServer({ env: { WS_MAX_MESSAGES_PER_SECOND: '100000', WS_MAX_BYTES_PER_SECOND: String(64 * 1024 * 1024), METRICS_TOKEN } })
  opened.server = server
  return { server, boardId: await apiClient(server.url).createBoard('Held frames') }
}

function connect(server: TestServer, boardId: string): TestClient {
  const client = connectClient(server.wsUrl, boardId)
  opened.clients.push(client)
  return client
}

async function raw(server: TestServer, boardId: string): Promise<RawSocket> {
  const socket = await openRawSocket(`${server.wsUrl}/${boardId}`)
  opened.sockets.push(socket)
  return socket
}

/** Each update of `count` one-character insertions into the bottom line, one at a time, under `client`, oldest first. */
function keystrokes(client: number, count: number): Uint8Array[] {
  const doc = new Y.Doc()
  doc.clientID = client
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  for (let i = 0; i < count; i++) blufText(doc).insert(0, String.fromCharCode(97 + (i % 26)))
  doc.destroy()
  return updates
}

/** `count` characters under `client` in one update, after a first character the update leaves out: held whole. */
function heldRun(client: number, count: number): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = client
  blufText(doc).insert(0, 'x')
  const afterFirst = Y.encodeStateVector(doc)
  for (let i = 0; i < count; i++) blufText(doc).insert(0, String.fromCharCode(97 + (i % 26)))
  const update = Y.encodeStateAsUpdate(doc, afterFirst)
  doc.destroy()
  return update
}

/** The bytes the server's merges of held changes have read so far. */
async function mergedBytes(server: TestServer): Promise<number> {
  return sample(await metricsText(server), 'assay_held_update_merged_bytes_total') ?? 0
}

/** Frames sent on `socket` have all been handled once the answer to a sync step 1 sent after them arrives. */
async function handled(socket: RawSocket, what: string, timeoutMs?: number): Promise<void> {
  const replies = syncReplies(socket.received).length
  socket.send(frames.syncStep1(new Uint8Array([0])))
  await waitFor(() => socket.isClosed() || syncReplies(socket.received).length > replies, what, timeoutMs)
}

describe('changes held frame after frame', () => {
  it('900 one-item frames, each held beside 970 KB held for the same socket, merge a small multiple of their own bytes, not the 970 KB again at each, and a member’s keystroke is relayed', async () => {
    const { server, boardId } = await start()
    const [typist, reader] = [connect(server, boardId), connect(server, boardId)]
    await Promise.all([typist.synced(), reader.synced()])
    const attacker = await raw(server, boardId)
    // 90,000 characters under a client id whose first is never sent: all of it held, under the 1 MiB cap.
    const held = heldRun(777_000_001, 90_000)
    expect(held.byteLength).toBeGreaterThan(900_000)
    attacker.send(frames.update(held))
    await handled(attacker, 'the large update to be held', 60_000)
    expect(attacker.isClosed()).toBe(false)

    // Under one more client id, its first character again never sent: each frame held, one client id in all.
    const [, ...tiny] = keystrokes(778_000_001, 901)
    const sent = tiny.reduce((bytes, update) => bytes + update.byteLength, 0)
    const mergedBefore = await mergedBytes(server)
    for (const update of tiny) attacker.send(frames.update(update))
    blufText(typist.doc).insert(0, 'typed meanwhile ')
    // Merging the 970 KB again at each frame read 900 × 970 KB and took the relay 37 ms a frame, 33 s for these, its every other board frozen: the deadlines only bound the wait.
    await handled(attacker, 'the 900 frames to be handled', 120_000)
    await waitFor(() => blufText(reader.doc).toString() === 'typed meanwhile ', 'the keystroke at the reader', 120_000)
    expect(attacker.isClosed()).toBe(false)
    const merged = (await mergedBytes(server)) - mergedBefore
    expect(merged).toBeLessThan(16 * sent)
    expect(merged).toBeLessThan(held.byteLength)
  })

  it(`a socket whose held changes name more than ${HELD_CLIENTS_MAX} client ids is closed 4409; up to them it is not`, async () => {
    const { server, boardId } = await start()
    const reader = connect(server, boardId)
    await reader.synced()
    const attacker = await raw(server, boardId)
    // Each frame one character under a client id of its own whose first character is never sent.
    const frameFor = (i: number) => frames.update(heldRun(779_000_000 + i, 1))
    for (let i = 0; i < HELD_CLIENTS_MAX; i++) attacker.send(frameFor(i))
    await handled(attacker, `${HELD_CLIENTS_MAX} frames to be held`)
    expect(attacker.isClosed()).toBe(false)
    attacker.send(frameFor(HELD_CLIENTS_MAX))
    await waitFor(() => attacker.isClosed(), 'the socket to be closed')
    expect(await attacker.closed).toEqual(CLOSE.missingDependencies)
    blufText(reader.doc).insert(0, 'still served')
    const joiner = connect(server, boardId)
    await waitFor(() => blufText(joiner.doc).toString() === 'still served', 'the board to carry on')
    expect(joiner.doc.store.pendingStructs).toBeNull()
  })

  it('a page’s edits and a deletion arriving before the edit they follow are each held, then all applied once it arrives; the socket stays open', async () => {
    const { server, boardId } = await start()
    const reader = connect(server, boardId)
    await reader.synced()
    const page = new Y.Doc()
    const updates: Uint8Array[] = []
    page.on('update', (update: Uint8Array) => updates.push(update))
    const text = blufText(page)
    text.insert(0, 'Offline: ')
    for (const character of 'written while the server lacked the first edit') text.insert(text.length, character)
    text.delete(0, 1)
    const [first, ...rest] = updates
    const sender = await raw(server, boardId)
    for (const update of rest) sender.send(frames.update(update))
    await handled(sender, 'the later edits to be held')
    expect(blufText(reader.doc).toString()).toBe('')
    sender.send(frames.update(first!))
    await waitFor(() => blufText(reader.doc).toString() === text.toString(), 'every edit at the reader')
    expect(text.toString()).toBe('ffline: written while the server lacked the first edit')
    expect(sender.isClosed()).toBe(false)
    page.destroy()
  })
})
