import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addDocument, deleteDocument } from '../../shared/board-mutations.ts'
import { DELETED_ENTRIES_MAX_CHARS, DeletedEntries } from './deleted-entries.ts'

describe('what a room notes of the entries deleted from its board', () => {
  it('holds at most DELETED_ENTRIES_MAX_CHARS, the oldest notes going first, and none of a document larger than that', () => {
    const doc = new Y.Doc()
    const deleted = new DeletedEntries(doc)
    // Documents of 30% of the bound each: the fourth deleted pushes the first out.
    const text = (n: number) => `${n} `.padEnd(DELETED_ENTRIES_MAX_CHARS * 0.3, 'x')
    const ids = [0, 1, 2, 3].map((n) => addDocument(doc, { title: `Report ${n}`, text: text(n) }))
    for (const id of ids) deleteDocument(doc, id)
    expect(ids.map((id) => deleted.earlier('documents', id)?.['text'])).toEqual([undefined, text(1), text(2), text(3)])

    const huge = addDocument(doc, { title: 'Too large to note', text: 'x'.repeat(DELETED_ENTRIES_MAX_CHARS + 1) })
    deleteDocument(doc, huge)
    expect(deleted.earlier('documents', huge)).toBeUndefined()
    expect(deleted.earlier('documents', ids[3]!)?.['text']).toBe(text(3))
  })

  it('forgets an entry once one stands under its key again', () => {
    const doc = new Y.Doc()
    const deleted = new DeletedEntries(doc)
    const id = addDocument(doc, { title: 'Report', text: 'The convoy left at dawn.' })
    deleteDocument(doc, id)
    expect(deleted.earlier('documents', id)).toMatchObject({ text: 'The convoy left at dawn.' })
    doc.getMap('documents').set(id, new Y.Map())
    expect(deleted.earlier('documents', id)).toBeUndefined()
  })

  it('notes only strings, numbers and booleans: a text stored as an array or a map is not kept', () => {
    const doc = new Y.Doc()
    const deleted = new DeletedEntries(doc)
    const documents = doc.getMap('documents')
    // Stored before the relay refused them (server/relay/board-shape.ts): an array as wide as the bound, a map.
    const texts: [string, unknown][] = [['wide', Array.from({ length: DELETED_ENTRIES_MAX_CHARS }, () => ({}))], ['typed', new Y.Map()]]
    for (const [id, text] of texts) {
      const entry = new Y.Map<unknown>()
      documents.set(id, entry)
      entry.set('hash', id)
      entry.set('text', text)
      documents.delete(id)
      expect(deleted.earlier('documents', id), id).toEqual({ hash: id })
    }
  })
})
