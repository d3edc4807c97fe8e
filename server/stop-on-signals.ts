/**
 * SIGTERM or SIGINT stops the server within its shutdown deadline
 * (SHUTDOWN_TIMEOUT_MS), then ends the process; so does the server stopping
 * itself (RunningServer.stopsItself), with code 1 and why, so that a
 * supervisor starts it again. Should stopping hang past the
 * deadline anyway, the process still ends, so an orchestrator's stop timeout
 * never has to SIGKILL it; a second signal ends it at once.
 */
import type { RunningServer } from './server.ts'
import { errorMessage } from '../shared/error-message.ts'

/** Past the deadline, how long closing may still take before the process ends regardless. */
const EXIT_GRACE_MS = 1000

export function stopOnSignals(server: RunningServer): void {
  const { logger, config } = server.services
  let stopping = false
  let exitCode = 0
  const stop = () => {
    stopping = true
    setTimeout(() => {
      logger.error({ deadlineMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown overran its deadline; exiting')
      process.exit(1)
    }, config.SHUTDOWN_TIMEOUT_MS + EXIT_GRACE_MS).unref()
    server.close().then(
      () => {
        logger.info('shut down')
        process.exit(exitCode)
      },
      (error: unknown) => {
        logger.error({ err: errorMessage(error) }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal while shutting down: exiting now')
      process.exit(1)
    }
    logger.info({ signal, deadlineMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down')
    stop()
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  server.stopsItself
    .then((why) => {
      exitCode = 1
      logger.error({ deadlineMs: config.SHUTDOWN_TIMEOUT_MS }, why.message)
      // A shutdown begun by a signal already joins the server's own closing.
      if (!stopping) stop()
    })
    .catch((error: unknown) => {
      // Stopping could not even begin: the process ends all the same, so its supervisor starts it again.
      logger.error({ err: errorMessage(error) }, 'stopping the server failed')
      process.exit(1)
    })
}
