/**
 * One collection of the board document as a reactive, sorted list of plain
 * entities. A change converts only the entities it touched (typing in one
 * judgment re-reads one assessment, not a thousand); the list is rebuilt on
 * the first read after a change, and Svelte learns of changes through a
 * ChangeSignal (createSubscriber).
 */
import type * as Y from 'yjs'
import { readEntity, type EntityModels } from '../../../shared/board-convert.ts'
import { collection, type Collection } from '../../../shared/board-doc.ts'
import type { UnrecognisedField } from '../../../shared/board-model.ts'
import { ChangeSignal } from './change-signal.ts'

export class CollectionReader<C extends Collection> {
  readonly #doc: Y.Doc
  readonly #name: C
  readonly #map: Y.Map<unknown>
  readonly #compare: (a: EntityModels[C], b: EntityModels[C]) => number
  readonly #items = new Map<string, EntityModels[C]>()
  /** The fields of each entity read as not assessed, for the entities that have any. */
  readonly #unrecognisedOf = new Map<string, readonly string[]>()
  #unrecognised: readonly UnrecognisedField[] = []
  /** Ids changed since the last read; null when every entity must be read again. */
  #dirty: Set<string> | null = null
  #list: EntityModels[C][] | null = null
  readonly #signal = new ChangeSignal()

  constructor(doc: Y.Doc, name: C, compare: (a: EntityModels[C], b: EntityModels[C]) => number) {
    this.#doc = doc
    this.#name = name
    this.#map = collection(doc, name)
    this.#compare = compare
    // Always observed (not only while something renders), so no change is missed between reads.
    this.#map.observeDeep(this.#onChange)
  }

  /** Every valid entity, sorted. The same array is returned until the collection changes. */
  get list(): readonly EntityModels[C][] {
    this.#signal.track()
    this.#list ??= this.#rebuild()
    return this.#list
  }

  /** The fields of its entities read as not assessed, since what they hold is no value their schema recognises (board-convert.ts). */
  get unrecognised(): readonly UnrecognisedField[] {
    void this.list
    return this.#unrecognised
  }

  destroy(): void {
    this.#map.unobserveDeep(this.#onChange)
  }

  readonly #onChange = (events: Y.YEvent<Y.AbstractType<unknown>>[]): void => {
    if (this.#dirty) {
      for (const event of events) {
        if (event.target === this.#map) {
          for (const key of event.changes.keys.keys()) this.#dirty.add(key)
        } else {
          const id = event.path[0]
          if (typeof id === 'string') this.#dirty.add(id)
        }
      }
    }
    this.#list = null
    this.#signal.changed()
  }

  #rebuild(): EntityModels[C][] {
    const ids = this.#dirty ?? this.#map.keys()
    if (!this.#dirty) this.#items.clear()
    if (!this.#dirty) this.#unrecognisedOf.clear()
    for (const id of ids) {
      const fields: string[] = []
      const item = readEntity(this.#doc, this.#name, id, (field) => fields.push(field))
      if (item) this.#items.set(id, item)
      else this.#items.delete(id)
      if (item && fields.length > 0) this.#unrecognisedOf.set(id, fields)
      else this.#unrecognisedOf.delete(id)
    }
    this.#dirty = new Set()
    this.#unrecognised = [...this.#unrecognisedOf].flatMap(([id, fields]) => fields.map((field) => ({ collection: this.#name, id, field })))
    return [...this.#items.values()].sort(this.#compare)
  }
}
