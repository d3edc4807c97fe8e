import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { entity } from './board-doc.ts'
import { addAssessment, deleteAssessment, updateAssessment } from './board-mutations.ts'
import { boardUndoManager } from './board-undo.ts'
import { localOrigin } from './change-origin.ts'

describe("the browser's undo of a board", () => {
  it('brings a deleted card back with every field its schema names and without the keys it does not, however their items lie', () => {
    const doc = new Y.Doc()
    const card = addAssessment(doc, { title: 'A build-up is under way', kind: 'key-judgment', tags: ['rail'] })
    // One writer's items in a row: a named field, an unnamed key, a named field, so the undo step's range is cut in the middle.
    entity(doc, 'assessments', card)!.set('zz', 'junk')
    updateAssessment(doc, card, { status: 'final' })
    entity(doc, 'assessments', card)!.set('colour', 'red')
    updateAssessment(doc, card, { likelihood: 4 })

    const origin = localOrigin()
    const undo = boardUndoManager(doc, origin)
    deleteAssessment(doc, card, { origin })
    expect(entity(doc, 'assessments', card)).toBeUndefined()
    undo.undo()

    const back = entity(doc, 'assessments', card)!
    expect(back.get('title')?.toString()).toBe('A build-up is under way')
    expect([back.get('kind'), back.get('status'), back.get('likelihood'), back.get('tags')]).toEqual(['key-judgment', 'final', 4, ['rail']])
    expect([back.has('zz'), back.has('colour')]).toEqual([false, false])
    // And the redo deletes it again.
    undo.redo()
    expect(entity(doc, 'assessments', card)).toBeUndefined()
  })

  it('merges steps as Yjs does, leaving such keys out of the merged step too', () => {
    const doc = new Y.Doc()
    const [first, second] = [addAssessment(doc, { title: 'One' }), addAssessment(doc, { title: 'Two' })]
    entity(doc, 'assessments', first)!.set('zz', 'junk')
    entity(doc, 'assessments', second)!.set('zz', 'junk')
    const origin = localOrigin()
    const undo = boardUndoManager(doc, origin)
    deleteAssessment(doc, first, { origin })
    deleteAssessment(doc, second, { origin })
    expect(undo.undoStack).toHaveLength(1)
    undo.undo()
    expect([first, second].map((id) => [entity(doc, 'assessments', id)?.get('title')?.toString(), entity(doc, 'assessments', id)?.has('zz')])).toEqual([
      ['One', false],
      ['Two', false],
    ])
  })
})
