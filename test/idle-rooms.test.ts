/**
 * A board nobody has open stays loaded for ROOM_IDLE_MS (at most ROOM_IDLE_MAX
 * such boards and ROOM_IDLE_MAX_BYTES of their stored state), so that a
 * reload, the reconnects after a network blip, or opening a board just created
 * find its room instead of loading it again.
 */
import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { DEFAULT_RELAY_LIMITS } from '../server/relay/relay-limits.ts'
import type { RoomExtension } from '../server/relay/room-extension.ts'
import { RoomRegistry } from '../server/relay/room-registry.ts'
import { apiClient } from './helpers/api.ts'
import { collected } from './helpers/collect-garbage.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from './helpers/yjs-client.ts'

const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

const titles = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((a) => a.title)

it('keeps a board nobody has open loaded for ROOM_IDLE_MS, so that opening it again finds the same room, then unloads it', async () => {
  const running = (server = await startTestServer({ env: { ROOM_IDLE_MS: '3000', METRICS_TOKEN } }))
  const rooms = running.services.rooms
  const boardId = await apiClient(running.url).createBoard('Kept warm')
  const created = rooms.loadedRooms.get(boardId)
  expect(created).toBeDefined()
  expect(sample(await metricsText(running), 'assay_rooms_idle')).toBe(1)

  // Opening the board just created: its room is still there, not read and applied again.
  const writer = connect(running.wsUrl, boardId)
  await writer.synced()
  expect(rooms.loadedRooms.get(boardId)).toBe(created)
  expect(rooms.idleRoomCount).toBe(0)
  addAssessment(writer.doc, { title: 'Said before the reload' })
  await waitFor(() => created!.isSaved && created!.connections.size === 1, 'the edit to be saved')

  // A reload: the last client leaves and a fresh one comes back.
  writer.destroy()
  await waitFor(() => created!.connections.size === 0, 'the writer to leave')
  expect(rooms.loadedRooms.get(boardId)).toBe(created)
  expect(rooms.idleRoomCount).toBe(1)
  const reloaded = connect(running.wsUrl, boardId)
  await reloaded.synced()
  expect(titles(reloaded, boardId)).toEqual(['Said before the reload'])
  expect(rooms.loadedRooms.get(boardId)).toBe(created)

  reloaded.destroy()
  await waitFor(() => !rooms.loadedRooms.has(boardId), 'the idle room to unload', 20_000)
  expect(rooms.idleRoomCount).toBe(0)
  expect(sample(await metricsText(running), 'assay_rooms_idle')).toBe(0)

  // Unloaded, the board is read from storage again, whole.
  const later = connect(running.wsUrl, boardId)
  await later.synced()
  expect(titles(later, boardId)).toEqual(['Said before the reload'])
  expect(rooms.loadedRooms.get(boardId)).not.toBe(created)
})

it('lets go of a board’s room, its whole document, once it unloads, without waiting for another board to load', async () => {
  const running = (server = await startTestServer({ env: { ROOM_IDLE_MS: '0' } }))
  const rooms = running.services.rooms
  const boardId = await apiClient(running.url).createBoard('Let go')
  const reader = connect(running.wsUrl, boardId)
  await reader.synced()
  // Loaded for the reader, from storage: the board's creation had let go of the room it made.
  const room = new WeakRef(rooms.loadedRooms.get(boardId)!)
  const doc = new WeakRef(room.deref()!.doc)
  reader.destroy()
  await waitFor(() => !rooms.loadedRooms.has(boardId), 'the room to unload')
  await waitFor(() => collected(room) && collected(doc), 'the unloaded room and its document to be collected')
})

it('keeps at most ROOM_IDLE_MAX boards idle, unloading the one idle longest first', async () => {
  const running = (server = await startTestServer({ env: { ROOM_IDLE_MS: '600000', ROOM_IDLE_MAX: '2' } }))
  const rooms = running.services.rooms
  const api = apiClient(running.url)
  const [first, second, third] = [await api.createBoard('First'), await api.createBoard('Second'), await api.createBoard('Third')]
  expect([rooms.loadedRooms.has(first), rooms.loadedRooms.has(second), rooms.loadedRooms.has(third)]).toEqual([false, true, true])

  // Held and let go again, the second becomes the one idle for the shortest time.
  expect(await rooms.withRoom(second, (room) => room.connections.size)).toBe(0)
  const fourth = await api.createBoard('Fourth')
  expect([rooms.loadedRooms.has(second), rooms.loadedRooms.has(third), rooms.loadedRooms.has(fourth)]).toEqual([true, false, true])
  expect(rooms.idleRoomCount).toBe(2)

  // A board someone has open is not idle, and never unloaded for the limit.
  const reader = connect(running.wsUrl, second)
  await reader.synced()
  await api.createBoard('Fifth')
  expect(rooms.loadedRooms.has(second)).toBe(true)
  expect(rooms.idleRoomCount).toBe(2)
})

