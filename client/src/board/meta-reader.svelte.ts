/** The board's meta (title, marking, key question, likelihood profile) and its BLUF as reactive plain values, read as the server reads them (readBoardSettings). */
import type * as Y from 'yjs'
import { readBoardSettings } from '../../../shared/board-convert.ts'
import { blufText, boardProfile, isBoardInitialized, metaMap } from '../../../shared/board-doc.ts'
import type { LikelihoodProfile } from '../../../shared/domain.ts'
import { ChangeSignal } from './change-signal.ts'

export type BoardMeta = { initialized: boolean; title: string; marking: string; question: string; profile: LikelihoodProfile; bluf: string }

export class MetaReader {
  readonly #doc: Y.Doc
  readonly #map: Y.Map<unknown>
  readonly #bluf: Y.Text
  #value: BoardMeta | null = null
  readonly #signal = new ChangeSignal()

  constructor(doc: Y.Doc) {
    this.#doc = doc
    this.#map = metaMap(doc)
    this.#bluf = blufText(doc)
    this.#map.observe(this.#onChange)
    this.#bluf.observe(this.#onChange)
  }

  get value(): BoardMeta {
    this.#signal.track()
    if (this.#value === null) {
      const { title, marking, question, bluf = '' } = readBoardSettings(this.#doc)
      this.#value = { initialized: isBoardInitialized(this.#doc), title, marking, question, profile: boardProfile(this.#doc), bluf }
    }
    return this.#value
  }

  destroy(): void {
    this.#map.unobserve(this.#onChange)
    this.#bluf.unobserve(this.#onChange)
  }

  readonly #onChange = (): void => {
    this.#value = null
    this.#signal.changed()
  }
}
