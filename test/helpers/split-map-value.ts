/** A board stored before the relay refused a map's value of more than one unit: deleting its entity makes Yjs throw. */
import * as Y from 'yjs'
import { entity } from '../../shared/board-doc.ts'
import { craftedItems } from './crafted-update.ts'

/**
 * Cuts the assessment's `kind` in two: a six-character text stored as its value
 * (one item, as no Yjs client writes a map's value), and an item after its
 * third character, which Yjs deletes as it lands (a map keeps only its last
 * value) and which leaves "poi" standing, not deleted, before it. The relay
 * refuses it now (test/relay-board-layout.test.ts); a board stored before holds
 * it. Its kind reads as the text's last character, which is no kind, so every
 * model reads the card with its kind not assessed; its map is there, and
 * deleting it throws.
 */
export function splitMapValue(doc: Y.Doc, assessmentId: string, client: number): Uint8Array {
  const kind = entity(doc, 'assessments', assessmentId)!._map.get('kind')!
  return craftedItems({ client, clock: 0 }, [
    { place: { after: kind.lastId }, content: { string: 'poison' } },
    { place: { after: Y.createID(client, 2) }, content: { any: 0 } },
  ])
}
