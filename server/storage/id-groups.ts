/** Reading many rows by id at once, shared by the SQLite and PostgreSQL stores: the board list asks about all of a person's boards, a re-check of rights about everyone with a socket open. */

/** Ids asked about in one query: far below either dialect's limit of bound parameters (32,766 and 65,535). */
export const IDS_PER_QUERY = 500

/** The ids in groups of at most `IDS_PER_QUERY`, duplicates dropped. */
export function idGroups(ids: readonly string[]): string[][] {
  const unique = [...new Set(ids)]
  return Array.from({ length: Math.ceil(unique.length / IDS_PER_QUERY) }, (_, i) => unique.slice(i * IDS_PER_QUERY, (i + 1) * IDS_PER_QUERY))
}
