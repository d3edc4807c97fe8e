/**
 * Who else is on the board, and where: the awareness states of the provider,
 * `{ user: { name, color }, focus: { assessmentId, field } }` (the shared text
 * editors add `cursor`). The server replaces `user.name` with the signed-in
 * account's name and adds `user.id` and `user.readOnly` for reviewers before anyone sees it. Reactive through a ChangeSignal (createSubscriber)
 * on awareness changes.
 *
 * Colours and initials are assigned from the people present (person-colour.ts),
 * by their stamped account ids, so every viewer gives everyone the same
 * distinct colour; the shared text editors paint each person's cursor with it
 * (remote-cursors.ts). Each person publishes the colour they were assigned,
 * for pages of earlier versions, which paint with it.
 *
 * A person is one person however many pages or client ids they hold: the
 * header shows one avatar each, and a card counts people (`people`, `on`). A
 * reviewer's one account with 20 sockets of 4 client ids each showed as 80
 * avatars over the board's title, and cards read "Rita Reviewer +13" (red
 * team 33b).
 */
import { untrack } from 'svelte'
import type { Awareness } from 'y-protocols/awareness'
import { assignColours, distinctInitials } from '../app/person-colour.ts'
import { ChangeSignal } from './change-signal.ts'
import { remoteCursors, type CursorAwareness } from './remote-cursors.ts'

export type FocusField = 'title' | 'judgment'
export type Focus = { assessmentId: string; field: FocusField | null }
/**
 * `userId`, `name` and `readOnly` are stamped by the server from the signed-in
 * account: nobody can pose as someone else. `color` and `initials` are this
 * viewer's assignment, the same as every other viewer's.
 */
export type Peer = { clientId: number; userId: string; name: string; initials: string; color: string; readOnly: boolean; focus: Focus | null }

/** The signed-in person on this page. */
export type PresenceMe = { id: string; name: string }

type PresenceState = { user?: { id?: unknown; name?: unknown; readOnly?: unknown }; focus?: { assessmentId?: unknown; field?: unknown } | null }

type PeerState = Omit<Peer, 'initials' | 'color'>

function readPeer(clientId: number, state: PresenceState): PeerState | null {
  const name = state.user?.name
  if (typeof name !== 'string') return null
  // A server without accounts stamps no id: the name is all there is to tell people apart.
  const userId = typeof state.user?.id === 'string' ? state.user.id : `name:${name}`
  const focus = state.focus
  const assessmentId = focus?.assessmentId
  const field = focus?.field
  const readOnly = state.user?.readOnly === true
  return {
    clientId,
    userId,
    name,
    readOnly,
    // Someone who only reads is in no field, whatever their state says: the server drops it, an earlier version did not.
    focus:
      typeof assessmentId === 'string'
        ? { assessmentId, field: !readOnly && (field === 'title' || field === 'judgment') ? field : null }
        : null,
  }
}

/** How much a page of a person says about them: in a field, on a card, on the board. */
function shown(peer: Peer): number {
  return peer.focus?.field ? 2 : peer.focus ? 1 : 0
}

/** One page of each person among these, the one that says most; in the order given otherwise. */
function onePerPerson(peers: readonly Peer[]): Peer[] {
  const chosen = new Map<string, Peer>()
  for (const peer of peers) {
    const earlier = chosen.get(peer.userId)
    if (!earlier || shown(peer) > shown(earlier)) chosen.set(peer.userId, peer)
  }
  return [...chosen.values()]
}

export class Presence {
  readonly #awareness: Awareness
  readonly #me: PresenceMe
  #peers: Peer[] | null = null
  #people: Peer[] | null = null
  readonly #signal = new ChangeSignal()
  /** Every other page seen on the board since this one opened, by client id: a write's author, though they have left. */
  readonly #seen = new Map<number, PeerState>()
  /** The awareness the shared text editors draw remote cursors from: only the cursors of those who may edit, in their assigned colours. */
  readonly cursors: CursorAwareness

