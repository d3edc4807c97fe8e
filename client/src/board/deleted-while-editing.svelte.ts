/**
 * The notices of cards someone else deleted while this person was editing
 * them (edited-cards.ts keeps the copies): each names who deleted the card
 * where presence tells (the one other person who had it open as the deletion
 * came in), and offers to put this person's version back as a card of
 * theirs (one change, undone by their Ctrl+Z).
 */
import { restoreAssessment, type KeptAssessment } from '../../../shared/board-mutations.ts'
import { EditedCards } from './edited-cards.ts'
import type { ReactiveBoard } from './reactive-board.svelte.ts'

export type DeletedCard = {
  kept: KeptAssessment
  /** Who deleted it, where presence tells; null otherwise (the notice says "someone"). */
  by: string | null
  /** This person was typing in it: the notice takes the focus the field lost. */
  wasTyping: boolean
}

export type DeletedWhileEditingOptions = {
  unsaved: () => boolean
  /** Whether the focus is, at this moment, in a text field of that card in the inspector. */
  typingIn: (id: string) => boolean
  /** Who deleted that card, read as the deletion comes in (Presence.soleOtherOn). */
  deleter: (id: string) => string | null
}

export class DeletedWhileEditing {
  notices = $state.raw<DeletedCard[]>([])
  readonly #store: ReactiveBoard
  readonly #cards: EditedCards

  constructor(store: ReactiveBoard, options: DeletedWhileEditingOptions) {
    this.#store = store
    this.#cards = new EditedCards(store.doc, {
      unsaved: options.unsaved,
      deleted: (kept) => {
        // Read now, as the deletion lands: the field still holds the focus until the page draws the card's absence,
        // and the deleter's presence still shows the card they deleted it from.
        const id = kept.card.id
        const notice = { kept, by: options.deleter(id), wasTyping: options.typingIn(id) }
        this.notices = [...this.notices.filter((other) => other.kept.card.id !== id), notice]
      },
    })
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

  dismiss(notice: DeletedCard): void {
    this.notices = this.notices.filter((other) => other !== notice)
  }

  destroy(): void {
    this.#cards.destroy()
  }
}