it('keeps idle boards within ROOM_IDLE_MAX_BYTES of stored state, the one idle longest unloaded first, and never one larger than that', async () => {
  const running = (server = await startTestServer({ env: { ROOM_IDLE_MS: '600000', ROOM_IDLE_MAX_BYTES: '16000' } }))
  const rooms = running.services.rooms
  const api = apiClient(running.url)
  /** A board whose judgment holds `chars` characters, left idle by the request that wrote it. */
  const boardOf = async (title: string, chars: number) => {
    const boardId = await api.createBoard(title)
    expect((await api.post(`/api/boards/${boardId}/assessments`, { title, judgment: 'x'.repeat(chars) })).status).toBe(201)
    return boardId
  }
  const first = await boardOf('First', 6000)
  const second = await boardOf('Second', 6000)
  expect(rooms.loadedRooms.get(first)!.storedBytes + rooms.loadedRooms.get(second)!.storedBytes).toBeLessThan(16_000)
  expect([rooms.loadedRooms.has(first), rooms.loadedRooms.has(second)]).toEqual([true, true])

  // A third such board passes the bytes allowed: the one idle longest goes.
  const third = await boardOf('Third', 6000)
  expect([rooms.loadedRooms.has(first), rooms.loadedRooms.has(second), rooms.loadedRooms.has(third)]).toEqual([false, true, true])

  // A board larger than all the bytes allowed is not kept at all, and takes no other with it.
  const large = await boardOf('Large', 17_000)
  expect(rooms.loadedRooms.has(large)).toBe(false)
  expect([rooms.loadedRooms.has(second), rooms.loadedRooms.has(third)]).toEqual([true, true])
})

it('writes the board list’s summary as soon as nobody holds the room, though it stays loaded', async () => {
  const running = (server = await startTestServer({ env: { ROOM_IDLE_MS: '600000' } }))
  const api = apiClient(running.url)
  const boardId = await api.createBoard('Untitled watch')
  expect((await api.patch(`/api/boards/${boardId}`, { title: 'Baltic watch', marking: 'TLP:RED' })).status).toBe(200)
  expect(running.services.rooms.loadedRooms.has(boardId)).toBe(true)
  const listed = (await api.get<{ id: string; title: string; marking: string }[]>('/api/boards')).body.find((board) => board.id === boardId)
  expect(listed).toMatchObject({ title: 'Baltic watch', marking: 'TLP:RED' })
})

it('unloads at once with ROOM_IDLE_MS=0', async () => {
  const running = (server = await startTestServer({ env: { ROOM_IDLE_MS: '0' } }))
  const boardId = await apiClient(running.url).createBoard('Gone at once')
  expect(running.services.rooms.loadedRooms.has(boardId)).toBe(false)
  expect(running.services.rooms.idleRoomCount).toBe(0)
})

it('gives a holder whose load outlasted the room (served to others meanwhile, then unloaded) a live room, never the unloaded one', async () => {
  const running = (server = await startTestServer())
  const boardId = await apiClient(running.url).createBoard('Slow to load')
  let finishFirstLoad!: () => void
  const firstLoadFinished = new Promise<void>((resolve) => (finishFirstLoad = resolve))
  let loads = 0
  // An extension slow to load the board the first time, as one waiting on a service that is away would be.
  const slowFirstLoad: RoomExtension = { name: 'slow-first-load', onLoaded: () => (++loads === 1 ? firstLoadFinished : undefined) }
  const rooms = new RoomRegistry(running.services.storage, running.services.logger, { limits: { ...DEFAULT_RELAY_LIMITS, idleRoomMs: 0 }, extensions: [slowFirstLoad] })
  try {
    const socketsRoom = rooms.acquire(boardId)
    const first = await waitFor(() => rooms.loadedRooms.get(boardId), 'the room to be served while its load waits')
    // The page's read is served from it and lets go: nobody holds the room, so it unloads.
    expect(await rooms.withRoom(boardId, (room) => room)).toBe(first)
    expect(rooms.loadedRooms.has(boardId)).toBe(false)

    finishFirstLoad()
    const held = await socketsRoom
    expect(held?.room).not.toBe(first)
    expect(rooms.loadedRooms.get(boardId)).toBe(held?.room)
    held?.release()
  } finally {
    await rooms.close()
  }
})
