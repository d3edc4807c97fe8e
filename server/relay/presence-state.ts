/**
 * Presence entries (y-protocols awareness) as the server reads, stamps and
 * writes them. An awareness update is `varUint(count)` then, per entry,
 * `varUint(clientId)`, `varUint(clock)` and `varString(state as JSON, or
 * "null" for a removal)`. What a client sends is checked for size and nesting
 * before anything recursive (JSON.parse, JSON.stringify) touches it.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { RelayLimits } from '../../shared/limits.ts'
import { jsonShapeOver } from '../json-shape.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { KEY_LENGTH } from './field-values.ts'

export type PresenceState = { [key: string]: unknown }
export type PresenceEntry = { clientId: number; clock: number; state: PresenceState | null }

/** A presence state the server will not keep: the connection that sent it is closed. */
export class PresenceRefused extends Error {
  override name = 'PresenceRefused'
}

/** Who the server says is behind a presence state. */
export type PresenceStamp = { userId: string | null; name: string; readOnly: boolean }

const utf8 = new TextDecoder('utf-8', { fatal: true })
/** The one colour a page publishes, opaque (`#rgb`, `#rrggbb`); no selection colour is relayed (tabs of earlier builds painted it). */
const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i
/**
 * Entries one awareness update may hold. The stock client echoes the states
 * it is sent, so an update may name everyone in the room (an instance holds
 * at most 2,000 sockets of 4 ids each by default). Each entry skipped unread
 * costs the relay about a microsecond, and a reviewer's 11 MB of a million
 * empty ones held it almost a second; a state read costs as much as its
 * bytes (160 to 290 µs for one of 4 KB), so only those the room will take
 * are read (`readPresenceUpdate`).
 */
export const MAX_PRESENCE_ENTRIES = 10_000

type Limits = Pick<RelayLimits, 'presenceBytes' | 'presenceDepth'>

/**
 * What becomes of an entry, decided from its client id, its clock and whether
 * its state is a removal, before its state is read: `echo`, the room's own
 * presence sent back, changing nothing; `drop`, one the room will not take
 * (an id the connection may not hold, or past those it may); `read`, one it
 * takes once its state is read and stamped.
 */
export type EntryVerdict = 'echo' | 'drop' | 'read'

/** An awareness update as read: the entries to take, and the bytes of what was skipped unread. */
export type PresenceRead = {
  entries: PresenceEntry[]
  /** Bytes of the entries `echo`: what the connection sent back of the room's presence. */
  echoBytes: number
  /** Bytes of the states read (parsed). */
  readBytes: number
  /** Bytes of the states skipped unread: echoes, entries dropped, and each id's entries past which a later one in the update wins. */
  skippedBytes: number
}

/**
 * Reads a client's awareness update; throws PresenceRefused over a limit, and
 * a decoding error on malformed bytes. Only the states of entries `verdictOf`
 * says `read` are read, and of those only each client id's last at its
 * highest clock, the one the room keeps: a state is parsed and scanned at a
 * cost of its bytes, and one frame of 4,000 states of 3,956 bytes, of ids
 * the connection could not hold past its first 4, cost the relay's thread
 * 0.65 to 1.16 s when every state was read before any was dropped (red team
 * 31b). Echoes are skipped so too: the stock client sends back every change
 * it receives, and reading each state of a room's presence again from every
 * member cost the relay as much as the room's presence times its size. Each
 * size is checked all the same: no state the relay sent is larger.
 * `verdictOf` is called in the update's order, once for each entry.
 */
export function readPresenceUpdate(update: Uint8Array, limits: Limits, verdictOf: (clientId: number, clock: number, removal: boolean) => EntryVerdict = () => 'read'): PresenceRead {
  const kept = new Map<number, { clock: number; bytes: Uint8Array }>()
  let echoBytes = 0
  let skippedBytes = 0
  readEntries(update, (clientId, clock, bytes, entryBytes) => {
    checkStateSize(bytes, limits)
    const verdict = verdictOf(clientId, clock, isRemoval(bytes))
    if (verdict === 'echo') echoBytes += entryBytes
    const earlier = verdict === 'read' ? kept.get(clientId) : undefined
    if (verdict !== 'read' || (earlier && earlier.clock > clock)) {
      skippedBytes += bytes.byteLength
      return
    }
    if (earlier) skippedBytes += earlier.bytes.byteLength
    kept.set(clientId, { clock, bytes })
  })
  let readBytes = 0
  const entries: PresenceEntry[] = []
  for (const [clientId, { clock, bytes }] of kept) {
    readBytes += bytes.byteLength
    entries.push({ clientId, clock, state: readPresenceState(bytes, limits) })
  }
  return { entries, echoBytes, readBytes, skippedBytes }
}

const REMOVAL = new TextEncoder().encode('null')

