/**
 * The board as it was at a past time, opened in the browser: its document,
 * rebuilt by the server from the history, as a frozen board (as a snapshot is).
 */
import * as Y from 'yjs'
import { LOAD_ORIGIN } from '../../../shared/change-origin.ts'
import type { AsOf } from '../../../shared/history-model.ts'
import { FrozenBoardView } from '../board/frozen-board-view.svelte.ts'
import type { PresenceMe } from '../board/presence.svelte.ts'
import { historyApi } from './history-api.ts'

export class AsOfView extends FrozenBoardView {
  readonly requested: string
  asOf = $state.raw<AsOf | null>(null)

  constructor(boardId: string, at: string, me: PresenceMe) {
    super(boardId, me)
    this.requested = at
  }

  async load(): Promise<void> {
    try {
      const { state, asOf } = await historyApi.state(this.boardId, this.requested, this.patience)
      Y.applyUpdate(this.doc, state, LOAD_ORIGIN)
      this.asOf = asOf
      this.status = 'ready'
    } catch (error) {
      // 400: a time the history cannot answer for, which is as missing as a 404.
      this.loadFailed(error, [404, 400])
    }
  }
}
