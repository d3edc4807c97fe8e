/** Reading many boards at once, shared by the SQLite and PostgreSQL stores: the board list asks about all of a person's boards together. */
import type { BoardRecord } from './storage.ts'

/** Boards asked about in one query: far below either dialect's limit of bound parameters (32,766 and 65,535). */
export const BOARDS_PER_QUERY = 500

/** The board ids in groups of at most `BOARDS_PER_QUERY`, duplicates dropped. */
export function boardIdGroups(boardIds: readonly string[]): string[][] {
  const unique = [...new Set(boardIds)]
  return Array.from({ length: Math.ceil(unique.length / BOARDS_PER_QUERY) }, (_, i) => unique.slice(i * BOARDS_PER_QUERY, (i + 1) * BOARDS_PER_QUERY))
}

/** Boards in the order the board list shows them: oldest first, ties by id. */
export function oldestFirst(records: BoardRecord[]): BoardRecord[] {
  return records.sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
