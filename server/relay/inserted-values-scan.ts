/**
 * Counts the plain values a Yjs update (format V1) inserts by reading its
 * bytes, before `Y.decodeUpdate` builds a JavaScript value for each of them:
 * one 16 MiB frame can hold millions (an array of empty objects costs 2 bytes
 * an element), and their first decoding alone held the relay's thread 4 to
 * 9 s. Lengths are read and strings and bytes skipped, no value is built,
 * and the count stops once it passes the bound, so a huge array costs the
 * read of its length.
 *
 * The rule counted is MAX_INSERTED_VALUES's (validate-update.ts), the one the
 * text rule's walk counts on decoded values: the elements of an item's
 * ContentAny or ContentJSON and of every array nested in them, in a
 * formatting mark's value or in an embed, and two (key and value) for each
 * key of an object there; and the values of a subdocument's options, which
 * Yjs decodes whole and the walk never sees. Every value counted is one Yjs
 * must decode for the update to decode at all, so a count past the bound
 * refuses only what Yjs would refuse or decode past the bound. What the scan cannot read (truncated,
 * an unknown struct, content or type, a number past 2^53) it gives no verdict
 * on, and Yjs decides as before. Each struct and each range of the delete
 * set after them costs Yjs an object too, whatever its size: those are
 * counted against MAX_UPDATE_PIECES, as their counts are read. Subdocuments
 * are counted too, which no board holds (board-shape.ts): Yjs makes a Y.Doc of
 * each as it decodes, 100,000 of them (1.8 MB) some 10 s, so the relay refuses
 * the first one here.
 *
 * Read against yjs 13.6 (utils/updates.js lazyStructReaderGenerator,
 * UpdateDecoderV1, structs/*.js readContent*) and lib0's decoding.readAny.
 */

/** The scan cannot read the update as Yjs would: it gives no verdict. */
class Unreadable extends Error {}

class Bytes {
  private pos = 0
  constructor(private readonly bytes: Uint8Array) {}

  uint8(): number {
    if (this.pos >= this.bytes.length) throw new Unreadable()
    return this.bytes[this.pos++]!
  }

  /** lib0's readVarUint. */
  varUint(): number {
    let num = 0
    let mult = 1
    for (;;) {
      const byte = this.uint8()
      num += (byte & 0x7f) * mult
      mult *= 128
      if (byte < 0x80) return num
      if (num > Number.MAX_SAFE_INTEGER) throw new Unreadable()
    }
  }

  /** lib0's readVarInt: a sign and six bits in its first byte, then as readVarUint. */
  skipVarInt(): void {
    let byte = this.uint8()
    while (byte >= 0x80) byte = this.uint8()
  }

  skip(count: number): void {
    if (count > this.bytes.length - this.pos) throw new Unreadable()
    this.pos += count
  }

  /** An item's id: client and clock. */
  skipId(): void {
    this.varUint()
    this.varUint()
  }

  /** A varString or varUint8Array: its length, then its bytes. */
  skipSized(): void {
    this.skip(this.varUint())
  }

  /** The bytes of a varString, for the JSON a ContentJSON, embed or mark holds. */
  sized(): Uint8Array {
    const length = this.varUint()
    const start = this.pos
    this.skip(length)
    return this.bytes.subarray(start, start + length)
  }
}

/** A count passed its bound: no need to read further. */
class PastTheBound extends Error {}

class Counter {
  count = 0
  constructor(private readonly bound: number) {}

  add(count: number): void {
    this.count += count
    if (this.count > this.bound) throw new PastTheBound()
  }
}

/** What a scan counts: plain values (MAX_INSERTED_VALUES), structs and deleted ranges (MAX_UPDATE_PIECES), and subdocuments. */
export type UpdateCounts = { values: number; pieces: number; subdocuments: number }

// lib0's readAny type bytes.
const ANY_FLOAT32 = 124
const ANY_FLOAT64 = 123
const ANY_BIGINT = 122
const ANY_VARINT = 125
const ANY_STRING = 119
const ANY_OBJECT = 118
const ANY_ARRAY = 117
const ANY_BYTES = 116
const ANY_NO_PAYLOAD = new Set([127, 126, 121, 120]) // undefined, null, false, true

