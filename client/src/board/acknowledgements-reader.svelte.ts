/** The board's acknowledgements of check findings as a reactive list (the document's `acknowledgements` map). */
import type * as Y from 'yjs'
import { readAcknowledgements } from '../../../shared/board-convert.ts'
import { acknowledgementsMap } from '../../../shared/board-doc.ts'
import type { AcknowledgementModel } from '../../../shared/board-model.ts'
import { ChangeSignal } from './change-signal.ts'

export class AcknowledgementsReader {
  readonly #doc: Y.Doc
  readonly #map: Y.Map<unknown>
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
    this.#list ??= readAcknowledgements(this.#doc)
    return this.#list
  }

  destroy(): void {
    this.#map.unobserve(this.#onChange)
  }

  readonly #onChange = (): void => {
    this.#list = null
    this.#signal.changed()
  }
}
