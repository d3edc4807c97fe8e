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

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  const { verify } = await argon2()
  try {
    return await verify(passwordHash, password)
  } catch {
    // A malformed stored hash matches nothing.
    return false
  }
}

let decoy: Promise<string> | undefined

/**
 * Spends the time a real check would, for an email with no account, so the
 * answer's timing does not tell which emails have one.
 */
export async function verifyDecoy(password: string): Promise<false> {
  decoy ??= hashPassword('assay-decoy-password')
  await verifyPassword(await decoy, password)
  return false
}