/**
 * Skips one lib0 `any` value, counting the elements and object keys and
 * values nested in it (not the value itself). Without recursion: a value
 * nested a million levels deep cannot exhaust the stack here.
 */
function skipAny(bytes: Bytes, counter: Counter): void {
  // Per open array or object: how many elements or entries are left to read, and whether each starts with a key.
  const open: { left: number; keyed: boolean }[] = []
  for (let first = true; ; first = false) {
    if (!first) {
      while (open.length > 0 && open[open.length - 1]!.left === 0) open.pop()
      const top = open[open.length - 1]
      if (top === undefined) return
      top.left--
      if (top.keyed) bytes.skipSized()
    }
    const type = bytes.uint8()
    if (type === ANY_VARINT) bytes.skipVarInt()
    else if (type === ANY_FLOAT32) bytes.skip(4)
    else if (type === ANY_FLOAT64 || type === ANY_BIGINT) bytes.skip(8)
    else if (type === ANY_STRING || type === ANY_BYTES) bytes.skipSized()
    else if (type === ANY_ARRAY || type === ANY_OBJECT) {
      const length = bytes.varUint()
      const keyed = type === ANY_OBJECT
      counter.add(keyed ? length * 2 : length)
      open.push({ left: length, keyed })
    } else if (!ANY_NO_PAYLOAD.has(type)) throw new Unreadable()
  }
}

const CHAR = { quote: 0x22, backslash: 0x5c, openArray: 0x5b, openObject: 0x7b, minus: 0x2d, zero: 0x30, nine: 0x39, t: 0x74, f: 0x66, n: 0x6e }

/**
 * The values one JSON text holds, itself included: each string (keys too),
 * number, literal, array and object. Nested in it, an array's elements and
 * an object's keys and values number one fewer. Counted on its UTF-8 bytes,
 * whose structural characters no multi-byte character contains; only valid
 * JSON reaches the rule (JSON.parse refuses the rest).
 */
function jsonValues(json: Uint8Array): number {
  let values = 0
  let i = 0
  while (i < json.length) {
    const char = json[i]!
    if (char === CHAR.quote) {
      values++
      i++
      while (i < json.length && json[i] !== CHAR.quote) i += json[i] === CHAR.backslash ? 2 : 1
      i++
    } else if (char === CHAR.openArray || char === CHAR.openObject) {
      values++
      i++
    } else if (char === CHAR.minus || (char >= CHAR.zero && char <= CHAR.nine) || char === CHAR.t || char === CHAR.f || char === CHAR.n) {
      values++
      i++
      while (i < json.length && isTokenTail(json[i]!)) i++
    } else {
      i++
    }
  }
  return values
}

/** The values nested in one JSON text, as the walk counts them on its parsed value. */
function nestedJsonValues(json: Uint8Array): number {
  return Math.max(0, jsonValues(json) - 1)
}

/** A character that continues a number (digits, `.`, `e`, `+`, `-`) or a literal (letters). */
function isTokenTail(char: number): boolean {
  return (char >= CHAR.zero && char <= CHAR.nine) || char === 0x2e || char === 0x2b || char === CHAR.minus || (char >= 0x61 && char <= 0x7a) || (char >= 0x41 && char <= 0x5a)
}

const UNDEFINED_IN_JSON = new TextEncoder().encode('undefined')

function isUndefinedMark(json: Uint8Array): boolean {
  return json.length === UNDEFINED_IN_JSON.length && json.every((byte, i) => byte === UNDEFINED_IN_JSON[i])
}

// Content refs (info & 0x1f) and type refs, yjs's contentRefs and typeRefs.
const CONTENT = { deleted: 1, json: 2, binary: 3, string: 4, embed: 5, format: 6, type: 7, any: 8, doc: 9 }
const TYPE_REFS_WITH_KEY = new Set([3, 5]) // YXmlElement, YXmlHook: a node name
const LAST_TYPE_REF = 6
const STRUCT_GC = 0
const STRUCT_SKIP = 10