/** Whether a state's bytes are a removal as the stock client writes it (JSON.stringify(null)). */
function isRemoval(bytes: Uint8Array): boolean {
  return bytes.byteLength === REMOVAL.byteLength && bytes.every((byte, i) => byte === REMOVAL[i])
}

/**
 * Reads an awareness update another instance relayed: each entry on its own,
 * so that one this instance refuses (one PRESENCE_MAX_BYTES allows there and
 * not here, mid-way through a change of it, or a state an earlier version
 * let grow past it when stamping) costs only itself, not every other change
 * published with it. Throws only on a malformed update, which cannot be read past.
 */
export function readRelayedPresence(update: Uint8Array, limits: Limits): { entries: PresenceEntry[]; refused: string[] } {
  const entries: PresenceEntry[] = []
  const refused: string[] = []
  readEntries(update, (clientId, clock, bytes) => {
    try {
      entries.push({ clientId, clock, state: readPresenceState(bytes, limits) })
    } catch (error) {
      refused.push(`client ${clientId}: ${errorMessage(error)}`)
    }
  })
  return { entries, refused }
}

/** Walks an awareness update's entries, the state of each as its bytes, with the entry's length; throws on malformed bytes or too many entries. */
function readEntries(update: Uint8Array, read: (clientId: number, clock: number, state: Uint8Array, entryBytes: number) => void): void {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  if (count > MAX_PRESENCE_ENTRIES) throw new PresenceRefused(`an awareness update of ${count} entries (the limit is ${MAX_PRESENCE_ENTRIES})`)
  for (let i = 0; i < count; i++) {
    const start = decoder.pos
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const state = decoding.readVarUint8Array(decoder)
    read(clientId, clock, state, decoder.pos - start)
  }
  if (decoder.pos !== update.byteLength) throw new Error('trailing bytes after the awareness update')
}

function checkStateSize(bytes: Uint8Array, limits: Pick<Limits, 'presenceBytes'>): void {
  if (bytes.byteLength > limits.presenceBytes) {
    throw new PresenceRefused(`a presence state of ${bytes.byteLength} bytes (the limit is ${limits.presenceBytes})`)
  }
}

/** One state's JSON, checked for size and nesting before it is parsed; null for a removal. */
function readPresenceState(bytes: Uint8Array, limits: Limits): PresenceState | null {
  checkStateSize(bytes, limits)
  const json = utf8.decode(bytes)
  if (jsonShapeOver(json, { depth: limits.presenceDepth }) !== null) throw new PresenceRefused(`a presence state nested deeper than ${limits.presenceDepth} levels`)
  const state: unknown = JSON.parse(json)
  if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new PresenceRefused('a presence state that is not an object')
  return state as PresenceState | null
}

/**
 * A stamped state as JSON, as it is relayed; throws PresenceRefused when it
 * is longer than PRESENCE_MAX_BYTES. The limit holds for what is relayed, not
 * only for what was sent: the other instances read relayed states with it,
 * and every stock client sends back each state it receives, to be read with
 * it too. Stamping adds the account's id and name and writes a cursor out in
 * full, and JSON grows on the way (a number sent as `1e20` is written back
 * with its 21 digits, so a state within the limit as sent could be five
 * times it once stamped).
 */
export function relayedPresenceJson(state: PresenceState, limits: Pick<RelayLimits, 'presenceBytes'>): string {
  const json = JSON.stringify(state)
  const bytes = Buffer.byteLength(json)
  if (bytes > limits.presenceBytes) throw new PresenceRefused(`a presence state of ${bytes} bytes once stamped (the limit is ${limits.presenceBytes})`)
  return json
}

/** Writes entries as one awareness update; `json` is the state as JSON ("null" for a removal). */
export function encodePresenceUpdate(entries: Iterable<{ clientId: number; clock: number; json: string }>): Uint8Array {
  const list = [...entries]
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, list.length)
  for (const { clientId, clock, json } of list) {
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarString(encoder, json)
  }
  return encoding.toUint8Array(encoder)
}

/** A person's `user` as relayed: who the server says they are, and the opaque colour their page chose. */
type StampedUser = { id: string | null; name: string; readOnly: boolean; color?: string }

/**
 * The state as others see it: `user` is the signed-in identity (id, name, and
 * whether they only read), keeping only the opaque colour the client chose;
 * then only what pages read of a person's state (client/src/board/presence.svelte.ts,
 * remote-cursors.ts), each checked: `focus` (`presenceFocus`) and `cursor`
 * (`readCursor`). Everything else is dropped, a `server` field (the
 * server's alone) among it: a member's extra keys, a 1.1 KB `<img onerror>`
 * string or a focus field of `<script>`, reached every colleague's page
 * unchanged, though no page reads them (red team 36). A reader's state says only which card she is on.
 */
