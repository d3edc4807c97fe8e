/**
 * Bytes of board that may be encoded for sync replies of their own
 * (SyncAnswers.step2Frames) a second: a person's (IncomingRates) and the
 * instance's. An encoding costs the relay's thread by the share of the board
 * it carries, and a fixed part by the whole board (its deletions and clocks
 * are all walked), whatever the few bytes of state vector asking for it; each person's
 * allowance alone multiplies with the accounts asking (five to seven reviewer
 * accounts held an editor's keystrokes up to 2 s, the thread 100% busy).
 */
import { TokenBucket } from './token-bucket.ts'

export type EncodingBudget = TokenBucket

/** `bytesPerSecond` of board, two seconds' worth at once; a board larger than that is encoded when it is full, leaving it in debt (TokenBucket.takeInDebt). */
export function encodingBudget(bytesPerSecond: number): EncodingBudget {
  return new TokenBucket(bytesPerSecond, bytesPerSecond * 2)
}

/**
 * An encoding's fixed part, as a share of the whole state's: the board of
 * 1,000 assessments (3.8 MB) encodes whole in 131 ms, for a client 20
 * assessments behind in 6.5 ms.
 */
const FIXED_SHARE = 1 / 20

/** What a reply of its own carrying `missingShare` of a board whose whole state is `wholeBytes` is charged. */
export function encodingCharge(wholeBytes: number, missingShare: number): number {
  return Math.ceil(wholeBytes * Math.max(FIXED_SHARE, Math.min(1, missingShare)))
}

/** Counts `byteLength` of board about to be encoded against every budget, if each allows it; false (nothing counted) when one does not. */
export function admitEncoding(byteLength: number, ...budgets: EncodingBudget[]): boolean {
  if (!budgets.every((budget) => budget.holdsInDebt(byteLength))) return false
  for (const budget of budgets) budget.spend(byteLength)
  return true
}
