/** Checks entityInModel against boardToModel: each entity the document holds, read alone, is exactly what the model holds under its id, or null when the model leaves it out. */
import { expect } from 'vitest'
import type * as Y from 'yjs'
import { entityInModel } from '../../shared/board-convert.ts'
import { COLLECTIONS } from '../../shared/board-doc.ts'
import type { BoardModel } from '../../shared/board-model.ts'

export function expectEachEntityAsPlaced(doc: Y.Doc, model: BoardModel): void {
  for (const name of COLLECTIONS) {
    for (const id of doc.getMap(name).keys()) {
      // A link set aside for an earlier one of its pair is placed among the model's setAsideLinks (shared/link-pairs.ts).
      const held: { id: string }[] = name === 'links' ? [...model.links, ...(model.setAsideLinks ?? [])] : model[name]
      const placed = held.find((item) => item.id === id) ?? null
      expect(entityInModel(doc, name, id), `${name} ${id}`).toEqual(placed)
    }
  }
}
