/**
 * The board as it was at a past time, opened in the browser: its document,
 * rebuilt by the server from the history and loaded once into a fresh Y.Doc
 * that no connection changes, read through the same store as the live board
 * (read-only), as a snapshot is.
 */
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { LOAD_ORIGIN } from '../../../shared/change-origin.ts'
import type { AsOf } from '../../../shared/history-model.ts'
import { ApiProblem } from '../app/api.ts'
import { ReactiveBoard } from '../board/reactive-board.svelte.ts'
import { Presence, type PresenceMe } from '../board/presence.svelte.ts'
import { historyApi } from './history-api.ts'
import { errorMessage } from '../../../shared/error-message.ts'

export class AsOfView {
  readonly boardId: string
  readonly requested: string
  readonly doc = new Y.Doc()
  readonly store: ReactiveBoard
  readonly presence: Presence
  readonly #awareness: Awareness
  status = $state<'loading' | 'ready' | 'missing' | 'failed'>('loading')
  problem = $state<string | null>(null)
  asOf = $state.raw<AsOf | null>(null)

  constructor(boardId: string, at: string, me: PresenceMe) {
    this.boardId = boardId
    this.requested = at
    this.store = new ReactiveBoard(this.doc, boardId, { by: me.name, readOnly: true })
    // Nobody else is in the past: a local awareness keeps the board's presence code content.
    this.#awareness = new Awareness(this.doc)
    this.presence = new Presence(this.#awareness, me)
  }

  async load(): Promise<void> {
    try {
      const { state, asOf } = await historyApi.state(this.boardId, this.requested)
      Y.applyUpdate(this.doc, state, LOAD_ORIGIN)
      this.asOf = asOf
      this.status = 'ready'
    } catch (error) {
      this.status = error instanceof ApiProblem && (error.status === 404 || error.status === 400) ? 'missing' : 'failed'
      this.problem = errorMessage(error)
    }
  }

  destroy(): void {
    this.presence.destroy()
    this.#awareness.destroy()
    this.store.destroy()
    this.doc.destroy()
  }
}
