/**
 * An update written under a client id of the test's choosing, as a hostile
 * client would send it: the board `base` copied into a new doc, which then
 * takes `clientId` and makes `edit`. The id is set after the copy: Yjs draws a
 * new one for a doc that applies an update holding its own.
 */
import * as Y from 'yjs'

export function forgedUpdate(base: Uint8Array, clientId: number, edit: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, base)
  doc.clientID = clientId
  const before = Y.encodeStateVector(doc)
  edit(doc)
  const update = Y.encodeStateAsUpdate(doc, before)
  doc.destroy()
  return update
}
