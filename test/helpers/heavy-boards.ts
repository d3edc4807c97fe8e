/**
 * Boards stored while nobody holds them, for tests of cold loads (loads of
 * boards nobody holds, ColdLoads): people with tokens, each an editor of
 * every board, and what each board stores appended to its log directly.
 */
import * as Y from 'yjs'
import { addAccount, addMember, addToken } from './accounts.ts'
import { apiClient } from './api.ts'
import type { TestServer } from './test-server.ts'
import { waitFor } from './wait-for.ts'

/** A board's stored state of `repeats` sentences of some 50 bytes each, in one struct: it costs its stored bytes to load. */
export function heavyBoardState(repeats: number): Uint8Array {
  const heavy = new Y.Doc()
  heavy.getText('notes').insert(0, 'An eyewitness account from the border crossing. '.repeat(repeats))
  const stored = Y.encodeStateAsUpdate(heavy)
  heavy.destroy()
  return stored
}

/**
 * `people` people, each with a token, and a board for each of `stored` (its
 * rows appended, none for an empty array), nobody holding it (making a board
 * loads it on nobody), every person an editor of each.
 */
export async function storedBoards(server: TestServer, people: number, stored: Uint8Array[][]): Promise<{ tokens: string[]; boards: string[] }> {
  const owner = await addAccount(server, { name: 'Owner' })
  const asOwner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  const accounts = await Promise.all(Array.from({ length: people }, (_, i) => addAccount(server, { name: `Analyst ${i}` })))
  const tokens = await Promise.all(accounts.map(async (person) => (await addToken(server, person)).token))
  const boards: string[] = []
  for (const [i, rows] of stored.entries()) {
    const boardId = await asOwner.createBoard(`Board ${i}`)
    for (const person of accounts) await addMember(server, boardId, person, 'editor')
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the new board to unload')
    if (rows.length > 0) await server.services.storage.log.append(boardId, rows.map((update) => ({ update, origin: 'server' })))
    boards.push(boardId)
  }
  return { tokens, boards }
}
