import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText, blufText, initBoardDoc } from './board-doc.ts'
import { addAssessment, deleteAssessment, updateAssessment } from './board-mutations.ts'
import { replaceText } from './replace-text.ts'
import { dropNonStringContent, dropNonStringContentEverywhere, hasNonStringContent, sharedTexts, textsWithNonStringContent } from './plain-text.ts'

function board(): { doc: Y.Doc; id: string } {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Plain' })
  const id = addAssessment(doc, { title: 'Title', judgment: 'Judged' })
  return { doc, id }
}

/** Every kind of content a Y.Text takes besides characters, put into `text`. */
function spoil(text: Y.Text): void {
  text.insertEmbed(2, { image: 'x' })
  text.format(0, 1, { bold: true })
  text.insert(0, 'Loud ', { italic: true })
  text.insertEmbed(0, new Y.Map())
  text.insertEmbed(0, new Y.Text('inner'))
  text.setAttribute('colour', 'red')
}

describe('plain text', () => {
  it('finds content other than characters, and not deleted characters or plain ones', () => {
    const { doc, id } = board()
    const judgment = assessmentText(doc, id, 'judgment')
    expect(hasNonStringContent(judgment)).toBe(false)
    judgment.delete(0, 2)
    expect(hasNonStringContent(judgment)).toBe(false)
    judgment.insertEmbed(0, { x: 1 })
    expect(hasNonStringContent(judgment)).toBe(true)
    const attributed = blufText(doc)
    attributed.setAttribute('colour', 'red')
    expect(hasNonStringContent(attributed)).toBe(true)
  })

  it('drops every such item and keeps the characters in order, their ids with them', () => {
    const { doc, id } = board()
    const judgment = assessmentText(doc, id, 'judgment')
    const firstId = judgment._start!.id
    spoil(judgment)
    expect(judgment.length).not.toBe(judgment.toString().length)
    expect(dropNonStringContent(judgment)).toBeGreaterThan(0)
    expect(judgment.toString()).toBe('Loud Judged')
    expect(judgment.toDelta()).toEqual([{ insert: 'Loud Judged' }])
    expect(judgment.length).toBe('Loud Judged'.length)
    expect(judgment.getAttributes()).toEqual({})
    expect(Y.getItem(doc.store, firstId).deleted).toBe(false)
    expect(dropNonStringContent(judgment)).toBe(0)
  })

  it('finds every shared text of a freshly loaded board, whose roots are untyped, and cleans them all in one transaction with its origin', () => {
    const { doc, id } = board()
    spoil(assessmentText(doc, id, 'title'))
    spoil(blufText(doc))
    const loaded = new Y.Doc()
    Y.applyUpdate(loaded, Y.encodeStateAsUpdate(doc))
    expect(sharedTexts(loaded)).toHaveLength(3)
    const origin = { source: 'server', by: 'text-cleanup' } as const
    const transactions: unknown[] = []
    loaded.on('afterTransaction', (transaction) => transactions.push(transaction.origin))
    expect(dropNonStringContentEverywhere(loaded, origin)).toBeGreaterThan(0)
    expect(transactions).toEqual([origin])
    expect(sharedTexts(loaded).filter(hasNonStringContent)).toEqual([])
    expect(assessmentText(loaded, id, 'title').toString()).toBe('Loud Title')
    expect(dropNonStringContentEverywhere(loaded, origin)).toBe(0)
    expect(transactions).toHaveLength(1)
  })

  it('finds, in one pass over the items, the very texts the walk from the roots finds holding other content', () => {
    const { doc, id } = board()
    const judgment = assessmentText(doc, id, 'judgment')
    judgment.insertEmbed(0, { x: 1 })
    // A text within a text goes with the content that holds it, spoiled or not; the walk does not look inside.
    const inner = new Y.Text('inner')
    assessmentText(doc, id, 'title').insertEmbed(0, inner)
    inner.insertEmbed(0, { y: 2 })
    blufText(doc).setAttribute('colour', 'red')
    // Spoiled, then deleted with its entry: nothing of it stands.
    const gone = addAssessment(doc, { title: 'Gone', judgment: 'Gone' })
    assessmentText(doc, gone, 'judgment').insertEmbed(0, { z: 3 })
    deleteAssessment(doc, gone)
    // A root of a kind the board does not read as a text; neither pass reads it as one.
    doc.getText('stray').insertEmbed(0, { w: 4 })
    const plain = addAssessment(doc, { title: 'Plain', judgment: 'Plain' })
    assessmentText(doc, plain, 'judgment').insert(0, 'still ')
    const loaded = new Y.Doc()
    Y.applyUpdate(loaded, Y.encodeStateAsUpdate(doc))
    const walked = sharedTexts(loaded).filter(hasNonStringContent)
    expect(walked).toHaveLength(3)
    const found = textsWithNonStringContent(loaded)
    expect(found).toHaveLength(3)
    for (const text of walked) expect(found).toContain(text)
  })

  it('lets an edit by the HTTP API land where meant in a text that held an embed', () => {
    const { doc, id } = board()
    const judgment = assessmentText(doc, id, 'judgment')
    judgment.insertEmbed(0, { image: 'x' })
    updateAssessment(doc, id, { judgment: 'Judged again' })
    expect(judgment.toDelta()).toEqual([{ insert: 'Judged again' }])
    replaceText(judgment, 'Re-judged again')
    expect(judgment.toString()).toBe('Re-judged again')
  })
})
