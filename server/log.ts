/**
 * JSON logs. Secrets never reach a log line: the redact paths below cover every
 * place a credential could be handed to the logger.
 */
import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

/** Logs to standard output, or to `destination` (tests read the lines to check that no secret is in them). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'assay' },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie', 'authorization', '*.authorization', 'headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  }
  return destination ? pino(options, destination) : pino(options)
}
