/**
 * The items of a long run of equal-sized ones (rows or columns) worth
 * rendering for a viewport over them: those in view, plus `overscan` more on
 * each side so that fast scrolling and keyboard moves find them ready. The
 * range is [start, end).
 */
export function windowRange(count: number, size: number, scrolled: number, viewport: number, overscan: number): { start: number; end: number } {
  const start = Math.min(count, Math.max(0, Math.floor(scrolled / size) - overscan))
  const end = Math.min(count, Math.ceil((scrolled + viewport) / size) + overscan)
  return { start, end: Math.max(start, end) }
}
