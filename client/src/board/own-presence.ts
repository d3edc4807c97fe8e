/**
 * Keeps this page's presence its own. y-protocols takes a state that arrives
 * under the page's own client id with a higher clock for the page's local
 * state: someone announcing under the page's id (in open access anyone may
 * take an id whose page was away half a minute) had the page show, and send
 * on, their state as its own. Such a state is replaced at once by the page's
 * own, at a clock above theirs.
 */
import type { Awareness } from 'y-protocols/awareness'

type Changes = { added: number[]; updated: number[]; removed: number[] }

/**
 * Starts keeping the page's own presence; returns how to stop. Started before
 * anything else listens to the awareness's changes, so that every other
 * listener sees the page's own state.
 */
export function keepOwnPresence(awareness: Awareness): () => void {
  let own = awareness.getLocalState()
  const onChange = ({ added, updated }: Changes, origin: unknown): void => {
    if (origin === 'local') own = awareness.getLocalState()
    else if (own !== null && (added.includes(awareness.clientID) || updated.includes(awareness.clientID))) awareness.setLocalState(own)
  }
  awareness.on('change', onChange)
  return () => awareness.off('change', onChange)
}
