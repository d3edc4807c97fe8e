/**
 * This person's writes of the board's plain text fields, kept board-wide
 * rather than by the field on screen: a write that crossed a colleague's (both
 * made over the same value, the document keeps one) is merged back when the
 * colleague's arrives, though the person closed the inspector or chose
 * another item meanwhile (the field held it before, and with the field gone
 * the words went). A field that still holds typing merges into it itself
 * (CommitText), its typing holding the write.
 *
 * A crossing is merged by one page only (crossing-merger.ts): the page of the
 * write dropped, by its record here or its field's typing; another page only
 * when that one is gone (red team 39c), so that merges never cross the typing
 * that goes on and are merged again as new words (red team 40c).
 *
 * Also names the writer of a change merged (by the Yjs client id of the
 * write, which is the presence id of the page that made it), and keeps the
 * texts the board could not take: typing in a field whose entity was deleted,
 * and a write whose merge with a colleague's passes the field's limit.
 */
import * as Y from 'yjs'
import { crossingIn, mergeCrossing, type Crossing } from '../ui/crossed-writes.ts'
import { mergesHere } from '../ui/crossing-merger.ts'
import type { FieldWrite } from '../ui/field-write.ts'
import type { FieldListener, FieldNotice, FieldShape, PlainField, PlainFieldHost } from '../ui/plain-field.ts'
import { mergeThreeWay } from '../ui/three-way-merge.ts'
import type { UnsavedText } from './unsaved-texts.ts'

/** This person's writes of one field not yet seen written over: by write id, the value; `base` what the first was made over. */
type OwnWrites = { field: PlainField; shape: FieldShape; latest: string; values: Map<string, string>; base: string }

/**
 * How long a page waits before taking a dropped write's page for gone: the relay sends presence in batches, and a page
 * that has just (re)connected heard the others some moments after the document.
 */
const PRESENCE_SETTLES_MS = 3000

/** `typing`: kept from the field the person was typing in as it went, so the notice takes the focus it had. */
export type KeptText = UnsavedText & { id: number; typing: boolean }

export type PlainFieldWritesOptions = {
  /** The origin of this person's changes (ReactiveBoard.origin): their own writes are no colleague's. */
  origin: unknown
  /** The name of the person whose page has this client id, or null when not known (Presence.nameOfClient). */
  nameOf: (client: number) => string | null
  /** The client ids of the pages on the board that may write, this one's included (Presence): who merges a crossing. */
  writingPages: () => ReadonlySet<number>
  /** Tells the person something of a field no longer on screen. */
  tell: (message: string) => void
  /** The plain text field a map's key is, or null when it is none (ReactiveBoard.plainFieldAt). */
  fieldAt: (map: Y.Map<unknown>, key: string) => { field: PlainField; shape: FieldShape } | null
}

export class PlainFieldWrites implements PlainFieldHost {
  /** Texts the board could not take, newest first, each kept until dismissed. */
  kept = $state.raw<KeptText[]>([])
  readonly #doc: Y.Doc
  readonly #options: PlainFieldWritesOptions
  readonly #own = new Map<string, OwnWrites>()
  readonly #listeners = new Map<string, FieldListener>()
  /** Crossings waiting to see whether their dropped writes' pages are gone (#mergeIfGone). */
  readonly #waiting = new Set<ReturnType<typeof setTimeout>>()
  #next = 1

