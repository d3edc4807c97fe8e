/**
 * A version of a board that nothing changes once it is open (a snapshot, or
 * the board as it was at a past time): its document is loaded once into a
 * fresh Y.Doc that no connection touches, and read through the same store as
 * the live board (read-only), so the same board view shows it.
 */
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { ApiProblem } from '../app/api.ts'
import { errorMessage } from '../../../shared/error-message.ts'
import { ReactiveBoard } from './reactive-board.svelte.ts'
import { Presence, type PresenceMe } from './presence.svelte.ts'

export abstract class FrozenBoardView {
  readonly boardId: string
  readonly doc = new Y.Doc()
  readonly store: ReactiveBoard
  readonly presence: Presence
  readonly #awareness: Awareness
  status = $state<'loading' | 'ready' | 'missing' | 'failed'>('loading')
  problem = $state<string | null>(null)

  constructor(boardId: string, me: PresenceMe) {
    this.boardId = boardId
    this.store = new ReactiveBoard(this.doc, boardId, { by: me.name, readOnly: true })
    // Nobody else is in a frozen version: a local awareness keeps the board's presence code content.
    this.#awareness = new Awareness(this.doc)
    this.presence = new Presence(this.#awareness, me)
  }

  abstract load(): Promise<void>

  /** Records why loading failed: `missing` when the server answers with one of `missingStatuses` (no such version), else `failed`. */
  protected loadFailed(error: unknown, missingStatuses: readonly number[]): void {
    this.status = error instanceof ApiProblem && missingStatuses.includes(error.status) ? 'missing' : 'failed'
    this.problem = errorMessage(error)
  }

  destroy(): void {
    this.presence.destroy()
    this.#awareness.destroy()
    this.store.destroy()
    this.doc.destroy()
  }
}
