/**
 * The answer to an HTTP change applied but not committed within COMMIT_WAIT_MS
 * (SavingDelayed): `202` only once the change is kept in the held-changes
 * spool, its file fsynced (held-change-spool.ts), so that a restart of this
 * server before the database takes it stores it at the next start; else `503`
 * `outcome_unknown`, as it may or may not be stored (its message saying so when
 * the sender's share of the spool is what was spent). The file is removed once
 * the change is committed, or its board deleted.
 */
import type { Context } from 'hono'
import { routePath } from 'hono/route'
import { errorMessage } from '../../shared/error-message.ts'
import type { Principal } from '../access/access.ts'
import { BoardDeleted, SavingDelayed } from '../relay/commit-errors.ts'
import { SpoolShareSpent } from '../relay/held-change-spool.ts'
import { handleError, SAVING_DELAYED_MESSAGE, serviceUnavailable } from './errors.ts'

/** The app's error handler: handleError, but a change whose saving is delayed is kept on disk before it is answered. */
export function handleAppError(error: Error, c: Context): Response | Promise<Response> {
  return error instanceof SavingDelayed ? answerSavingDelayed(error, c) : handleError(error, c)
}

async function answerSavingDelayed(delayed: SavingDelayed, c: Context): Promise<Response> {
  const services = c.get('services')
  const principal = c.get('principal') as Principal | undefined
  const held = { route: routePath(c), accountId: principal?.userId ?? null }
  const { boardId, applied, saved } = delayed
  try {
    // A change that applied nothing has nothing to lose.
    if (applied.length > 0) {
      const name = await services.heldChanges.keep({ boardId, ...held, at: new Date().toISOString(), entries: applied })
      saved.then(
        () => removeHeld(c, name, boardId),
        // Unloaded first (a shutdown), it stays for the next start; a deleted board's change has nowhere to go.
        (error: unknown) => (error instanceof BoardDeleted ? removeHeld(c, name, boardId) : undefined),
      )
    }
  } catch (error) {
    services.logger.error({ boardId, ...held, err: errorMessage(error) }, 'an HTTP change applied but not saved could not be kept in the held-changes spool; answered 503')
    return serviceUnavailable(c, error instanceof SpoolShareSpent ? 'held-share-spent' : 'held-unspooled')
  }
  services.rooms.heldHttpChanges.hold(boardId, held, saved)
  services.logger.warn({ path: c.req.path, err: delayed.message }, 'change applied but not yet saved, kept in the held-changes spool; answered 202')
  return c.json({ saving: 'delayed', message: SAVING_DELAYED_MESSAGE }, 202)
}

function removeHeld(c: Context, name: string, boardId: string): void {
  const { heldChanges, logger } = c.get('services')
  heldChanges.remove(name).catch((error: unknown) =>
    // Left behind, it is replayed at the next start, and a change stored already stores nothing again.
    logger.warn({ boardId, file: name, err: errorMessage(error) }, 'could not remove the held-changes file of a change now saved'),
  )
}
