/**
 * What the board view shows besides the board itself, handed down through
 * context so the board's components stay about the board: on the live board,
 * the open review threads; on a snapshot, its review and the comparison; on
 * the board as of a past time, that moment.
 * Board components ask with useBoardAnnotations() and show nothing extra
 * when there is none.
 */
import { getContext, setContext } from 'svelte'
import type { Role } from '../../../shared/roles.ts'
import type { BoardArchive } from '../boards/board-archive.svelte.ts'
import type { AsOfView } from '../history/as-of-view.svelte.ts'
import type { CardChange } from './compare-model.ts'
import type { OpenThreads } from './open-threads.svelte.ts'
import type { SnapshotReviewState } from './snapshot-review.svelte.ts'
import type { SnapshotView } from './snapshot-view.svelte.ts'

/** `archive` is filled in by the board page as it learns the person's role. */
export type LiveAnnotations = { kind: 'live'; boardId: string; threads: OpenThreads; archive: BoardArchive }
export type SnapshotAnnotations = { kind: 'snapshot'; boardId: string; role: Role; view: SnapshotView; review: SnapshotReviewState }
/** The board as it was at a past time, from its history: read-only, no review. */
export type AsOfAnnotations = { kind: 'as-of'; boardId: string; role: Role; view: AsOfView }
export type BoardAnnotations = LiveAnnotations | SnapshotAnnotations | AsOfAnnotations

const KEY = Symbol('assay-board-annotations')

export function provideBoardAnnotations(annotations: BoardAnnotations): void {
  setContext(KEY, annotations)
}

export function useBoardAnnotations(): BoardAnnotations | null {
  return getContext<BoardAnnotations | undefined>(KEY) ?? null
}

/** What a card carries besides its content: how it changed in a comparison, and its open review threads. */
export type CardMark = { change: CardChange | null; openThreads: number }

export function cardMark(annotations: BoardAnnotations | null, assessmentId: string): CardMark {
  if (!annotations || annotations.kind === 'as-of') return { change: null, openThreads: 0 }
  if (annotations.kind === 'live') return { change: null, openThreads: annotations.threads.of(assessmentId).length }
  return {
    change: annotations.view.comparison?.cards.get(assessmentId) ?? null,
    openThreads: annotations.review.openCount(assessmentId),
  }
}

const CHANGE_WORDS: Record<CardChange['change'], string> = { added: 'Added', removed: 'Removed', changed: 'Changed' }

export function changeWord(change: CardChange): string {
  return CHANGE_WORDS[change.change]
}

/** The mark in words, for the card's accessible name. */
export function cardMarkText(mark: CardMark): string | null {
  const parts: string[] = []
  if (mark.change) parts.push(`${changeWord(mark.change)} in this comparison`)
  if (mark.openThreads > 0) parts.push(`${mark.openThreads} open review ${mark.openThreads === 1 ? 'thread' : 'threads'}`)
  return parts.length > 0 ? parts.join(', ') : null
}
