/**
 * The random secrets the server hands out (session cookies, API tokens, invite
 * links). Each is 32 random bytes, base64url; only its SHA-256 is stored, so a
 * copy of the database lets no one in.
 */
import { hash, randomBytes } from 'node:crypto'

/** API tokens start with this, so a leaked one is recognisable (and findable by secret scanners). */
export const API_TOKEN_PREFIX = 'assay_'

export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}

/** Node's one-shot digest: every upgrade and request with a credential hashes it, and a `Hash` object cost some 4 µs more. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex')
}
