/**
 * Password hashes: argon2id with a random 16-byte salt per hash. The PHC
 * string stores the algorithm, its parameters and the salt with the hash, so
 * the parameters can be raised later without breaking older hashes.
 */

/** The native hasher is loaded at the first password checked, not by every process that never checks one. */
const argon2 = () => import('@node-rs/argon2')

/** OWASP's baseline for argon2id: 19 MiB, two passes, one lane (about 40 ms here). */
const PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export const PASSWORD_MIN_LENGTH = 12
/** A cap so that a huge body cannot make one request hash for long. */
export const PASSWORD_MAX_LENGTH = 1024

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, PARAMETERS)
}

/** How long the latest password check took on this process, the load on libuv's pool included. */
let latestCheckMs: number | undefined

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  const { verify } = await argon2()
  const started = performance.now()
  try {
    const matches = await verify(passwordHash, password)
    latestCheckMs = performance.now() - started
    return matches
  } catch {
    // A malformed stored hash matches nothing (and, refused at once, says nothing of how long a check takes).
    return false
  }
}

let firstCheck: Promise<boolean> | undefined

/**
 * How long checking a password takes now, for an email with no account to be
 * answered as slowly as a wrong password without spending a core on it. Until
 * this process has checked a password, it checks a decoy's once to know.
 */
export async function checkDurationMs(): Promise<number> {
  if (latestCheckMs === undefined) await (firstCheck ??= hashPassword('assay-decoy-password').then((decoy) => verifyPassword(decoy, 'not the decoy password')))
  return latestCheckMs ?? 0
}
