/**
 * This person's copy of the cards they are editing, for when someone else
 * deletes one: a deletion removes the card's map with its texts, and Yjs lets
 * nothing read a deleted text (its characters are gone by the time anyone
 * hears of the deletion), so what this person typed, offline or a moment
 * before, would be lost for everyone (red team 37c). The copy is taken after
 * every change to such a card, from this page or from others, and handed over
 * when a change from elsewhere deletes the card.
 *
 * A card is kept while this person is in one of its text fields, and after
 * they change it: while the page holds changes the server has not stored, and
 * for RECENT_MS after their last change to it.
 */
import * as Y from 'yjs'
import { readEntity } from '../../../shared/board-convert.ts'
import { collection } from '../../../shared/board-doc.ts'
import type { KeptAssessment } from '../../../shared/board-mutations.ts'

/** How long after this person's last change to a card its deletion by someone else is still theirs to hear of. */
export const RECENT_MS = 10 * 60_000

export type EditedCardsOptions = {
  /** The page holds changes the server has not stored yet (the connection's badge). */
  unsaved: () => boolean
  /** Someone else deleted a card this person is editing or edited; `kept` is the card as this page last held it. */
  deleted: (kept: KeptAssessment) => void
  now?: () => number
}

export class EditedCards {
  readonly #doc: Y.Doc
  readonly #options: EditedCardsOptions
  readonly #assessments: Y.Map<unknown>
  readonly #links: Y.Map<unknown>
  /** The card whose text field has this person's focus. */
  #focused: string | null = null
  /** When this person last changed each card. */
  readonly #changedAt = new Map<string, number>()
  readonly #copies = new Map<string, KeptAssessment>()

  constructor(doc: Y.Doc, options: EditedCardsOptions) {
    this.#doc = doc
    this.#options = options
    this.#assessments = collection(doc, 'assessments')
    this.#links = collection(doc, 'links')
    this.#assessments.observeDeep(this.#onCards)
    this.#links.observeDeep(this.#onLinks)
  }

  /** The card (or none) in whose text field this person now is. */
  focus(id: string | null): void {
    this.#focused = id
    if (id !== null) this.#copy(id)
  }

  #forget(id: string): void {
    this.#changedAt.delete(id)
    this.#copies.delete(id)
  }

  destroy(): void {
    this.#assessments.unobserveDeep(this.#onCards)
    this.#links.unobserveDeep(this.#onLinks)
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now()
  }

  #kept(id: string): boolean {
    if (id === this.#focused) return true
    const changedAt = this.#changedAt.get(id)
    return changedAt !== undefined && (this.#options.unsaved() || this.#now() - changedAt < RECENT_MS)
  }

  /** The card and its links as the document holds them now; nothing once the card is gone. */
  #copy(id: string): void {
    const card = readEntity(this.#doc, 'assessments', id)
    if (!card) return
    const links = []
    for (const map of this.#links.values()) {
      if (!(map instanceof Y.Map) || map.get('assessmentId') !== id) continue
      const link = readEntity(this.#doc, 'links', String(map.get('id')))
      if (link) links.push({ claimId: link.claimId, rating: link.rating, ...(link.note === undefined ? {} : { note: link.note }) })
    }
    this.#copies.set(id, { card, links })
  }

  readonly #onCards = (events: Y.YEvent<Y.AbstractType<unknown>>[], transaction: Y.Transaction): void => {
    const touched = new Set<string>()
    const deleted: string[] = []
    for (const event of events) {
      if (event.target === this.#assessments) {
        for (const [id, change] of event.changes.keys) {
          if (change.action === 'delete') deleted.push(id)
          else touched.add(id)
        }
      } else if (typeof event.path[0] === 'string') {
        touched.add(event.path[0])
      }
    }
    // Typing, a click in the inspector, an undo: anything this page does (what the relay or the offline copy applies is not local).
    if (transaction.local) for (const id of touched) this.#changedAt.set(id, this.#now())
    for (const id of touched) if (this.#kept(id)) this.#copy(id)
    for (const id of deleted) {
      const copy = this.#copies.get(id)
      const theirs = !transaction.local && copy !== undefined && this.#kept(id)
      this.#forget(id)
      if (theirs) this.#options.deleted(copy)
    }
  }

  readonly #onLinks = (): void => {
    // A deletion of the card takes its links in the same change: the copy keeps them, as the card is gone by now.
    for (const id of this.#copies.keys()) if (this.#kept(id)) this.#copy(id)
  }
}
