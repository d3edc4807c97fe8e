/**
 * What bounds a comparison's word diffs, apart from the diff itself
 * (board-diff.ts), so that the configuration and the API can name the bounds
 * without loading the diff library into the relay's thread: diffs run in
 * worker threads.
 */
import { LIMITS } from './limits.ts'

/** Bounds on the word diffs of one comparison; `false` asks for none (only which fields changed). */
export type WordDiffBounds = { maxTextChars: number; budgetMs: number }

export const DEFAULT_WORD_DIFF_BOUNDS: WordDiffBounds = { maxTextChars: LIMITS.longText, budgetMs: 2000 }

/** Why a changed text has no word diff: longer than the size bound, or the comparison's time budget was spent. */
export const WORD_DIFF_SKIPPED = ['too-long', 'over-budget'] as const
export type WordDiffSkipped = (typeof WORD_DIFF_SKIPPED)[number]
