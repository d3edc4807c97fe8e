/** The orders the board model uses, on plain entities (board-convert.ts sorts the same way). */

/** Board order: by fractional order key, ties (concurrent inserts) by id. */
export function byBoardOrder(a: { order: string; id: string }, b: { order: string; id: string }): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Creation time, then id. */
export function byCreation(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export function byImport(a: { importedAt: string; id: string }, b: { importedAt: string; id: string }): number {
  return byCreation({ createdAt: a.importedAt, id: a.id }, { createdAt: b.importedAt, id: b.id })
}
