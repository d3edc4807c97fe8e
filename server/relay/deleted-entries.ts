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
 *
 * Only an entry that stood on the board is noted: a map created and deleted
 * within one update never stood there, and was never stamped, so what it held
 * is the sender's to forge (a client with its own collection off sent one
 * naming another member and 2001, then a map under the same key, which took
 * both). The notes are bounded (DELETED_ENTRIES_MAX_CHARS), the oldest going
 * first: an editor creating and deleting documents kept every text in memory
 * for as long as the room stayed loaded, and one whose text was an array of a
 * million empty objects, counted as one number, kept them all (a heap grown
 * to its limit). An entry brought back under a key
 * whose note is gone comes back as a new one would.
 */
import * as Y from 'yjs'
import { collection, COLLECTIONS, type Collection } from '../../shared/board-doc.ts'
import { heldKeptFields, stoodBefore, type KeptFields } from './entry-fields.ts'

/** The characters of kept strings one room notes at most (a number or a boolean counts as 8; no other value is kept: entry-fields.ts): some 2 MB. */
export const DELETED_ENTRIES_MAX_CHARS = 1_000_000

type Note = { fields: KeptFields; chars: number }

export class DeletedEntries {
  /** By collection and key, oldest first. */
  private readonly notes = new Map<string, Note>()
  private chars = 0

  constructor(doc: Y.Doc) {
    for (const name of COLLECTIONS) {
      const map = collection(doc, name)
      // Called when an entry comes or goes, never for a change within one (a keystroke).
      map.observe((event) => {
        // A load into the empty document (every entry of the board at once): nothing stood before it to note, nor is anything noted to forget.
        if (event.transaction.beforeState.size === 0 && this.notes.size === 0) return
        const { deleteSet } = event.transaction
        for (const key of event.keysChanged) {
          const current = map._map.get(key)
          if (current && !current.deleted) {
            this.forget(noteKey(name, key))
            continue
          }
          const stood = stoodBefore(event.transaction, current ?? null)
          if (stood && Y.isDeleted(deleteSet, stood.id) && stood.content instanceof Y.ContentType && stood.content.type instanceof Y.Map) {
            this.note(noteKey(name, key), heldKeptFields(name, stood.content.type as Y.Map<unknown>))
          }
        }
      })
    }
  }

  /** What the entry last deleted under `key` held, or undefined when the room has not seen it deleted (or no longer notes it). */
  earlier(name: Collection, key: string): KeptFields | undefined {
    return this.notes.get(noteKey(name, key))?.fields
  }

  private note(key: string, fields: KeptFields): void {
    this.forget(key)
    const chars = Object.values(fields).reduce<number>((sum, value) => sum + (typeof value === 'string' ? value.length : 8), key.length)
    if (chars > DELETED_ENTRIES_MAX_CHARS) return
    this.notes.set(key, { fields, chars })
    this.chars += chars
    for (const [oldest, { chars: oldestChars }] of this.notes) {
      if (this.chars <= DELETED_ENTRIES_MAX_CHARS) break
      this.notes.delete(oldest)
      this.chars -= oldestChars
    }
  }

  private forget(key: string): void {
    const note = this.notes.get(key)
    if (!note) return
    this.notes.delete(key)
    this.chars -= note.chars
  }
}

const noteKey = (name: Collection, key: string): string => `${name}\u0000${key}`
