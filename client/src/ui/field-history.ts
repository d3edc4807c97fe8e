/**
 * The undo and redo of a plain text field: this person's own edits, each
 * undone or redone through whatever a colleague's change merged into the
 * field since (the edit applied to the text now, by mergeThreeWay), so that
 * Ctrl+Z never takes a colleague's words out. The browser's own history
 * cannot do that: a merged value set on the field clears it, and one put in
 * as an edit (execCommand) becomes a step of it, which Ctrl+Z would take out
 * and the field then save without the colleague's words.
 *
 * Typing at one place is one step, as in the browser: a step ends where the
 * kind of edit changes, the caret moved elsewhere, or a colleague's change
 * was merged in.
 */
import { mergeThreeWay, regionOf } from './three-way-merge.ts'

/** One edit: the field's text went from `from` to `to`. */
type Step = { from: string; to: string; kind: string }

/** The text and caret after an undo or redo. */
export type Restored = { text: string; caret: number }

/** Steps kept, the oldest dropped past it. */
const MAX_STEPS = 200

export class FieldHistory {
  readonly #undo: Step[] = []
  readonly #redo: Step[] = []
  /** The last step can take the next edit in (typing on at the caret). */
  #open = false
  /** Where the last edit left the caret. */
  #caret = -1

  /** An edit the person made (`kind`: the input's type, as `insertText`), the caret after it at `caret`. */
  record(from: string, to: string, kind: string, caret: number): void {
    if (from === to) return
    const last = this.#undo.at(-1)
    const region = regionOf(from, to)
    const continues = kind === 'insertText' ? region.start === this.#caret : region.end === this.#caret
    if (this.#open && last && last.kind === kind && last.to === from && continues) last.to = to
    else this.#undo.push({ from, to, kind })
    if (this.#undo.length > MAX_STEPS) this.#undo.shift()
    this.#redo.length = 0
    this.#open = kind === 'insertText' || kind.startsWith('delete')
    this.#caret = caret
  }

  /** The field's text changed by other means (a colleague's change merged in): the next edit starts a step. */
  break(): void {
    this.#open = false
  }

  /** Undoes this person's last edit in `current`; null when there is none (or colleagues rewrote all their words since). */
  undo(current: string): Restored | null {
    return this.#move(this.#undo, this.#redo, current, false)
  }

  redo(current: string): Restored | null {
    return this.#move(this.#redo, this.#undo, current, true)
  }

  /**
   * Takes the last step of `from` that still applies to `current` (undone, or redone when `forward`), and keeps
   * it in `to` as the edit between the texts as they are now, so that it too applies through later merges.
   */
  #move(from: Step[], to: Step[], current: string, forward: boolean): Restored | null {
    this.#open = false
    for (let step = from.pop(); step; step = from.pop()) {
      const text = forward ? applied(step.from, step.to, current) : applied(step.to, step.from, current)
      if (text === null) continue
      to.push(forward ? { from: current, to: text, kind: step.kind } : { from: text, to: current, kind: step.kind })
      return restored(current, text)
    }
    return null
  }
}

/**
 * The change from `was` to `becomes` made in `current`; null when it changes nothing there, or when a colleague's
 * change since touched the same words (the merge would keep both rather than undo or redo it).
 */
function applied(was: string, becomes: string, current: string): string | null {
  const merged = mergeThreeWay(was, becomes, current)
  return merged.overlapped || merged.text === current ? null : merged.text
}

/** The caret after an undo or redo: at the end of what it changed, as the browser puts it. */
function restored(before: string, text: string): Restored {
  const region = regionOf(before, text)
  return { text, caret: region.start + region.insert.length }
}
