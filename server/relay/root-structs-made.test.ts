import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { addAssessment, deleteAssessment } from '../../shared/board-mutations.ts'
import { blufText, metaMap } from '../../shared/board-doc.ts'
import { deadRootStructs } from './dead-root-structs.ts'
import { rootStructsMade } from './root-structs-made.ts'

/** The root structs each transaction of `changes` made, as the relay charges them. */
function madeBy(doc: Y.Doc, changes: (() => void)[]): number[] {
  const made: number[] = []
  const count = (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => made.push(rootStructsMade(transaction))
  doc.on('update', count)
  for (const change of changes) doc.transact(change)
  doc.off('update', count)
  return made
}

/** A document whose bottom line holds `text`, applied as another page's change: none of it this document's own. */
function withBottomLine(text: string): { doc: Y.Doc; bluf: Y.Text } {
  const other = new Y.Doc()
  blufText(other).insert(0, text)
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
  return { doc, bluf: blufText(doc) }
}

it('characters typed backwards count as they are typed, one each; deleting them, whoever does, counts none', () => {
  const doc = new Y.Doc()
  const bluf = blufText(doc)
  const backwards = () => {
    for (let i = 0; i < 50; i++) bluf.insert(0, 'x')
  }
  expect(madeBy(doc, [backwards])).toEqual([50])
  const colleague = new Y.Doc()
  Y.applyUpdate(colleague, Y.encodeStateAsUpdate(doc))
  expect(madeBy(colleague, [() => blufText(colleague).delete(0, 50)])).toEqual([0])
  expect(deadRootStructs(colleague).structs).toBe(50)
})

it('characters typed forwards, one change each, count one for the run; a run of backspaces one for the cut', () => {
  const doc = new Y.Doc()
  const bluf = blufText(doc)
  const keystrokes = [...'Typed forwards.'].map((character) => () => bluf.insert(bluf.length, character))
  expect(madeBy(doc, keystrokes)).toEqual([1, ...Array<number>(14).fill(0)])
  const backspaces = Array.from({ length: 10 }, () => () => bluf.delete(bluf.length - 1, 1))
  expect(madeBy(doc, backspaces)).toEqual([1, ...Array<number>(9).fill(0)])
  expect(deadRootStructs(doc).structs).toBe(1)
  // Typed on after the backspaces: a run that merges into the deleted characters once it is deleted too.
  const retyped = [...'again'].map((character) => () => bluf.insert(bluf.length, character))
  expect(madeBy(doc, retyped)).toEqual([0, 0, 0, 0, 0])
  expect(madeBy(doc, [() => bluf.delete(0, bluf.length)])).toEqual([0])
  expect(deadRootStructs(doc).structs).toBe(1)
})

it('a deletion inside a run counts the two cuts, one at its start or end one; a whole run none', () => {
  const middle = withBottomLine('A whole sentence someone else typed.')
  expect(madeBy(middle.doc, [() => middle.bluf.delete(2, 5)])).toEqual([2])
  const start = withBottomLine('A whole sentence someone else typed.')
  expect(madeBy(start.doc, [() => start.bluf.delete(0, 8)])).toEqual([1])
  const whole = withBottomLine('A whole sentence someone else typed.')
  expect(madeBy(whole.doc, [() => whole.bluf.delete(0, whole.bluf.length)])).toEqual([0])
})

it('a character typed inside another page’s run counts itself and the cut', () => {
  const { doc, bluf } = withBottomLine('A whole sentence.')
  expect(madeBy(doc, [() => bluf.insert(7, 'new '), () => bluf.insert(11, 'typed ')])).toEqual([2, 0])
})

it('a setting counts as it is set; a card as it is added, not as it is deleted', () => {
  const doc = new Y.Doc()
  const meta = metaMap(doc)
  expect(madeBy(doc, [() => meta.set('title', 'One'), () => meta.set('question', 'Two'), () => meta.set('title', 'Three')])).toEqual([1, 1, 1])
  let cardId = ''
  expect(madeBy(doc, [() => (cardId = addAssessment(doc, { title: 'A card', judgment: 'Its words' }))])).toEqual([1])
  expect(madeBy(doc, [() => deleteAssessment(doc, cardId)])).toEqual([0])
  const dead = deadRootStructs(doc)
  expect(dead.structs).toBe(2)
  // Each the first value of its key: its kind, that it names its root, its root's name and its key (each after its length), its length.
  const firstOfKey = (root: string, key: string) => 1 + 1 + (1 + root.length) + (1 + key.length) + 1
  expect(dead.bytes).toBe(firstOfKey('meta', 'title') + firstOfKey('assessments', cardId))
})
