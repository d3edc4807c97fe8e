/**
 * A room's answers in the y-websocket sync protocol: the step 1 sent to every
 * joiner, and the step 2 that answers a client's step 1. Each is kept encoded
 * until the doc next changes, since every joiner asks for one and, under
 * steady editing, so does every page reconnecting.
 */
import * as Y from 'yjs'
import { CLOSE } from '../../shared/protocol.ts'
import type { Connection } from './connection.ts'
import { admitEncoding, encodingCharge, type EncodingBudget } from './encoding-budget.ts'
import { syncStep1Message, syncStep2Message } from './messages.ts'
import { holdsAllOf, missingShareOf, sameClocks, withinDoc } from './state-vector.ts'
import { WholeState } from './whole-state.ts'

/** Each stored part costs a fresh client a transaction of its own; past a few, one encoding of the doc is cheaper. */
const STORED_PARTS_SENT_AS_IS = 8

export type SyncAnswersOptions = {
  /** Boards encoded for sync replies of their own, shared by every room of the process. */
  encodings: EncodingBudget
  send: (connection: Connection, frame: Uint8Array) => void
}

export class SyncAnswers {
  /** Our step 1, sent to every joiner: encoded once and reused until the doc changes. */
  private step1Frame: Uint8Array | null = null
  /** The whole state, what every fresh client asks for: as loaded or last encoded, and the updates since. */
  private readonly wholeState = new WholeState()
  /**
   * The last other step 2 encoded, with the state vector it answers: every
   * step 1 held over a commit with the same vector asks for the same one.
   */
  private lastStep2: { clocks: Map<number, number>; frame: Uint8Array } | null = null
  /** Our step 2 to a client holding all of the doc, until it changes. */
  private allHeldStep2: Uint8Array | null = null

  constructor(
    private readonly doc: Y.Doc,
    private readonly options: SyncAnswersOptions,
  ) {}

  /** The doc was loaded from `parts` (checkpoint, then the log after it); `heldApart`: some of them depend on content it lacks. */
  loaded(parts: Uint8Array[], heldApart: boolean): void {
    this.wholeState.reset(!heldApart && parts.length > 0 && parts.length <= STORED_PARTS_SENT_AS_IS ? parts : null)
  }

  /** The doc applied `update`: what was kept encoded no longer holds it. */
  docChanged(update: Uint8Array): void {
    this.step1Frame = null
    this.wholeState.applied(update)
    this.lastStep2 = null
    this.allHeldStep2 = null
  }

  /** Parts that together hold exactly the doc: what a fresh client is sent, unframed. */
  wholeStateParts(): Uint8Array[] {
    return this.wholeState.partsOf(this.doc)
  }

  step1(): Uint8Array {
    return (this.step1Frame ??= syncStep1Message(this.doc))
  }

  /**
   * Answers a step 1 with our step 2. Every reply but the join's counts its
   * bytes against the sender's bytes a second, as if it had sent them: a few
   * bytes of step 1 would otherwise draw a megabyte of board at every ask.
   */
  answerStep1(connection: Connection, clocks: Map<number, number>, join: boolean): void {
    const frames = this.step2Frames(connection, withinDoc(clocks, this.doc))
    if (!join && !connection.admitWork(byteLengthOf(frames))) {
      connection.close(CLOSE.rateLimited)
      return
    }
    for (const frame of frames) this.options.send(connection, frame)
  }

  /**
   * Whether a step 1 of a client holding `clocks` (within the doc) is answered
   * at once: its reply is kept encoded, or it holds all of the doc (a reply
   * encoded once for everyone until the doc changes).
   */
  answersAtOnce(clocks: Map<number, number>): boolean {
    return clocks.size === 0 || holdsAllOf(clocks, this.doc) || (this.lastStep2 !== null && sameClocks(this.lastStep2.clocks, clocks))
  }

  /**
   * Our step 2 for `connection`'s client holding `clocks` (within the doc;
   * empty: nothing). A reply of its own (of a page whose offline copy is
   * behind the board, say) costs the relay's thread up to an encoding of the
   * whole board, whatever the bytes of the vector asking for it: its person and
   * the instance are charged before it is encoded (encoding-budget.ts), the
   * share of the whole state's bytes the vector lacks, and at least the fixed
   * part of an encoding, so that a page back from a blip, a few items behind,
   * costs little and finds the budgets seldom spent. Past either, the reply is the whole state kept
   * encoded for fresh clients, correct for any vector, since Yjs skips what a
   * client already holds: a reviewer reconnecting with a new vector each time
   * held the relay's thread 96 to 100% busy.
   */
  private step2Frames(connection: Connection, clocks: Map<number, number>): Uint8Array[] {
    if (clocks.size === 0) return this.wholeState.framesFor(this.doc)
    // Every vector that holds all of the doc draws the same reply (no structs, every deletion): one kept for all of them.
    const holdsAll = holdsAllOf(clocks, this.doc)
    const kept = holdsAll ? this.allHeldStep2 : this.lastStep2 !== null && sameClocks(this.lastStep2.clocks, clocks) ? this.lastStep2.frame : null
    if (kept !== null) return [kept]
    // Even one holding all: its encoding walks every struct for the deletions, and an editor asking after each change drew one each time.
    const whole = this.wholeState.framesFor(this.doc)
    if (!admitEncoding(encodingCharge(byteLengthOf(whole), missingShareOf(clocks, this.doc)), connection.encodings, this.options.encodings)) return whole
    const frame = syncStep2Message(this.doc, Y.encodeStateVector(clocks))
    if (holdsAll) this.allHeldStep2 = frame
    else this.lastStep2 = { clocks, frame }
    return [frame]
  }
}

function byteLengthOf(frames: readonly Uint8Array[]): number {
  return frames.reduce((bytes, frame) => bytes + frame.byteLength, 0)
}
