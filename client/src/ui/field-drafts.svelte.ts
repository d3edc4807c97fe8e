/**
 * Typing that plain text fields hold and have not yet handed to the board
 * (CommitText commits a moment after the person stops typing): while any
 * does, the connection badge cannot say "Saved", whatever the server has
 * confirmed.
 */
class FieldDrafts {
  readonly #holders = new Set<symbol>()
  count = $state(0)

  /** Marks (or clears) the draft of one field, known by its own key. */
  set(holder: symbol, pending: boolean): void {
    if (pending) this.#holders.add(holder)
    else this.#holders.delete(holder)
    if (this.count !== this.#holders.size) this.count = this.#holders.size
  }
}

export const fieldDrafts = new FieldDrafts()
