/**
 * Who else is on the board, and where: the awareness states of the provider,
 * `{ user: { name, color }, focus: { assessmentId, field } }` (the shared text
 * editors add `cursor`). The server replaces `user.name` with the signed-in
 * account's name and adds `user.readOnly` for reviewers before anyone sees it. Reactive through a ChangeSignal (createSubscriber)
 * on awareness changes.
 */
import type { Awareness } from 'y-protocols/awareness'
import { ChangeSignal } from './change-signal.ts'

export type FocusField = 'title' | 'judgment'
export type Focus = { assessmentId: string; field: FocusField | null }
/** `name` and `readOnly` are stamped by the server from the signed-in account: nobody can pose as someone else. */
export type Peer = { clientId: number; name: string; color: string; readOnly: boolean; focus: Focus | null }

type PresenceState = { user?: { name?: unknown; color?: unknown; readOnly?: unknown }; focus?: { assessmentId?: unknown; field?: unknown } | null }

function readPeer(clientId: number, state: PresenceState): Peer | null {
  const name = state.user?.name
  const color = state.user?.color
  if (typeof name !== 'string' || typeof color !== 'string') return null
  const focus = state.focus
  const assessmentId = focus?.assessmentId
  const field = focus?.field
  return {
    clientId,
    name,
    color,
    readOnly: state.user?.readOnly === true,
    focus:
      typeof assessmentId === 'string'
        ? { assessmentId, field: field === 'title' || field === 'judgment' ? field : null }
        : null,
  }
}

export class Presence {
  readonly #awareness: Awareness
  #peers: Peer[] | null = null
  readonly #signal = new ChangeSignal()

  constructor(awareness: Awareness, me: { name: string; color: string }) {
    this.#awareness = awareness
    // colorLight is what the shared text editors paint remote selections with.
    awareness.setLocalStateField('user', { name: me.name, color: me.color, colorLight: `${me.color}33` })
    awareness.on('change', this.#onChange)
  }

  /** The awareness the shared text editors draw remote cursors from. */
  get awareness(): Awareness {
    return this.#awareness
  }

  /** Everyone else on the board, by name. */
  get peers(): readonly Peer[] {
    this.#signal.track()
    this.#peers ??= [...this.#awareness.getStates()]
      .filter(([clientId]) => clientId !== this.#awareness.clientID)
      .map(([clientId, state]) => readPeer(clientId, state as PresenceState))
      .filter((peer): peer is Peer => peer !== null)
      .sort((a, b) => a.name.localeCompare(b.name) || a.clientId - b.clientId)
    return this.#peers
  }

  /** The others whose focus is on this assessment. */
  on(assessmentId: string): Peer[] {
    return this.peers.filter((peer) => peer.focus?.assessmentId === assessmentId)
  }

  /** Tells the others which card, and which of its fields, this person is in. */
  setFocus(focus: Focus | null): void {
    const current = this.#current()
    if (current?.assessmentId === focus?.assessmentId && current?.field === focus?.field) return
    this.#awareness.setLocalStateField('focus', focus)
  }

  /** Tells the others which card this person has selected, keeping the field they are in on that card. */
  setSelected(assessmentId: string | null): void {
    if (assessmentId === null) this.setFocus(null)
    else if (this.#current()?.assessmentId !== assessmentId) this.setFocus({ assessmentId, field: null })
  }

  #current(): Focus | null | undefined {
    return this.#awareness.getLocalState()?.focus as Focus | null | undefined
  }

  destroy(): void {
    this.#awareness.off('change', this.#onChange)
    this.#awareness.setLocalState(null)
  }

  readonly #onChange = (): void => {
    this.#peers = null
    this.#signal.changed()
  }
}
