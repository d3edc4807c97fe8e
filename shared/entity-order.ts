/**
 * The orders of the board model's arrays, on plain entities. The model
 * (board-convert.ts) and the browser's lists sort with these, so a board reads
 * the same in both and in every export.
 *
 * An import stamps everything it adds with one time, so creation time alone
 * leaves its sources and claims tied: claims then follow the document
 * (paragraph, then offset), sources the order the document first cites them
 * (`position`, then name). Ids break what is left, so the order is total.
 */

type Identified = { id: string }
type Created = Identified & { createdAt: string }

/** Code-unit order, the same on every machine (no locale). */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Absent numbers sort after present ones: a claim added by hand after the imported ones of the same moment. */
function byOptionalNumber(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0
  if (a === undefined) return 1
  if (b === undefined) return -1
  return a - b
}

/** Board order: by fractional order key, ties (concurrent inserts) by id. */
export function byBoardOrder(a: Identified & { order: string }, b: Identified & { order: string }): number {
  return byText(a.order, b.order) || byText(a.id, b.id)
}

/** Creation time, then id. */
export function byCreation(a: Created, b: Created): number {
  return byText(a.createdAt, b.createdAt) || byText(a.id, b.id)
}

export function byImport(a: Identified & { importedAt: string }, b: Identified & { importedAt: string }): number {
  return byText(a.importedAt, b.importedAt) || byText(a.id, b.id)
}

/** Sources: creation time, then where the import that made them first cites them, then name. */
export function bySourceOrder(a: Created & { name: string; position?: number }, b: Created & { name: string; position?: number }): number {
  return byText(a.createdAt, b.createdAt) || byOptionalNumber(a.position, b.position) || byText(a.name, b.name) || byText(a.id, b.id)
}

/** Claims: creation time, then their place in the document they were imported from. */
export function byClaimOrder(a: Created & { paragraph?: number; start?: number }, b: Created & { paragraph?: number; start?: number }): number {
  return (
    byText(a.createdAt, b.createdAt) ||
    byOptionalNumber(a.paragraph, b.paragraph) ||
    byOptionalNumber(a.start, b.start) ||
    byText(a.id, b.id)
  )
}
