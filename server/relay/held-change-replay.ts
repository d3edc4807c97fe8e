/**
 * At start, before the server accepts connections: the HTTP changes an earlier
 * process answered `202` and had not committed (held-change-spool.ts) are
 * committed through their board's room as any server-side change is, their
 * sender's right decided again right before each is applied, as a request's
 * is (the board still there and not archived, the account still active and an
 * editor or more of it). A Yjs update stores only what the board lacks, so a
 * change whose commit landed before its process ended stores nothing again.
 * A file that cannot be read back as a change (damaged, truncated, not one),
 * or whose change is refused, is moved into `refused/` with an error line
 * naming its board, route, account and why: never dropped, never stopping the
 * start. One the database cannot take now stays for the next start.
 */
import * as Y from 'yjs'
import { serverOrigin } from '../../shared/change-origin.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { atLeast } from '../../shared/roles.ts'
import type { Access, Principal } from '../access/access.ts'
import type { Logger } from '../log.ts'
import type { Storage } from '../storage/storage.ts'
import { BoardDeleted, BoardFull, ChangeBrokeDocument, SavingDelayed } from './commit-errors.ts'
import { DamagedHeldFile, type HeldChange, type HeldChangeSpool } from './held-change-spool.ts'
import type { RoomRegistry } from './room-registry.ts'
import { validateUpdate } from './validate-update.ts'

/** A held change that is not to be stored: why. */
class ReplayRefused extends Error {
  override name = 'ReplayRefused'
}

export type ReplayParts = { spool: HeldChangeSpool; storage: Storage; access: Access; rooms: RoomRegistry; logger: Logger }

export type ReplayOutcome = { stored: number; refused: number; kept: number }

export async function replayHeldChanges(parts: ReplayParts): Promise<ReplayOutcome> {
  const { spool, logger } = parts
  const outcome: ReplayOutcome = { stored: 0, refused: 0, kept: 0 }
  let files: string[]
  try {
    files = await spool.leftOver()
  } catch (error) {
    // Not this process's to replay (another holds the spool), or unreadable: said, and the start goes on.
    logger.error({ folder: spool.folder, err: errorMessage(error) }, 'the held-changes spool cannot be replayed: its files stay in it, and until this process can hold it, a change whose saving is delayed is answered 503 rather than 202')
    return outcome
  }
  for (const file of files) {
    let read: { change: HeldChange; bytes: number }
    try {
      read = await spool.read(file)
    } catch (error) {
      await setAside(parts, file, null, error instanceof DamagedHeldFile ? error.message : `it could not be read: ${errorMessage(error)}`)
      outcome.refused++
      continue
    }
    const result = await replayOne(parts, file, read.change, read.bytes)
    outcome[result]++
  }
  if (outcome.stored + outcome.refused + outcome.kept > 0) logger.info({ folder: spool.folder, ...outcome }, 'held HTTP changes of an earlier run replayed')
  // Taken again at this process's first change answered 202: meanwhile another process on the folder may hold it.
  if (spool.idle) await spool.release()
  return outcome
}

async function replayOne(parts: ReplayParts, file: string, change: HeldChange, bytes: number): Promise<keyof ReplayOutcome> {
  const { spool, rooms, logger } = parts
  const named = { boardId: change.boardId, route: change.route, accountId: change.accountId, heldAt: change.at, file }
  try {
    const done = await rooms.withRoom(change.boardId, (room) => room.change((doc) => applyHeld(doc, change), () => stillAllowed(parts, change)))
    if (done === null) throw new ReplayRefused('its board no longer exists')
  } catch (error) {
    if (error instanceof SavingDelayed) {
      // Applied, and saved once the database takes it: its file goes then, as a change answered 202 now would.
      spool.adopt(file, bytes)
      // Named by a shutdown that comes first, as a change answered 202 by this process is.
      rooms.heldHttpChanges.hold(change.boardId, { route: change.route, accountId: change.accountId }, error.saved)
      error.saved.then(
        () => spool.remove(file).catch(() => undefined),
        () => undefined,
      )
      logger.warn(named, 'a held HTTP change of an earlier run is applied but not saved yet; its file stays until it is')
      return 'stored'
    }
    if (error instanceof ReplayRefused || error instanceof BoardFull || error instanceof ChangeBrokeDocument || error instanceof BoardDeleted) {
      await setAside(parts, file, change, error.message)
      return 'refused'
    }
    logger.error({ ...named, err: errorMessage(error) }, 'a held HTTP change of an earlier run could not be stored now; its file stays for the next start')
    return 'kept'
  }
  logger.info(named, 'a held HTTP change of an earlier run is stored')
  // Left behind, it is replayed at the next start again, and stores nothing again.
  await spool.remove(file).catch((error: unknown) => logger.warn({ ...named, err: errorMessage(error) }, 'could not remove the file of a held HTTP change now stored'))
  return 'stored'
}

