/**
 * The awareness the shared text editors draw other people's cursors from.
 * y-codemirror.next paints every state's `cursor` with the `user.color` and
 * `user.colorLight` the sender published: a reviewer's forged cursor showed
 * her caret in everyone's editors, and a selection colour sent opaque
 * (`#111111ff`) covered the text it selected in every editor's field (red
 * team 33b). This view hands the editors only the cursors of people who may
 * edit, painted in the colour this page assigned them (their avatar's), the
 * selection that colour at a fifth: what a member publishes paints nothing.
 */
import type { Awareness } from 'y-protocols/awareness'

/** What y-codemirror.next uses of an awareness. */
export type CursorAwareness = Pick<Awareness, 'doc' | 'on' | 'off' | 'getLocalState' | 'setLocalStateField' | 'getStates'>

/** Someone else on the board as this page shows them. */
export type CursorOwner = { clientId: number; name: string; color: string; readOnly: boolean }

/** The selection's alpha appended to a `#rrggbb` colour: a fifth, as y-codemirror's own default. */
const SELECTION_ALPHA = '33'

export function remoteCursors(awareness: Awareness, others: () => readonly CursorOwner[]): CursorAwareness {
  return {
    get doc() {
      return awareness.doc
    },
    on: (name, listener) => awareness.on(name, listener),
    off: (name, listener) => awareness.off(name, listener),
    getLocalState: () => awareness.getLocalState(),
    setLocalStateField: (field, value) => awareness.setLocalStateField(field, value),
    getStates: () => {
      const states = awareness.getStates()
      const shown = new Map<number, { [key: string]: unknown }>()
      for (const person of others()) {
        const cursor = states.get(person.clientId)?.cursor
        if (person.readOnly || cursor == null) continue
        shown.set(person.clientId, { cursor, user: { name: person.name, color: person.color, colorLight: `${person.color}${SELECTION_ALPHA}` } })
      }
      return shown
    },
  }
}