  constructor(doc: Y.Doc, options: PlainFieldWritesOptions) {
    this.#doc = doc
    this.#options = options
    doc.on('afterTransaction', this.#afterTransaction)
  }

  wrote(field: PlainField, shape: FieldShape, write: FieldWrite, value: string, over: string): void {
    const earlier = this.#own.get(field.key)
    const values = earlier?.values ?? new Map<string, string>()
    values.set(write.id, value)
    this.#own.set(field.key, { field, shape, latest: write.id, values, base: earlier?.base ?? over })
  }

  attach(key: string, listener: FieldListener): () => void {
    this.#listeners.set(key, listener)
    return () => {
      if (this.#listeners.get(key) === listener) this.#listeners.delete(key)
    }
  }

  writer(write: FieldWrite): string {
    return this.#options.nameOf(write.client) ?? 'A colleague'
  }

  lost(where: string, text: string): void {
    this.#keep(`${where}, deleted while you typed in it`, text, true)
  }

  dismiss(id: number): void {
    this.kept = this.kept.filter((text) => text.id !== id)
  }

  destroy(): void {
    this.#doc.off('afterTransaction', this.#afterTransaction)
    for (const timer of this.#waiting) clearTimeout(timer)
  }

  #keep(where: string, text: string, typing = false): void {
    this.kept = [{ id: this.#next++, where, text, typing }, ...this.kept]
  }

  readonly #afterTransaction = (transaction: Y.Transaction): void => {
    // This person's own writes (made through the store) are what is kept here, not changes over them.
    if (transaction.origin === this.#options.origin) return
    this.#mergeCrossings(transaction)
    for (const [key, own] of [...this.#own]) this.#follow(key, own)
  }

  /**
   * Writes of one field that crossed in this transaction (only the keys it touched), merged here when this page is the
   * one to merge them (mergesHere): the page of a write dropped merges it itself, and only when it is gone (closed, or
   * reloaded offline: its record of its own writes lost) does another.
   */
  #mergeCrossings(transaction: Y.Transaction): void {
    for (const [type, keys] of transaction.changed) {
      if (!(type instanceof Y.Map)) continue
      for (const key of keys) {
        if (key === null) continue
        const map = type as Y.Map<unknown>
        const found = this.#options.fieldAt(map, key)
        if (!found) continue
        // This person's own write dropped is merged back from their record of it (#follow), which knows what it was made over.
        const own = this.#own.get(found.field.key)
        if (own && own.latest !== found.field.write()?.id) continue
        const crossing = crossingIn(transaction, map, key)
        if (!crossing) continue
        // A dropped write whose page is present is merged there; the others are merged once their pages are surely gone.
        const pages = this.#options.writingPages()
        const absent = crossing.losers.filter((loser) => !pages.has(loser.client))
        if (absent.length > 0) this.#mergeIfGone(found.field, found.shape, { ...crossing, losers: absent })
      }
    }
  }

  /**
   * Merges the crossing's dropped writes whose pages are still not present a moment on, when this page is the one to
   * (mergesHere), into the field as it stands (the kept write's person may have typed on). Not at once: a page that has
   * just (re)connected gets the document before it hears who is present, and took a colleague typing there for gone.
   * Not over a write made meanwhile by another page than the kept write's: that may be the merge itself.
   */
  #mergeIfGone(field: PlainField, shape: FieldShape, crossing: Crossing): void {
    const timer = setTimeout(() => {
      this.#waiting.delete(timer)
      const pages = this.#options.writingPages()
      const me = this.#doc.clientID
      const losers = crossing.losers.filter((loser) => mergesHere({ kept: crossing.winnerClient, dropped: loser.client }, me, pages))
      const since = field.write()?.nearest((id) => id === crossing.winnerWrite || !id.startsWith(`${crossing.winnerClient}:`))
      if (losers.length === 0 || !field.exists() || since !== crossing.winnerWrite) return
      this.#mergeCrossing(field, shape, { ...crossing, winner: field.stored(), losers })
    }, PRESENCE_SETTLES_MS)
    this.#waiting.add(timer)
  }

  #mergeCrossing(field: PlainField, shape: FieldShape, crossing: Crossing): void {
    const merged = mergeCrossing(crossing, shape.multiline)
    if (merged.text === crossing.winner) return
    const named = (clients: number[]) => [...new Set(clients.map((client) => this.#options.nameOf(client) ?? 'A colleague'))].join(' and ')
    const dropped = named(crossing.losers.map((loser) => loser.client))
    if (merged.text.length > shape.maxlength) {
      for (const loser of crossing.losers) this.#keep(`${field.where()}: changes by ${dropped} crossed and together passed its limit of ${shape.maxlength} characters`, loser.text)
      return
    }
    field.save(merged.text)
    // Recorded as this person's write: should a colleague's cross it, this page merges it back (#follow), and no one else.
    const write = field.write()
    if (write) this.wrote(field, shape, write, merged.text, crossing.winner)
    if (crossing.winnerClient === this.#doc.clientID) {
      this.#notify(field.key, { kind: 'merged', by: dropped }, () => this.#options.tell(`${dropped} changed the ${field.where()} at the same time as you: both texts are kept.`))
      return
    }
    // Neither write was this page's: the person is told their page merged them, not that they wrote at the same time.
    const writers = named([crossing.winnerClient, ...crossing.losers.map((loser) => loser.client)])
    this.#notify(field.key, { kind: 'crossed', by: writers }, () => this.#options.tell(`${writers} changed the ${field.where()} at the same time: both texts are kept.`))
  }

  /** The field's write changed, or not: a colleague's made over this person's ends the keeping; one made alongside it is merged. */
  #follow(key: string, own: OwnWrites): void {
    const current = own.field.write()
    if (current?.id === own.latest) return
    this.#own.delete(key)
    if (!current || !own.field.exists() || own.values.has(current.id)) return
    // The nearest of this person's writes the stored one was made over, however many writes arrived at once (FieldWrite.nearest,
    // by writtenOver, the rule crossingIn tells crossings by): their latest, seen; an earlier one, or none, crossed by it.
    const from = current.nearest((id) => own.values.has(id))
    if (from === own.latest) return
    if (this.#listeners.get(key)?.editing()) return
    const base = from === null ? own.base : own.values.get(from)!
    const mine = own.values.get(own.latest)!
    const stored = own.field.stored()
    const merged = mergeThreeWay(base, mine, stored, own.shape.multiline)
    if (merged.text === stored) return
    const by = this.writer(current)
    if (merged.text.length > own.shape.maxlength) {
      this.#notify(key, { kind: 'too-long', by, text: mine }, () =>
        this.#keep(`${own.field.where()}: ${by}’s change and yours together passed its limit of ${own.shape.maxlength} characters`, mine),
      )
      return
    }
    own.field.save(merged.text)
    const write = own.field.write()
    if (write) this.wrote(own.field, own.shape, write, merged.text, stored)
    if (merged.overlapped) {
      this.#notify(key, { kind: 'merged', by }, () => this.#options.tell(`${by} changed the ${own.field.where()} at the same time as you: both texts are kept.`))
    }
  }

  /** Tells the field, where it is on screen; else the board tells. */
  #notify(key: string, notice: FieldNotice, offScreen: () => void): void {
    const listener = this.#listeners.get(key)
    if (listener) listener.told(notice)
    else offScreen()
  }
}
