/**
 * What a fresh client, one that holds nothing, is sent: the doc's whole
 * state, as parts that together hold exactly the doc. The parts are what the
 * doc was loaded from (or, when there was no such short list, one encoding
 * of it made when first asked), followed by the updates the doc has applied
 * since, merged into one. Encoding the board of 1,000 assessments costs the
 * relay 37 to 180 ms; merging the keystrokes since costs a fraction of that,
 * so a fresh client after each change (a team joining a board being typed,
 * or one member reopening sockets between keystrokes) no longer draws a new
 * encoding of the whole board. Once the updates since outweigh an eighth of
 * the parts, the next fresh client gets one encoding again, which the updates
 * after it follow; but one update that outweighs the parts eight times over
 * (a board imported or pasted whole, in one transaction) joins them instead:
 * Yjs wrote it after the transaction, holding what it integrated and no
 * content it deleted, so an encoding would save at most the parts' eighth
 * while costing the relay's thread as much as a load (the board of 1,000
 * assessments: 27 ms warm, 60 to 110 ms the first time in a process). Each
 * such part weighs eight times all before it, so they stay few.
 *
 * Deleted text that the parts or the updates still carry is no secret from a
 * member: the board's history, open to the same people, shows it too.
 */
import * as Y from 'yjs'
import { mergeInGroups } from './merge-in-groups.ts'
import { storedStateMessages } from './messages.ts'

/** Updates since the parts are merged for a fresh client until they weigh this much, or an eighth of the parts if more. */
const MERGED_BYTES_AT_LEAST = 64 * 1024
/** One update this many times the parts' weight becomes a part of its own rather than drawing an encoding. */
const PART_OF_ITS_OWN = 8

export class WholeState {
  private parts: Uint8Array[] | null = null
  private partBytes = 0
  private since: Uint8Array[] = []
  private sinceBytes = 0
  private frames: Uint8Array[] | null = null

  /** The doc now holds exactly `parts` (as loaded), or, with null, something only an encoding of it can say. */
  reset(parts: Uint8Array[] | null): void {
    this.parts = parts
    this.partBytes = parts?.reduce((bytes, part) => bytes + part.byteLength, 0) ?? 0
    this.since = []
    this.sinceBytes = 0
    this.frames = null
  }

  /** The doc applied `update` (as its update event gives it: only what it integrated). */
  applied(update: Uint8Array): void {
    this.frames = null
    if (this.parts === null) return
    this.since.push(update)
    this.sinceBytes += update.byteLength
    if (this.sinceBytes <= Math.max(MERGED_BYTES_AT_LEAST, this.partBytes / 8)) return
    if (this.since.length === 1 && update.byteLength >= PART_OF_ITS_OWN * this.partBytes) this.reset([...this.parts, update])
    else this.reset(null)
  }

  /** The frames that sync a fresh client to `doc`: all but the last as updates, the last as our step 2. */
  framesFor(doc: Y.Doc): Uint8Array[] {
    if (this.frames) return this.frames
    if (this.since.length > 1) this.since = [mergeInGroups(this.since)]
    this.frames = storedStateMessages(this.partsOf(doc))
    return this.frames
  }

  /** Parts that together hold exactly `doc`: those it holds, encoded first should it hold none, then the updates since. */
  partsOf(doc: Y.Doc): Uint8Array[] {
    if (this.parts === null) this.reset([Y.encodeStateAsUpdate(doc)])
    return [...this.parts!, ...this.since]
  }
}
