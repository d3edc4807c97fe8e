/**
 * What a start-up has opened so far (a database, Redis connections, worker
 * threads, timers, a listening socket, a lock), each with how to close it. A
 * step that fails has everything opened before it closed, newest first, so
 * that a failed start leaves nothing behind: no connection keeping the
 * process up or held against the database's connection limit, no SQLite
 * handle or file lock. One stack for the whole start-up, rather than a
 * try/catch at each step that a new step could forget.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { errorMessage } from '../shared/error-message.ts'
import type { Logger } from './log.ts'

type Opened = { what: string; close: () => unknown }

export class OpenedResources {
  private readonly opened: Opened[] = []

  /** Notes `what` as open, closed by `close` should a later step fail; returns `resource`, for use inline. */
  add<T>(what: string, resource: T, close: (resource: T) => unknown): T {
    this.opened.push({ what, close: () => close(resource) })
    return resource
  }

  /**
   * Closes everything noted, newest first, each in turn. A close that fails is
   * logged and the next one runs; one still hanging after `closeMs` (a
   * database that stopped answering) is left, so that a failed start ends.
   */
  async closeAll(logger: Logger, closeMs: number): Promise<void> {
    const deadline = sleep(closeMs, 'late' as const, { ref: false })
    for (const { what, close } of this.opened.splice(0).reverse()) {
      try {
        if ((await Promise.race([Promise.resolve(close()), deadline])) === 'late') logger.warn({ what, closeMs }, 'start-up failed; closing what it had opened took too long, left as it is')
      } catch (error) {
        logger.warn({ what, err: errorMessage(error) }, 'start-up failed; closing what it had opened failed too')
      }
    }
  }
}

/**
 * Runs the steps of a start-up in `start`, which notes each thing it opens;
 * should a step fail, what was opened is closed (closeAll) and the failure
 * passes on as it was. Once `start` has succeeded, its caller owns what it
 * opened.
 */
export async function owningWhatOpens<T>(logger: Logger, closeMs: number, start: (opened: OpenedResources) => Promise<T>): Promise<T> {
  const opened = new OpenedResources()
  try {
    return await start(opened)
  } catch (error) {
    await opened.closeAll(logger, closeMs)
    throw error
  }
}