export function stampPresence(state: PresenceState, stamp: PresenceStamp): PresenceState {
  const sent = typeof state.user === 'object' && state.user !== null ? (state.user as Record<string, unknown>) : {}
  const user: StampedUser = { id: stamp.userId, name: stamp.name, readOnly: stamp.readOnly }
  if (typeof sent.color === 'string' && COLOUR.test(sent.color)) user.color = sent.color
  return personPresence(user, state)
}

/**
 * Presence another instance relayed, as this one applies it: a person's
 * state held to what `stampPresence` keeps, its stamped `user` kept, and an
 * instance's own entry (no `user`) to its `server` notice. An instance of an
 * earlier version passes on what its members sent: extra keys, a reader's
 * field and cursor.
 */
export function relayedPresence(state: PresenceState): PresenceState {
  const user = stampedUser(state.user)
  if (user) return personPresence(user, state)
  return typeof state.server === 'object' && state.server !== null ? { server: state.server } : {}
}

function stampedUser(value: unknown): StampedUser | null {
  if (typeof value !== 'object' || value === null) return null
  const { id, name, readOnly, color } = value as Record<string, unknown>
  if (typeof name !== 'string') return null
  const user: StampedUser = { id: typeof id === 'string' ? id : null, name, readOnly: readOnly === true }
  if (typeof color === 'string' && COLOUR.test(color)) user.color = color
  return user
}

/**
 * The `user` given, and of the state only `focus` and `cursor`, checked. A
 * read-only person's state keeps no `cursor`, and a `focus` naming the card
 * she is on but no field: a reviewer's one frame with a field and a
 * selection in a title showed every member "Rita Reviewer editing" on the
 * card, her mark on the Title field and her caret and selection in their
 * editors, though she cannot edit (red team 33b).
 */
function personPresence(user: StampedUser, state: PresenceState): PresenceState {
  const kept: PresenceState = { user }
  if ('focus' in state) kept.focus = presenceFocus(state.focus, user.readOnly)
  if ('cursor' in state && !user.readOnly) kept.cursor = readCursor(state.cursor)
  return kept
}

type FocusField = 'title' | 'judgment'

/** The card a person is on (an assessment's id, no longer than a key a board may hold) and the field they are in, if they may edit; null for anything else. */
function presenceFocus(focus: unknown, readOnly: boolean): { assessmentId: string; field: FocusField | null } | null {
  if (typeof focus !== 'object' || focus === null) return null
  const { assessmentId, field } = focus as Record<string, unknown>
  if (typeof assessmentId !== 'string' || assessmentId.length > KEY_LENGTH) return null
  return { assessmentId, field: !readOnly && (field === 'title' || field === 'judgment') ? field : null }
}

type StructId = { client: number; clock: number }
/** A Yjs relative position as its JSON reaches the shared text editors: every field present, null where unused. */
type CursorPosition = { type: StructId | null; tname: string | null; item: StructId | null; assoc: number }

/** Longer than any name of a board document's top-level type. */
const MAX_TYPE_NAME_LENGTH = 64

/**
 * A shared text editor's selection (`{ anchor, head }`, Yjs relative
 * positions), or null. The editors of everyone else hand it to Yjs as it
 * came: one position that lacks a field, or holds a string where a number
 * belongs, throws there, and CodeMirror then turns off that page's remote
 * cursors for good.
 */
function readCursor(value: unknown): { anchor: CursorPosition; head: CursorPosition } | null {
  if (typeof value !== 'object' || value === null) return null
  const { anchor, head } = value as Record<string, unknown>
  const [from, to] = [readPosition(anchor), readPosition(head)]
  return from && to ? { anchor: from, head: to } : null
}

function readPosition(value: unknown): CursorPosition | null {
  if (typeof value !== 'object' || value === null) return null
  const sent = value as Record<string, unknown>
  const item = sent.item == null ? null : readStructId(sent.item)
  const type = sent.type == null ? null : readStructId(sent.type)
  const tname = typeof sent.tname === 'string' && sent.tname.length <= MAX_TYPE_NAME_LENGTH ? sent.tname : null
  const assoc = sent.assoc == null ? 0 : sent.assoc
  if (sent.item != null && item === null) return null
  if (sent.type != null && type === null) return null
  if (sent.tname != null && tname === null) return null
  if (!Number.isSafeInteger(assoc)) return null
  // A position names the structure it is in by one of these; with none Yjs cannot place it.
  if (item === null && type === null && tname === null) return null
  return { type, tname, item, assoc: assoc as number }
}

function readStructId(value: unknown): StructId | null {
  if (typeof value !== 'object' || value === null) return null
  const { client, clock } = value as Record<string, unknown>
  return isCount(client) && isCount(clock) ? { client, clock } : null
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

/** The account a stamped state belongs to, or null. */
export function stampedUserId(state: PresenceState | null | undefined): string | null {
  const user = state?.user
  if (typeof user !== 'object' || user === null) return null
  const id = (user as Record<string, unknown>).id
  return typeof id === 'string' ? id : null
}
