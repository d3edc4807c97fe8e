/**
 * The board's acknowledgements of check findings as a reactive list (the
 * document's `acknowledgements` map). A change re-reads only the keys it
 * touched and keeps every other acknowledgement as the same object, so the
 * findings it applies to elsewhere are kept as they are.
 */
import type * as Y from 'yjs'
import { byAcknowledgementOrder, readAcknowledgement } from '../../../shared/board-convert.ts'
import { acknowledgementsMap } from '../../../shared/board-doc.ts'
import type { AcknowledgementModel } from '../../../shared/board-model.ts'
import { ChangeSignal } from './change-signal.ts'

export class AcknowledgementsReader {
  readonly #doc: Y.Doc
  readonly #map: Y.Map<unknown>
  readonly #byKey = new Map<string, AcknowledgementModel>()
  /** Keys changed since the last read; null when every key must be read again. */
  #dirty: Set<string> | null = null
  #list: AcknowledgementModel[] | null = null
  readonly #signal = new ChangeSignal()

  constructor(doc: Y.Doc) {
    this.#doc = doc
    this.#map = acknowledgementsMap(doc)
    this.#map.observe(this.#onChange)
  }

  /** By creation time; the same array until the map changes. */
  get list(): readonly AcknowledgementModel[] {
    this.#signal.track()
    this.#list ??= this.#rebuild()
    return this.#list
  }

  destroy(): void {
    this.#map.unobserve(this.#onChange)
  }

  readonly #onChange = (event: Y.YMapEvent<unknown>): void => {
    if (this.#dirty) for (const key of event.keysChanged) this.#dirty.add(key)
    this.#list = null
    this.#signal.changed()
  }

  #rebuild(): AcknowledgementModel[] {
    const keys = this.#dirty ?? this.#map.keys()
    if (!this.#dirty) this.#byKey.clear()
    for (const key of keys) {
      const acknowledgement = readAcknowledgement(this.#doc, key)
      if (acknowledgement) this.#byKey.set(key, acknowledgement)
      else this.#byKey.delete(key)
    }
    this.#dirty = new Set()
    return [...this.#byKey.values()].sort(byAcknowledgementOrder)
  }
}
