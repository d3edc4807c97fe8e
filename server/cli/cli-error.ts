/** An error the person at the terminal can fix; printed without a stack trace. */
export class CliError extends Error {
  override name = 'CliError'
}
