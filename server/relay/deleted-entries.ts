/**
 * What each entry deleted from the board held of the fields it keeps if it
 * comes back (entry-fields.ts), by collection and key, for as long as the
 * room is loaded. An undo brings a deleted entry back under its key, as a new
 * map that Yjs fills from the undoing client's copy; the relay makes it the
 * entry it was (stamped-fields.ts), whatever the client wrote. The room's
 * document cannot tell it: Yjs collects a deleted entry's values at the end of
 * the transaction that deleted it, and each collection's observer runs just
 * before, whoever deleted it (a client, the server's own change, or the
 * stored log as the room loads).
 */
import * as Y from 'yjs'
import { collection, COLLECTIONS, type Collection } from '../../shared/board-doc.ts'
import { heldKeptFields, type KeptFields } from './entry-fields.ts'

export class DeletedEntries {
  private readonly byCollection = new Map<Collection, Map<string, KeptFields>>()

  constructor(doc: Y.Doc) {
    for (const name of COLLECTIONS) {
      const map = collection(doc, name)
      const deleted = new Map<string, KeptFields>()
      this.byCollection.set(name, deleted)
      // Called when an entry comes or goes, never for a change within one (a keystroke).
      map.observe((event) => {
        for (const key of event.keysChanged) {
          const item = map._map.get(key)
          if (item?.deleted && item.content instanceof Y.ContentType && item.content.type instanceof Y.Map) {
            deleted.set(key, heldKeptFields(name, item.content.type as Y.Map<unknown>))
          } else deleted.delete(key)
        }
      })
    }
  }

  /** What the entry last deleted under `key` held, or undefined when the room has not seen it deleted. */
  earlier(name: Collection, key: string): KeptFields | undefined {
    return this.byCollection.get(name)!.get(key)
  }
}
