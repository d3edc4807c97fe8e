/**
 * What an offline page sends after typing characters backwards at one place
 * of a text, unseen by other pages: each character an item Yjs cannot merge,
 * all with the same origin, so that pages doing it at one place make Yjs walk
 * each other's characters (server/relay/integration-steps.ts).
 */
import * as Y from 'yjs'

/** The update of a page of `client`, which saw only `seen`, after typing `chars` characters backwards at `at` of `text`. */
export function typedBackwards(seen: Uint8Array, client: number, chars: number, text: (doc: Y.Doc) => Y.Text, at: number): Uint8Array {
  const page = new Y.Doc()
  page.clientID = client
  Y.applyUpdate(page, seen)
  const before = Y.encodeStateVector(page)
  for (let i = 0; i < chars; i++) text(page).insert(at, 'x')
  return Y.encodeStateAsUpdate(page, before)
}
