import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { craftedItem } from '../../test/helpers/crafted-update.ts'
import { rewrittenId } from './rewritten-ids.ts'

const CLIENT = 42

/** The update `edit` makes under `CLIENT` to a doc holding `base` (written by other clients: Yjs draws a new id for a doc handed its own). */
function written(edit: (doc: Y.Doc) => void, base: Uint8Array): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = CLIENT
  Y.applyUpdate(doc, base)
  const before = Y.encodeStateVector(doc)
  edit(doc)
  return Y.encodeStateAsUpdate(doc, before)
}

/** The board another instance holds: a doc of another client that took `updates`. */
function held(...updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc()
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc
}

/** rewrittenId of an update's bytes, as the room decodes them once. */
const rewrittenIn = (update: Uint8Array, doc: Y.Doc) => rewrittenId(Y.decodeUpdate(update), doc)

describe('rewrittenId', () => {
  it('passes the same content arriving again, however the doc has split, merged or collected it since', () => {
    const typed = new Y.Doc()
    typed.clientID = CLIENT
    const keystrokes: Uint8Array[] = []
    typed.on('update', (update: Uint8Array) => keystrokes.push(update))
    for (const char of 'hello world') typed.getText('text').insert(typed.getText('text').length, char)
    typed.getMap('map').set('status', 'open')
    // Held keystroke by keystroke, then cut and partly deleted by someone else.
    const doc = held(...keystrokes)
    doc.getText('text').insert(5, ',')
    doc.getText('text').delete(0, 3)
    // A client resending its whole state (one merged item), a log row arriving again, a keystroke again.
    expect(rewrittenIn(Y.encodeStateAsUpdate(typed), doc)).toBeNull()
    expect(rewrittenIn(Y.mergeUpdates(keystrokes), doc)).toBeNull()
    expect(rewrittenIn(keystrokes[4]!, doc)).toBeNull()
    // Content this doc has not got yet rewrites nothing.
    const before = Y.encodeStateVector(typed)
    typed.getText('text').insert(0, 'new')
    expect(rewrittenIn(Y.encodeStateAsUpdate(typed, before), doc)).toBeNull()
  })

  it('names an id written with other characters, placed elsewhere, or as another kind of content', () => {
    const other = new Y.Doc()
    other.getText('text').insert(0, 'abc')
    const base = Y.encodeStateAsUpdate(other)
    const doc = held(base, written((d) => d.getText('text').insert(3, 'xyz'), base))
    expect(rewrittenIn(written((d) => d.getText('text').insert(3, 'xyz'), base), doc)).toBeNull()
    expect(rewrittenIn(written((d) => d.getText('text').insert(3, 'xyZ'), base), doc)).toEqual(Y.createID(CLIENT, 0))
    expect(rewrittenIn(written((d) => d.getText('text').insert(1, 'xyz'), base), doc)).toEqual(Y.createID(CLIENT, 0))
    expect(rewrittenIn(written((d) => d.getText('other').insert(0, 'xyz'), base), doc)).toEqual(Y.createID(CLIENT, 0))
    expect(rewrittenIn(written((d) => d.getMap('map').set('key', 'xyz'), base), doc)).toEqual(Y.createID(CLIENT, 0))
    expect(rewrittenIn(written((d) => d.getText('text').insert(3, 'xyz', { bold: true }), base), doc)).toEqual(Y.createID(CLIENT, 0))
    // Sent as deleted, what the doc shows must be deleted by the same update, as when a client resends what it deleted since.
    const sender = held(base, written((d) => d.getText('text').insert(3, 'xyz'), base))
    sender.getText('text').delete(3, 3)
    expect(rewrittenIn(Y.encodeStateAsUpdate(sender), doc)).toBeNull()
    const deletedHere = craftedItem({ client: CLIENT, clock: 0 }, { after: Y.createID(other.clientID, 2) }, { deleted: 3 })
    expect(rewrittenIn(deletedHere, doc)).toEqual(Y.createID(CLIENT, 0))
    // Placed by no neighbour, content is told apart by its parent alone: the type, and the map's key.
    const inEmpty = held(base, written((d) => d.getText('empty').insert(0, 'xyz'), base))
    expect(rewrittenIn(written((d) => d.getText('empty').insert(0, 'xyz'), base), inEmpty)).toBeNull()
    expect(rewrittenIn(written((d) => d.getText('other').insert(0, 'xyz'), base), inEmpty)).toEqual(Y.createID(CLIENT, 0))
    const inMap = held(base, written((d) => d.getMap('map').set('a', 'xyz'), base))
    expect(rewrittenIn(written((d) => d.getMap('map').set('a', 'xyz'), base), inMap)).toBeNull()
    expect(rewrittenIn(written((d) => d.getMap('map').set('b', 'xyz'), base), inMap)).toEqual(Y.createID(CLIENT, 0))
  })
})
