/**
 * A board edited card by card through a real client, and read back by its
 * cards' titles, now or as of a past time: what the tests of a server's clock
 * stepping (test/history/clock-*.test.ts) check the history with.
 */
import { expect } from 'vitest'
import { addAssessment } from '../../shared/board-mutations.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { apiClient, type ApiClient } from './api.ts'
import type { TestServer } from './test-server.ts'
import { waitFor } from './wait-for.ts'
import type { TestClient } from './yjs-client.ts'

export const titles = (model: BoardModel) => model.assessments.map((assessment) => assessment.title).sort()

/** Adds a card through `writer` and waits until the server stores it. */
export async function added(api: ApiClient, boardId: string, writer: TestClient, title: string): Promise<void> {
  addAssessment(writer.doc, { title, judgment: '', likelihood: 3, confidence: 'moderate', kind: 'key-judgment' })
  await waitFor(async () => titles((await api.get<BoardModel>(`/api/boards/${boardId}`)).body).includes(title), `${title} to be stored`)
}

/** A new board on `server` and a client editing it there (`connect` destroys it after the test). */
export async function editedBoard(
  server: TestServer,
  title: string,
  connect: (wsUrl: string, boardId: string) => TestClient,
): Promise<{ api: ApiClient; boardId: string; writer: TestClient }> {
  const api = apiClient(server.url)
  const boardId = await api.createBoard(title)
  const writer = connect(server.wsUrl, boardId)
  await writer.synced()
  return { api, boardId, writer }
}

/** The titles of the board's cards as of `moment`, which must be read. */
export async function cardsAsOf(api: ApiClient, boardId: string, moment: string): Promise<string[]> {
  const read = await api.get<BoardModel>(`/api/boards/${boardId}?asOf=${encodeURIComponent(moment)}`)
  expect(read.status, JSON.stringify(read.body)).toBe(200)
  return titles(read.body)
}
