/** Reading many boards at once, shared by the SQLite and PostgreSQL stores: the board list asks about all of a person's boards together. */
import type { BoardRecord } from './storage.ts'

/** Boards in the order the board list shows them: oldest first, ties by id. */
export function oldestFirst(records: BoardRecord[]): BoardRecord[] {
  return records.sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
