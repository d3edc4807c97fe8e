/**
 * The identity of an imported text, so importing it again is recognized.
 * FNV-1a 64 over the UTF-8 bytes: synchronous and pure, so it runs inside a
 * Yjs transaction in the browser as on the server (WebCrypto's SHA-256 is
 * async), and 64 bits make an accidental match between two of a board's
 * documents vanishingly unlikely. It is an identity, not a defence against
 * forgery. The algorithm is part of the value, so it can change without old
 * hashes being misread.
 */
export function contentHash(text: string): string {
  // The 64-bit state as two 32-bit halves: plain numbers are much faster than BigInt over 2 MB.
  let hi = 0xcbf29ce4
  let lo = 0x84222325
  for (const byte of new TextEncoder().encode(text)) {
    lo ^= byte
    // Multiply by the FNV prime 2^40 + 0x1b3: the 2^40 part only reaches the high half, as lo << 8.
    const low = (lo >>> 0) * 0x1b3
    hi = (hi * 0x1b3 + ((lo << 8) >>> 0) + Math.floor(low / 0x1_0000_0000)) >>> 0
    lo = low >>> 0
  }
  return `fnv1a64:${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`
}
