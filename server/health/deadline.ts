/** Thrown when something did not answer within its deadline. */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded'
}

/** `work`'s result, or a DeadlineExceeded rejection once `ms` have passed (the work itself carries on, unobserved). */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`${what} did not answer within ${ms} ms`)), ms)
  })
  // A late rejection of the abandoned work must not surface as an unhandled one.
  work.catch(() => {})
  return Promise.race([work, expired]).finally(() => clearTimeout(timer))
}
