/**
 * SIGTERM or SIGINT stops the server within its shutdown deadline
 * (SHUTDOWN_TIMEOUT_MS), then ends the process; so does the server stopping
 * itself (RunningServer.stopsItself), with code 1 and why, so that a
 * supervisor starts it again. Should stopping hang past the deadline anyway,
 * the process still ends, so an orchestrator's stop timeout never has to
 * SIGKILL it.
 *
 * A signal while it shuts down is answered with a line saying so and how long
 * is left before the deadline, and changes nothing: an orchestrator sending
 * SIGTERM again, or an operator making sure, does not cut the drain short.
 * A third signal, or a second SIGINT (Ctrl-C twice, as a person at a terminal
 * presses it), ends the process at once, with 128 + the signal's number (130,
 * 143), as a process that signal ended. That loses nothing anyone was told was
 * stored: an edit is committed before it is acknowledged, and a change answered
 * 202 is on disk in DATA_DIR/held-changes before its answer. What is not waited
 * for is edits not yet committed, which their clients still hold and send again.
 */
import { constants } from 'node:os'
import type { RunningServer } from './server.ts'
import { errorMessage } from '../shared/error-message.ts'

/** Past the deadline, how long closing may still take before the process ends regardless. */
const EXIT_GRACE_MS = 1000

export function stopOnSignals(server: RunningServer): void {
  const { logger, config } = server.services
  /** When the shutdown began (performance.now()), undefined while serving. */
  let stoppingSince: number | undefined
  let exitCode = 0
  /** The signals received, in order. */
  const received: NodeJS.Signals[] = []
  const stop = () => {
    stoppingSince = performance.now()
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
    received.push(signal)
    if (stoppingSince === undefined) {
      logger.info({ signal, deadlineMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down')
      stop()
      return
    }
    if (received.length >= 3 || (signal === 'SIGINT' && received.indexOf('SIGINT') < received.length - 1)) {
      logger.error({ signal, signals: received.length }, 'signal repeated while shutting down: exiting now, without waiting for edits not yet committed (every edit acknowledged is stored; their clients send the others again)')
      process.exit(128 + constants.signals[signal])
    }
    const leftMs = Math.max(0, Math.round(config.SHUTDOWN_TIMEOUT_MS - (performance.now() - stoppingSince)))
    logger.warn(
      { signal, leftMs, deadlineMs: config.SHUTDOWN_TIMEOUT_MS },
      `shutdown in progress, ${Math.ceil(leftMs / 1000)} s left before its deadline; a third signal, or a second SIGINT, exits at once without waiting for edits not yet committed`,
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  server.stopsItself
    .then((why) => {
      exitCode = 1
      logger.error({ deadlineMs: config.SHUTDOWN_TIMEOUT_MS }, why.message)
      // A shutdown begun by a signal already joins the server's own closing.
      if (stoppingSince === undefined) stop()
    })
    .catch((error: unknown) => {
      // Stopping could not even begin: the process ends all the same, so its supervisor starts it again.
      logger.error({ err: errorMessage(error) }, 'stopping the server failed')
      process.exit(1)
    })
}
