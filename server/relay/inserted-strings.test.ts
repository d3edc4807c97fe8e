import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { walkInsertedValues } from './validate-update.ts'

/** The structs of the one update that `change` makes to a fresh document. */
function structsOf(change: (doc: Y.Doc) => void): ReturnType<typeof Y.decodeUpdate>['structs'] {
  const doc = new Y.Doc()
  let update: Uint8Array | null = null
  doc.on('update', (made: Uint8Array) => (update = made))
  change(doc)
  doc.destroy()
  return Y.decodeUpdate(update!).structs
}

describe('walkInsertedValues on items that hold strings only', () => {
  it('reads the text, the root type named and the key, in that order', () => {
    expect(walkInsertedValues(structsOf((doc) => doc.getText('fine').insert(0, 'plain'))).found).toBeNull()
    expect(walkInsertedValues(structsOf((doc) => doc.getText('fine').insert(0, 'bell\u0007'))).found).toEqual({ kind: 'text', what: 'U+0007' })
    expect(walkInsertedValues(structsOf((doc) => doc.getText('root\uFFFE').insert(0, 'plain'))).found).toEqual({ kind: 'text', what: 'U+FFFE' })
    // The text before the root's name, as the walk of plain values read them.
    expect(walkInsertedValues(structsOf((doc) => doc.getText('root\uFFFE').insert(0, 'bell\u0007'))).found).toEqual({ kind: 'text', what: 'U+0007' })
    // A type under a key: no string content, the key read.
    expect(walkInsertedValues(structsOf((doc) => doc.getMap('settings').set('key\u0007', new Y.Text()))).found).toEqual({ kind: 'text', what: 'U+0007' })
  })

  it('counts no plain values for them, and still walks those of the items that hold some', () => {
    const structs = structsOf((doc) =>
      doc.transact(() => {
        doc.getText('fine').insert(0, 'plain')
        doc.getMap('settings').set('list', ['a', 'b', 'c'])
      }),
    )
    // The map's value is one element of its ContentAny, and the array it is holds three.
    expect(walkInsertedValues(structs)).toEqual({ values: 4, found: null })
  })
})