  constructor(awareness: Awareness, me: PresenceMe) {
    this.#awareness = awareness
    this.#me = me
    // Untracked: y-codemirror reads the cursors inside `view.dispatch`, and an
    // effect that dispatches (a focus request) would otherwise rerun at every
    // presence change, moving the caret to the end of the field each time.
    this.cursors = remoteCursors(awareness, () => untrack(() => this.peers))
    this.#publishColour()
    awareness.on('change', this.#onChange)
  }

  /** Everyone present, this person included: account id → name. */
  #everyone(others: readonly PeerState[]): Map<string, string> {
    return new Map([[this.#me.id, this.#me.name], ...others.map((peer): [string, string] => [peer.userId, peer.name])])
  }

  #others(): PeerState[] {
    return [...this.#awareness.getStates()]
      .filter(([clientId]) => clientId !== this.#awareness.clientID)
      .map(([clientId, state]) => readPeer(clientId, state as PresenceState))
      .filter((peer): peer is PeerState => peer !== null)
  }

  /**
   * Who has the page of this client id (a Yjs write's client is the presence id of the page that made it), as
   * stamped by the server, "(you, in another window)" added for this person's other pages; null when never seen.
   */
  nameOfClient(clientId: number): string | null {
    const peer = this.#seen.get(clientId)
    if (!peer) return null
    return peer.userId === this.#me.id ? `${peer.name} (you, in another window)` : peer.name
  }

  /** Tells the others this person's assigned colour when it changes (someone came or left). */
  #publishColour(): void {
    const color = assignColours(this.#everyone(this.#others()).keys()).get(this.#me.id)!
    const published = this.#awareness.getLocalState()?.user as { color?: unknown } | undefined
    if (published?.color === color) return
    this.#awareness.setLocalStateField('user', { name: this.#me.name, color })
  }

  /** Every other page on the board (client id), by name. */
  get peers(): readonly Peer[] {
    this.#signal.track()
    if (!this.#peers) {
      const others = this.#others()
      const people = this.#everyone(others)
      const colours = assignColours(people.keys())
      const initials = distinctInitials(people)
      this.#peers = others
        .map((peer) => ({ ...peer, color: colours.get(peer.userId)!, initials: initials.get(peer.userId)! }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.clientId - b.clientId)
    }
    return this.#peers
  }

  /** The client ids of the pages on the board that may write: this page's (`me`, the document's id) and every other not a reviewer's. */
  writingPages(me: number): Set<number> {
    return new Set([me, ...this.#others().flatMap((peer) => (peer.readOnly ? [] : [peer.clientId]))])
  }

  /** Everyone else on the board, one page for each person: the one that says most of where they are. */
  get people(): readonly Peer[] {
    const peers = this.peers
    this.#people ??= onePerPerson(peers)
    return this.#people
  }

  /** The others whose focus is on this assessment, one page for each person. */
  on(assessmentId: string): Peer[] {
    return onePerPerson(this.peers.filter((peer) => peer.focus?.assessmentId === assessmentId))
  }

  /** The others in this field of this assessment, one page for each person. */
  editing(assessmentId: string, field: FocusField): Peer[] {
    return onePerPerson(this.peers.filter((peer) => peer.focus?.assessmentId === assessmentId && peer.focus.field === field))
  }

  /**
   * The one other person whose focus is on this card, or null when none or several are: deleting a card takes
   * having it open in the inspector, so when someone else's deletion of it comes in, that person made it.
   */
  soleOtherOn(assessmentId: string): string | null {
    const people = this.on(assessmentId).filter((peer) => peer.userId !== this.#me.id)
    return people.length === 1 ? people[0]!.name : null
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
    for (const peer of this.#others()) this.#seen.set(peer.clientId, peer)
    this.#peers = null
    this.#people = null
    this.#publishColour()
    this.#signal.changed()
  }
}