function skipItemContent(bytes: Bytes, ref: number, counter: Counter, subdocuments: Counter): void {
  switch (ref) {
    case CONTENT.deleted:
      bytes.varUint()
      return
    case CONTENT.json: {
      const length = bytes.varUint()
      counter.add(length)
      for (let i = 0; i < length; i++) {
        const json = bytes.sized()
        if (!isUndefinedMark(json)) counter.add(nestedJsonValues(json))
      }
      return
    }
    case CONTENT.binary:
    case CONTENT.string:
      bytes.skipSized()
      return
    case CONTENT.embed:
      counter.add(nestedJsonValues(bytes.sized()))
      return
    case CONTENT.format:
      bytes.skipSized()
      counter.add(nestedJsonValues(bytes.sized()))
      return
    case CONTENT.type: {
      const typeRef = bytes.varUint()
      if (typeRef > LAST_TYPE_REF) throw new Unreadable()
      if (TYPE_REFS_WITH_KEY.has(typeRef)) bytes.skipSized()
      return
    }
    case CONTENT.any: {
      const length = bytes.varUint()
      counter.add(length)
      for (let i = 0; i < length; i++) skipAny(bytes, counter)
      return
    }
    case CONTENT.doc:
      // Counted before Yjs makes a Y.Doc of it, which costs far more than its bytes (see board-shape.ts).
      subdocuments.add(1)
      // A subdocument's options: Yjs keeps only a few of them, but decodes them all (the walk after decoding never sees them).
      bytes.skipSized()
      skipAny(bytes, counter)
      return
    default:
      throw new Unreadable()
  }
}

function skipStructs(bytes: Bytes, counter: Counter, pieces: Counter, subdocuments: Counter): void {
  const clients = bytes.varUint()
  for (let c = 0; c < clients; c++) {
    const structs = bytes.varUint()
    pieces.add(structs)
    bytes.varUint() // client
    bytes.varUint() // first clock
    for (let s = 0; s < structs; s++) {
      const info = bytes.uint8()
      const ref = info & 0x1f
      if (info === STRUCT_SKIP || ref === STRUCT_GC) {
        bytes.varUint() // length
        continue
      }
      const hasOrigin = (info & 0x80) !== 0
      const hasRightOrigin = (info & 0x40) !== 0
      if (hasOrigin) bytes.skipId()
      if (hasRightOrigin) bytes.skipId()
      if (!hasOrigin && !hasRightOrigin) {
        // The parent: a root type's name, or the id of the item holding it.
        if (bytes.varUint() === 1) bytes.skipSized()
        else bytes.skipId()
        if ((info & 0x20) !== 0) bytes.skipSized() // parentSub, the key in a map
      }
      skipItemContent(bytes, ref, counter, subdocuments)
    }
  }
}

/** The delete set: per client, its ranges (a clock and a length each), counted before they are read, into `deleted`. */
function readDeleteSet(bytes: Bytes, pieces: Counter, deleted: DeletedRange[]): void {
  const clients = bytes.varUint()
  for (let c = 0; c < clients; c++) {
    const client = bytes.varUint()
    const ranges = bytes.varUint()
    pieces.add(ranges)
    for (let r = 0; r < ranges; r++) deleted.push({ client, clock: bytes.varUint(), len: bytes.varUint() })
  }
}

/** A deleted range as an update's bytes hold it. */
export type DeletedRange = { client: number; clock: number; len: number }

/** What a scan read: its counts, and the ranges the update deletes (those read before a count passed its bound), whose cost lies in what they cover (check-cost.ts). */
export type ScannedUpdate = UpdateCounts & { deleted: readonly DeletedRange[] }

/**
 * What `update` holds as MAX_INSERTED_VALUES and MAX_UPDATE_PIECES count it,
 * and its subdocuments, read from its bytes: the exact counts when each is at
 * most its bound, a count past its bound as soon as it passes it (the rest
 * unread), or null when the scan cannot read the update (Yjs decides).
 */
export function scanUpdate(update: Uint8Array, bounds: UpdateCounts): ScannedUpdate | null {
  const values = new Counter(bounds.values)
  const pieces = new Counter(bounds.pieces)
  const subdocuments = new Counter(bounds.subdocuments)
  const deleted: DeletedRange[] = []
  try {
    const bytes = new Bytes(update)
    skipStructs(bytes, values, pieces, subdocuments)
    readDeleteSet(bytes, pieces, deleted)
  } catch (error) {
    if (error instanceof Unreadable) return null
    if (!(error instanceof PastTheBound)) throw error
  }
  return { values: values.count, pieces: pieces.count, subdocuments: subdocuments.count, deleted }
}
