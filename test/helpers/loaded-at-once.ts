/** Two instances loading one board at once, each from the board as stored before either changed it as it loaded. */
import type { LoadGate } from './load-gate.ts'
import type { TestServer } from './test-server.ts'
import { waitFor } from './wait-for.ts'
import { closeCodes, type TestClient } from './yjs-client.ts'

/**
 * `two` reads the board and waits at `loads` (held after its read) while `one`
 * loads it and stores what its load changed; then `two` goes on with what it
 * read. The clients on each, synced, their close codes, and both rooms saved.
 */
export async function loadedAtOnce(one: TestServer, two: TestServer, loads: LoadGate, boardId: string, connectTo: (server: TestServer, boardId: string) => TestClient) {
  loads.hold()
  const onTwo = connectTo(two, boardId)
  await waitFor(() => loads.waiting > 0, 'two’s load to have read the board')
  const onOne = connectTo(one, boardId)
  const codes = [closeCodes(onOne), closeCodes(onTwo)]
  await onOne.synced()
  const roomOne = one.services.rooms.loadedRooms.get(boardId)!
  await roomOne.whenSaved()
  loads.release()
  await onTwo.synced()
  const roomTwo = two.services.rooms.loadedRooms.get(boardId)!
  await roomTwo.whenSaved()
  return { onOne, onTwo, codes, roomOne, roomTwo }
}
