/**
 * A plain text field of the board (a value stored whole, not a Y.Text) as
 * CommitText edits it, and the board-wide keeper of this person's writes of
 * such fields (PlainFieldWrites): it merges back a write a colleague's crossed
 * whether or not the field is still on screen, names the colleague whose
 * change was merged, and keeps typing whose entity went away.
 */
import { getContext, setContext } from 'svelte'
import type { FieldWrite } from './field-write.ts'

export type PlainField = {
  /** One field of one entity: `collection/id/key`. */
  readonly key: string
  /** Which write the stored value is; null when the key was never written or the entity is gone. */
  write(): FieldWrite | null
  /** The stored value, '' when there is none. */
  stored(): string
  exists(): boolean
  save(value: string): void
  /** What the field is, for a notice once it is off screen: "Analyst’s note of the claim “…”". */
  where(): string
}

/** How a field's texts merge: lines kept apart or not, and the most it holds. */
export type FieldShape = { multiline: boolean; maxlength: number }

/**
 * What the keeper tells a field on screen of a write it merged: 'merged' a write of this person's and `by`'s,
 * 'crossed' writes of others (`by`) that crossed, which this page merged as theirs were gone.
 */
export type FieldNotice = { kind: 'merged'; by: string } | { kind: 'crossed'; by: string } | { kind: 'too-long'; by: string; text: string }

/** A field on screen, as the keeper asks it. */
export type FieldListener = {
  /** The field holds typing: it merges a colleague's change into it itself. */
  editing(): boolean
  told(notice: FieldNotice): void
}

export interface PlainFieldHost {
  /** This person wrote `value` over `over`, as the write `write`. */
  wrote(field: PlainField, shape: FieldShape, write: FieldWrite, value: string, over: string): void
  /** The field on screen: returns how to leave. */
  attach(key: string, listener: FieldListener): () => void
  /** Who made a write: a colleague's name, or "A colleague" when not known. */
  writer(write: FieldWrite): string
  /** The field's entity went away with typing in it not saved (`where` as PlainField's): kept for the person to copy. */
  lost(where: string, text: string): void
}

const KEY = Symbol('plain-field-host')

export function providePlainFields(host: PlainFieldHost): void {
  setContext(KEY, host)
}

export function usePlainFields(): PlainFieldHost {
  const host = getContext<PlainFieldHost | undefined>(KEY)
  if (!host) throw new Error('usePlainFields() outside a live board')
  return host
}
