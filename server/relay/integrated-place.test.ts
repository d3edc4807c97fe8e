/**
 * integratedOrigin scans as Item.integrate does, checked against Yjs itself:
 * an item typed after a letter that items of several clients went after at
 * the same moment (and one after one of them), by a copy that had seen each
 * subset of them (so naming each right origin a stock client can).
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText, initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { forgedUpdate } from '../../test/helpers/forged-update.ts'
import { AppliedText } from './applied-text.ts'
import { integratedOrigin } from './integrated-place.ts'

/** Clients that typed after the a at the same moment, in the order the board took them. */
const SIBLINGS = [5, 9, 3, 7]
const TYPIST = 6

describe('where Yjs puts an item among items of the same origin', () => {
  it('agrees with Yjs whichever of them the typist had seen', () => {
    const board = new Y.Doc()
    initBoardDoc(board, { title: 'Siblings' })
    const card = addAssessment(board, { title: 'Card', judgment: 'Plain az' })
    const base = Y.encodeStateAsUpdate(board)
    const siblings = SIBLINGS.map((client) => forgedUpdate(base, client, (doc) => assessmentText(doc, card, 'judgment').insert(7, `s${client}`)))
    // Client 8 typing after the 9's item, which it alone had seen: Item.integrate's second case.
    const afterNine = new Y.Doc()
    Y.applyUpdate(afterNine, base)
    Y.applyUpdate(afterNine, siblings[1]!)
    siblings.push(forgedUpdate(Y.encodeStateAsUpdate(afterNine), 8, (doc) => assessmentText(doc, card, 'judgment').insert(9, 'c')))
    afterNine.destroy()
    for (const sibling of siblings) Y.applyUpdate(board, sibling)

    for (let seen = 0; seen < 2 ** siblings.length; seen++) {
      const copy = new Y.Doc()
      Y.applyUpdate(copy, base)
      siblings.forEach((sibling, index) => (seen & (1 << index) ? Y.applyUpdate(copy, sibling) : undefined))
      const typed = forgedUpdate(Y.encodeStateAsUpdate(copy), TYPIST, (doc) => assessmentText(doc, card, 'judgment').insert(7, 't'))
      copy.destroy()
      const item = Y.decodeUpdate(typed).structs.find((struct): struct is Y.Item => struct instanceof Y.Item && struct.id.client === TYPIST)!
      const predicted = integratedOrigin(board, TYPIST, item.origin!, item.rightOrigin, new AppliedText(Y.decodeUpdate(typed).ds))

      const applied = new Y.Doc()
      Y.applyUpdate(applied, Y.encodeStateAsUpdate(board))
      Y.applyUpdate(applied, typed)
      const placed = Y.getItem(applied.store, item.id) as Y.Item
      const left = placed.left!
      expect(predicted, `seen ${seen}`).toEqual(Y.createID(left.id.client, left.id.clock + left.length - 1))
      applied.destroy()
    }
    board.destroy()
  })
})