async function setAside({ spool, logger }: ReplayParts, file: string, change: HeldChange | null, why: string): Promise<void> {
  const named = change ? { boardId: change.boardId, route: change.route, accountId: change.accountId, heldAt: change.at } : {}
  try {
    const to = await spool.setAside(file)
    logger.error({ ...named, file: to, why }, 'a held HTTP change answered 202 by an earlier run is refused and not stored; its file is set aside')
  } catch (error) {
    logger.error({ ...named, file, why, err: errorMessage(error) }, 'a held HTTP change answered 202 by an earlier run is refused and not stored, and its file could not be set aside')
  }
}

/** The sender's right to change the board, decided again as a request's is (board-role.ts): refused with why. */
async function stillAllowed({ storage, access }: ReplayParts, change: HeldChange): Promise<void> {
  const board = await storage.boards.get(change.boardId)
  if (!board) throw new ReplayRefused('its board no longer exists')
  if (board.archivedAt !== null) throw new ReplayRefused('its board is archived')
  let principal: Principal = { userId: null, tokenId: null, name: 'held change', isAdmin: false, via: 'open' }
  if (change.accountId !== null) {
    const user = await storage.users.get(change.accountId)
    if (!user) throw new ReplayRefused('its account no longer exists')
    if (user.deactivatedAt !== null) throw new ReplayRefused('its account is deactivated')
    principal = { userId: user.id, tokenId: null, name: user.name, isAdmin: user.isAdmin, via: 'token' }
  }
  const role = await access.authorize(principal, change.boardId)
  if (role === null) throw new ReplayRefused('its account is no longer a member of the board')
  // Every route whose change can be answered 202 needs the editor role.
  if (!atLeast(role, 'editor')) throw new ReplayRefused(`its account is now ${role} on the board, and changing it needs editor`)
}

/**
 * Applies the held updates, each with its origin, once their whole is checked
 * against the board as it is now: content it lacks, and what a websocket
 * update would be refused for (validate-update.ts). Nothing is applied when
 * anything is refused.
 */
function applyHeld(doc: Y.Doc, change: HeldChange): void {
  // With accounts a change's origin names its sender's account (mutationContext): a file naming anyone else is not one this server wrote.
  const foreign = change.accountId === null ? undefined : change.entries.find(({ origin }) => origin !== 'server' && origin !== `server:${change.accountId}`)
  if (foreign) throw new ReplayRefused(`its update's origin (${foreign.origin.slice(0, 80)}) names someone other than its account`)
  const updates = change.entries.map(({ update }) => update)
  const whole = updates.length === 1 ? updates[0]! : mergedOrRefused(updates)
  // First: the checks read where each item lands, which an item whose neighbour is missing has not.
  const lacking = lackedContent(doc, whole)
  if (lacking) throw new ReplayRefused(`it depends on content the board does not hold (${lacking}): edits made with it that were never stored`)
  const verdict = validateUpdate(whole, doc)
  if (verdict.refused) throw new ReplayRefused(`its content is refused: ${verdict.refused.reason}`)
  for (const { update, origin } of change.entries) Y.applyUpdate(doc, update, origin === 'server' ? null : serverOrigin(origin.slice('server:'.length)))
}

function mergedOrRefused(updates: Uint8Array[]): Uint8Array {
  try {
    return Y.mergeUpdates(updates)
  } catch (error) {
    throw new ReplayRefused(`its updates cannot be merged: ${errorMessage(error)}`)
  }
}

/**
 * What of `update` the doc lacks to integrate it whole (Yjs would keep that
 * part pending, neither applied nor stored), or null: a gap before a client's
 * structs, or an item's neighbour, parent or deletion past both what the doc
 * holds of that client and what the update brings of it.
 */
function lackedContent(doc: Y.Doc, update: Uint8Array): string | null {
  const { structs, ds } = Y.decodeUpdate(update)
  // Per client, the clock up to which the doc, with the update, holds everything.
  const through = new Map<number, number>()
  const held = (client: number) => through.get(client) ?? Y.getState(doc.store, client)
  for (const struct of structs) {
    const { client, clock } = struct.id
    const upTo = held(client)
    if (!(struct instanceof Y.Item) && !(struct instanceof Y.GC)) {
      // A skip: the update does not hold this range.
      if (clock + struct.length > upTo) return `${client}:${clock}`
      continue
    }
    if (clock > upTo) return `${client}:${upTo}`
    through.set(client, Math.max(upTo, clock + struct.length))
  }
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue
    const parent = struct.parent instanceof Y.ID ? struct.parent : null
    for (const named of [struct.origin, struct.rightOrigin, parent]) {
      if (named !== null && named.clock >= held(named.client)) return `${named.client}:${named.clock}`
    }
  }
  for (const [client, ranges] of ds.clients) {
    for (const { clock, len } of ranges) if (clock + len > held(client)) return `${client}:${clock}`
  }
  return null
}
