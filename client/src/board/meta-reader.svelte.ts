/** The board's meta (title, marking, key question, likelihood profile) as reactive plain values. */
import { createSubscriber } from 'svelte/reactivity'
import type * as Y from 'yjs'
import { boardProfile, isBoardInitialized, metaMap, readString } from '../../../shared/board-doc.ts'
import type { LikelihoodProfile } from '../../../shared/domain.ts'

export type BoardMeta = { initialized: boolean; title: string; marking: string; question: string; profile: LikelihoodProfile }

export class MetaReader {
  readonly #doc: Y.Doc
  readonly #map: Y.Map<unknown>
  #value: BoardMeta | null = null
  #notify: (() => void) | undefined
  readonly #subscribe = createSubscriber((update) => {
    this.#notify = update
    return () => {
      this.#notify = undefined
    }
  })

  constructor(doc: Y.Doc) {
    this.#doc = doc
    this.#map = metaMap(doc)
    this.#map.observe(this.#onChange)
  }

  get value(): BoardMeta {
    this.#subscribe()
    this.#value ??= {
      initialized: isBoardInitialized(this.#doc),
      title: readString(this.#map, 'title'),
      marking: readString(this.#map, 'marking'),
      question: readString(this.#map, 'question'),
      profile: boardProfile(this.#doc),
    }
    return this.#value
  }

  destroy(): void {
    this.#map.unobserve(this.#onChange)
  }

  readonly #onChange = (): void => {
    this.#value = null
    this.#notify?.()
  }
}
