/**
 * A start-up that cannot go on for a reason the operator can fix (a port taken, a host not on the machine, a
 * database missing): its message is one line naming the setting and what to do, printed without a stack trace
 * (the cause's is logged at debug).
 */
export class StartupError extends Error {
  override name = 'StartupError'
}

/** The driver's own words: Drizzle wraps them in a message holding the whole query and its parameters. */
export function innermostMessage(error: unknown): string {
  let inner = error
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause
  return inner instanceof Error ? inner.message : String(inner)
}
