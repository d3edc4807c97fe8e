/**
 * One snapshot opened in the browser, as a frozen board, optionally compared
 * with the live board or another snapshot. A comparison shows both versions on the board at once
 * (see compare-model.ts); stopping it puts the snapshot's own content back.
 */
import * as Y from 'yjs'
import { boardToModel, replaceBoardContent } from '../../../shared/board-convert.ts'
import type { BoardModel } from '../../../shared/board-model.ts'
import { LOAD_ORIGIN } from '../../../shared/change-origin.ts'
import { LIVE, type SnapshotSummary } from '../../../shared/snapshot-model.ts'
import { FrozenBoardView } from '../board/frozen-board-view.svelte.ts'
import { fetchChecks } from '../board/checks/checks-api.ts'
import type { PresenceMe } from '../board/presence.svelte.ts'
import { cardChanges, changeCounts, unionOf, type CardChange } from './compare-model.ts'
import { authorsOfChanges, type ChangeAuthors } from '../history/change-authors.ts'
import { historyApi } from '../history/history-api.ts'
import { snapshotApi, type DiffResult } from './snapshot-api.ts'
import { errorMessage } from '../../../shared/error-message.ts'
import type { Patience } from '../app/busy-retry.ts'

export type Comparison = {
  /** LIVE or the other snapshot's id. */
  target: string
  result: DiffResult
  cards: Map<string, CardChange>
  counts: { added: number; removed: number; changed: number }
  /** Who changed each field of each card between the two versions, from the board's history (empty when it could not be read). */
  authors: ChangeAuthors
}

export class SnapshotView extends FrozenBoardView {
  readonly snapshotId: string
  summary = $state.raw<SnapshotSummary | null>(null)
  /** The board's snapshots, newest first: what this one can be compared with. */
  snapshots = $state.raw<SnapshotSummary[]>([])
  /** What the person asked to compare with; the comparison follows once the diff has arrived. */
  compareTarget = $state<string | null>(null)
  comparison = $state.raw<Comparison | null>(null)
  compareProblem = $state<string | null>(null)
  /** Said while a busy server's refusal of the comparison is waited out. */
  compareWaiting = $state<string | null>(null)
  /** "2 judgments relied on a claim retracted since", when the live board has retracted what this snapshot relied on. */
  retractedSince = $state<string | null>(null)
  /** Why that could not be checked, if it could not. */
  retractedSinceProblem = $state<string | null>(null)
  #model: BoardModel | null = null

  constructor(boardId: string, snapshotId: string, me: PresenceMe) {
    super(boardId, me)
    this.snapshotId = snapshotId
  }

  /** Whether a card's id is in the snapshot itself (review entries can only be about those). */
  holds(assessmentId: string): boolean {
    return this.#model?.assessments.some((a) => a.id === assessmentId) ?? false
  }

  async load(): Promise<void> {
    try {
      const [summary, state, snapshots] = await Promise.all([
        snapshotApi.summary(this.boardId, this.snapshotId),
        snapshotApi.state(this.boardId, this.snapshotId, this.patience),
        snapshotApi.list(this.boardId),
      ])
      Y.applyUpdate(this.doc, state, LOAD_ORIGIN)
      this.#model = boardToModel(this.doc, this.boardId)
      this.summary = summary
      this.snapshots = snapshots
      this.status = 'ready'
      void this.#checkRetractions()
    } catch (error) {
      this.loadFailed(error, [404])
    }
  }

  /** Asks the server what this snapshot relied on that has been retracted since; the page opens without waiting for it. */
  async #checkRetractions(): Promise<void> {
    try {
      // Nothing is said while it waits: the banner says only what is found.
      this.retractedSince = (await fetchChecks(this.boardId, { snapshotId: this.snapshotId }, this.patient(() => {}))).retractedSinceStatement
    } catch (error) {
      if (!this.destroyed) this.retractedSinceProblem = errorMessage(error)
    }
  }

  /** Compares with LIVE or another snapshot (the older of the two is the "from" side), or stops comparing. */
  async compare(target: string | null): Promise<void> {
    const model = this.#model
    this.compareTarget = target
    this.compareProblem = null
    if (!model) return
    if (target === null || target === this.snapshotId) {
      this.comparison = null
      replaceBoardContent(this.doc, model, LOAD_ORIGIN)
      return
    }
    const other = this.snapshots.find((s) => s.id === target)
    const thisFirst = target === LIVE || !other || !this.summary || this.summary.createdAt <= other.createdAt
    const patience = this.patient((note) => {
      if (this.compareTarget === target) this.compareWaiting = note
    })
    try {
      const result = thisFirst
        ? await snapshotApi.diff(this.boardId, this.snapshotId, target, patience)
        : await snapshotApi.diff(this.boardId, target, this.snapshotId, patience)
      if (this.compareTarget !== target) return
      const authors = await this.#authorsBetween(result, patience)
      if (this.compareTarget !== target || this.destroyed) return
      replaceBoardContent(this.doc, unionOf(model, result.diff), LOAD_ORIGIN)
      this.comparison = { target, result, cards: cardChanges(result.diff), counts: changeCounts(result.diff), authors }
    } catch (error) {
      if (this.compareTarget === target && !this.destroyed) this.compareProblem = errorMessage(error)
    }
  }

  /** Who made the changes between the two versions; the comparison shows without names when the history cannot be read. */
  async #authorsBetween(result: DiffResult, patience: Patience): Promise<ChangeAuthors> {
    const time = (ref: DiffResult['from']) => (ref.kind === 'snapshot' ? ref.createdAt : ref.at)
    try {
      return authorsOfChanges((await historyApi.changes(this.boardId, { from: time(result.from), to: time(result.to) }, patience)).changes)
    } catch {
      return new Map()
    }
  }
}
