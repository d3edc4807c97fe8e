/**
 * A version of a board that nothing changes once it is open (a snapshot, or
 * the board as it was at a past time): its document is loaded once into a
 * fresh Y.Doc that no connection touches, and read through the same store as
 * the live board (read-only), so the same board view shows it.
 */
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { ApiProblem } from '../app/api.ts'
import type { Patience } from '../app/busy-retry.ts'
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
  /** Said while a busy server's refusal is waited out before the version is asked for again. */
  waiting = $state<string | null>(null)
  /** Aborted when the view closes: a read still waiting or in flight is dropped. */
  readonly #closing = new AbortController()
  /** How the version's read waits out a busy server, until the view closes. */
  protected readonly patience: Patience = this.patient((note) => (this.waiting = note))

  constructor(boardId: string, me: PresenceMe) {
    this.boardId = boardId
    this.store = new ReactiveBoard(this.doc, boardId, { by: me.name, readOnly: true })
    // Nobody else is in a frozen version: a local awareness keeps the board's presence code content.
    this.#awareness = new Awareness(this.doc)
    this.presence = new Presence(this.#awareness, me)
  }

  abstract load(): Promise<void>

  /** Closed: what its reads answer, or how they fail, is for nobody. */
  protected get destroyed(): boolean {
    return this.#closing.signal.aborted
  }

  /** How a read of this view waits out a busy server, saying so through `onWait`, until the view closes. */
  protected patient(onWait: Patience['onWait']): Patience {
    return { signal: this.#closing.signal, onWait }
  }

  /** Records why loading failed: `missing` when the server answers with one of `missingStatuses` (no such version), else `failed`. */
  protected loadFailed(error: unknown, missingStatuses: readonly number[]): void {
    if (this.destroyed) return
    this.status = error instanceof ApiProblem && missingStatuses.includes(error.status) ? 'missing' : 'failed'
    this.problem = errorMessage(error)
  }

  destroy(): void {
    this.#closing.abort()
    this.presence.destroy()
    this.#awareness.destroy()
    this.store.destroy()
    this.doc.destroy()
  }
}
