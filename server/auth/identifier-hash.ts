/**
 * What a log line or an audit entry says about a typed account name that did
 * not sign in. The text itself is never written: people type passwords into
 * the email field. A keyed hash lets the attempts on one name be counted
 * together in the logs, and, unlike a plain hash of a short text, cannot be
 * reversed by trying guesses: the key is random, made when the process starts
 * and never written anywhere, so a hash means something only within the logs
 * of one process.
 */
import { createHmac, randomBytes } from 'node:crypto'

const KEY = randomBytes(32)

export function identifierHash(typed: string): string {
  return createHmac('sha256', KEY).update(typed).digest('hex').slice(0, 16)
}
