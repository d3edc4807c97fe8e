/**
 * The notices of cards someone else deleted while this person was editing
 * them (edited-cards.ts keeps the copies): each names who deleted the card,
 * at first where presence tells (the one other person who had it open as the
 * deletion came in), then as the server recorded it (recorded-deleter.ts),
 * and offers to put this person's version back as a card of theirs (one
 * change, undone by their Ctrl+Z). Newest first; each stays until this person
 * restores or dismisses it.
 */
import { restoreAssessment, type KeptAssessment } from '../../../shared/board-mutations.ts'
import { EditedCards } from './edited-cards.ts'
import type { ReactiveBoard } from './reactive-board.svelte.ts'

export type DeletedCard = {
  kept: KeptAssessment
  /** Who deleted it, by the server's record or, until it is read, where presence tells; null otherwise (the notice says "Someone"). */
  by: string | null
  /** `by` is the server's record, not presence's guess. */
  recorded: boolean
  /** This person was typing in it: the notice takes the focus the field lost. */
  wasTyping: boolean
}

export type DeletedWhileEditingOptions = {
  unsaved: () => boolean
  /** Whether the focus is, at this moment, in a text field of that card in the inspector. */
  typingIn: (id: string) => boolean
  /** Who deleted that card, read as the deletion comes in (Presence.soleOtherOn). */
  deleter: (id: string) => string | null
  /** Who deleted that card by the server's record (recorded-deleter.ts); null when it cannot tell. */
  recordedDeleter?: (id: string, signal: AbortSignal) => Promise<string | null>
}

export class DeletedWhileEditing {
  notices = $state.raw<DeletedCard[]>([])
  readonly #store: ReactiveBoard
  readonly #cards: EditedCards
  /** The reads of the server's record under way, by card: ended with the notice. */
  readonly #lookups = new Map<string, AbortController>()

  constructor(store: ReactiveBoard, options: DeletedWhileEditingOptions) {
    this.#store = store
    this.#cards = new EditedCards(store.doc, {
      unsaved: options.unsaved,
      deleted: (kept) => {
        // Read now, as the deletion lands: the field still holds the focus until the page draws the card's absence,
        // and the deleter's presence still shows the card they deleted it from.
        const id = kept.card.id
        const notice = { kept, by: options.deleter(id), recorded: false, wasTyping: options.typingIn(id) }
        this.#endLookup(id)
        this.notices = [notice, ...this.notices.filter((other) => other.kept.card.id !== id)]
        if (options.recordedDeleter) this.#lookUp(id, options.recordedDeleter)
      },
    })
  }

  #lookUp(id: string, read: NonNullable<DeletedWhileEditingOptions['recordedDeleter']>): void {
    const lookup = new AbortController()
    this.#lookups.set(id, lookup)
    void read(id, lookup.signal).then((by) => {
      if (lookup.signal.aborted) return
      this.#lookups.delete(id)
      if (by !== null) this.notices = this.notices.map((notice) => (notice.kept.card.id === id ? { ...notice, by, recorded: true } : notice))
    })
  }

  #endLookup(id: string): void {
    this.#lookups.get(id)?.abort()
    this.#lookups.delete(id)
  }

  /** The card (or none) in whose text field this person now is. */
  focus(id: string | null): void {
    this.#cards.focus(id)
  }

  /**
   * Puts this person's version back as a new card, or, where someone has brought the card back meanwhile (the
   * deleter's undo), puts this person's text back into it. Returns the card's id, or null when refused.
   */
  restore(notice: DeletedCard): string | null {
    const { card } = notice.kept
    let id: string | null = card.id
    if (this.#store.assessmentById.has(card.id)) this.#store.updateAssessment(card.id, { title: card.title, judgment: card.judgment })
    else id = this.#store.change((ctx) => restoreAssessment(this.#store.doc, notice.kept, ctx))
    if (id !== null) this.dismiss(notice)
    return id
  }

  /** By the card: the notice may have been given the deleter's recorded name since the page drew it. */
  dismiss(notice: DeletedCard): void {
    const id = notice.kept.card.id
    this.#endLookup(id)
    this.notices = this.notices.filter((other) => other.kept.card.id !== id)
  }

  destroy(): void {
    this.#cards.destroy()
    for (const id of [...this.#lookups.keys()]) this.#endLookup(id)
  }
}
