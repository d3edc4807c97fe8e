/**
 * The browser's undo of a board: what its person did (changes made with
 * `origin`), on the board's settings, collections, acknowledgements and
 * bottom line.
 *
 * Undoing a deletion sets again, as new items, every key the deleted entry
 * held. An entry of a board stored before the relay refused keys its schema
 * does not name may have held one (`colour`, `zz`): deleted before the server
 * took such keys away (the page open across the upgrade, or offline), its
 * undo set the key again, the relay refused the whole update (4422), and the
 * page, its offline copy sending it again at every visit, could save nothing
 * more. So the deletions an undo step keeps leave such keys out as the step
 * is recorded: the entry comes back with the fields every reader shows.
 */
import * as Y from 'yjs'
import { acknowledgementsMap, blufText, collection, COLLECTIONS, metaMap } from './board-doc.ts'
import type { ChangeOrigin } from './change-origin.ts'
import { isUnnamedEntryKey } from './entry-keys.ts'

type DeleteSet = Y.UndoManager['undoStack'][number]['deletions']

export function boardUndoManager(doc: Y.Doc, origin: ChangeOrigin): Y.UndoManager {
  const undoManager = new Y.UndoManager([metaMap(doc), ...COLLECTIONS.map((name) => collection(doc, name)), acknowledgementsMap(doc), blufText(doc)], {
    trackedOrigins: new Set([origin]),
  })
  // Replaced, never changed in place: a new step's deletions are its transaction's, which Yjs encodes into the update after this.
  const leaveOutUnnamedKeys = ({ stackItem }: { stackItem: { deletions: DeleteSet } }) => {
    stackItem.deletions = withoutUnnamedKeys(doc, stackItem.deletions)
  }
  undoManager.on('stack-item-added', leaveOutUnnamedKeys)
  undoManager.on('stack-item-updated', leaveOutUnnamedKeys)
  return undoManager
}

/** `deletions` without the items standing under keys of entries that their schema does not name; `deletions` itself when it holds none. */
function withoutUnnamedKeys(doc: Y.Doc, deletions: DeleteSet): DeleteSet {
  const kept = Y.createDeleteSet()
  let left = false
  for (const [client, ranges] of deletions.clients) {
    const structs = doc.store.clients.get(client)
    const keptRanges: { clock: number; len: number }[] = []
    for (const { clock, len } of ranges) {
      const end = clock + len
      if (!structs || structs.length === 0 || clock >= structs[structs.length - 1]!.id.clock + structs[structs.length - 1]!.length) {
        keptRanges.push({ clock, len })
        continue
      }
      for (let index = Y.findIndexSS(structs, clock); index < structs.length && structs[index]!.id.clock < end; index++) {
        const struct = structs[index]!
        const from = Math.max(clock, struct.id.clock)
        const to = Math.min(end, struct.id.clock + struct.length)
        if (struct instanceof Y.Item && isUnnamedEntryKey(doc, struct)) {
          left = true
          continue
        }
        const last = keptRanges[keptRanges.length - 1]
        if (last && last.clock + last.len === from) last.len += to - from
        else keptRanges.push({ clock: from, len: to - from })
      }
    }
    if (keptRanges.length > 0) kept.clients.set(client, keptRanges)
  }
  return left ? kept : deletions
}
