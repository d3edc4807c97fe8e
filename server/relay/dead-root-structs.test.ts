import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { addAssessment, deleteAssessment } from '../../shared/board-mutations.ts'
import { blufText, metaMap } from '../../shared/board-doc.ts'
import { deadRootStructs, deadRootStructsMade } from './dead-root-structs.ts'

/** The dead root structs each transaction of `changes` made, as the relay charges them. */
function madeBy(doc: Y.Doc, changes: (() => void)[]): number[] {
  const made: number[] = []
  const count = (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => made.push(deadRootStructsMade(transaction))
  doc.on('update', count)
  for (const change of changes) doc.transact(change)
  doc.off('update', count)
  return made
}

it('characters typed backwards and deleted leave a dead root struct each; a run of backspaces, one change each, leaves one', () => {
  const doc = new Y.Doc()
  const bluf = blufText(doc)
  const backwards = () => {
    for (let i = 0; i < 50; i++) bluf.insert(0, 'x')
  }
  expect(madeBy(doc, [backwards, () => bluf.delete(0, 50)])).toEqual([0, 50])
  bluf.insert(0, 'Typed forwards.')
  const backspaces = Array.from({ length: 10 }, () => () => bluf.delete(bluf.length - 1, 1))
  expect(madeBy(doc, backspaces)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
  expect(deadRootStructs(doc).structs).toBe(51)
})

it('a setting set again leaves its last value; a deleted card leaves its entry, not what it held', () => {
  const doc = new Y.Doc()
  const meta = metaMap(doc)
  expect(madeBy(doc, [() => meta.set('title', 'One'), () => meta.set('question', 'Two'), () => meta.set('title', 'Three')])).toEqual([0, 0, 1])
  let cardId = ''
  madeBy(doc, [() => (cardId = addAssessment(doc, { title: 'A card', judgment: 'Its words' }))])
  expect(madeBy(doc, [() => deleteAssessment(doc, cardId)])).toEqual([1])
  const dead = deadRootStructs(doc)
  expect(dead.structs).toBe(2)
  // Each the first value of its key: its kind, that it names its root, its root's name and its key (each after its length), its length.
  const firstOfKey = (root: string, key: string) => 1 + 1 + (1 + root.length) + (1 + key.length) + 1
  expect(dead.bytes).toBe(firstOfKey('meta', 'title') + firstOfKey('assessments', cardId))
})
