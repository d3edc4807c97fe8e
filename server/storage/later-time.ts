/** The later of two ISO 8601 UTC times (they sort as text), either of which may be missing. */
export function laterTime(a: string | null, b: string | null): string | null {
  if (a === null) return b
  if (b === null) return a
  return a > b ? a : b
}
