/**
 * Sets the modification time of every entry of a zip file. The docx package
 * stamps each part of a .docx with the time it was packed, which would make
 * two exports of one snapshot differ; stamping them with the version's time
 * makes the bytes a function of the content. Only the DOS time and date
 * fields change, so checksums and offsets stay valid.
 */

const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const CENTRAL_HEADER = 0x02014b50
const LOCAL_HEADER = 0x04034b50
/** The end record is 22 bytes plus a comment of at most 65,535. */
const MAX_END_RECORD_SEARCH = 22 + 0xffff

export function setZipTimestamps(zip: Uint8Array, time: Date): Uint8Array {
  const out = new Uint8Array(zip)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  const { dosTime, dosDate } = dosDateTime(time)
  const end = findEndRecord(view)
  const entries = view.getUint16(end + 10, true)
  let at = view.getUint32(end + 16, true)
  for (let i = 0; i < entries; i++) {
    expectSignature(view, at, CENTRAL_HEADER)
    view.setUint16(at + 12, dosTime, true)
    view.setUint16(at + 14, dosDate, true)
    const local = view.getUint32(at + 42, true)
    expectSignature(view, local, LOCAL_HEADER)
    view.setUint16(local + 10, dosTime, true)
    view.setUint16(local + 12, dosDate, true)
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true)
  }
  return out
}

/** Zip times have no time zone and a two-second step; we write UTC. DOS dates start in 1980. */
function dosDateTime(time: Date): { dosTime: number; dosDate: number } {
  const year = Math.min(Math.max(time.getUTCFullYear(), 1980), 2107)
  return {
    dosTime: (time.getUTCHours() << 11) | (time.getUTCMinutes() << 5) | Math.floor(time.getUTCSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((time.getUTCMonth() + 1) << 5) | time.getUTCDate(),
  }
}

function findEndRecord(view: DataView): number {
  const stop = Math.max(0, view.byteLength - MAX_END_RECORD_SEARCH)
  for (let at = view.byteLength - 22; at >= stop; at--) {
    if (view.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) return at
  }
  throw new Error('Not a zip file: no end of central directory record.')
}

function expectSignature(view: DataView, at: number, signature: number): void {
  if (at + 4 > view.byteLength || view.getUint32(at, true) !== signature) {
    throw new Error(`Malformed zip file: expected a header at byte ${at}.`)
  }
}
