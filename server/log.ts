/**
 * JSON logs. Secrets never reach a log line: the redact paths below cover every
 * place a credential could be handed to the logger.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'assay' },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie', 'authorization', '*.authorization', 'headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  })
}
