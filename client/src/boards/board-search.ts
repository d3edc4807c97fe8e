/** Which boards the list's search box keeps: every word typed must be in the title, the marking or the review status. */
import { withoutIsolates } from '../../../shared/bidi.ts'
import { REVIEW_STATUS_LABELS } from '../../../shared/review-status.ts'
import type { BoardListing } from '../../../shared/board-listing.ts'

export function matchesSearch(board: BoardListing, query: string): boolean {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return true
  const haystack = [board.title, board.marking ?? '', REVIEW_STATUS_LABELS[board.review?.status ?? 'not-reviewed'], withoutIsolates(board.review?.statement ?? '')]
    .join(' ')
    .toLocaleLowerCase()
  return words.every((word) => haystack.includes(word))
}
