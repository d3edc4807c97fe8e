/**
 * At start: the HTTP changes an earlier process answered `202` and had not
 * committed (held-change-spool.ts) are committed through their board's room as
 * any server-side change is, in the order they were kept, their sender's right
 * decided again right before each is applied, as a request's is (the board
 * still there and not archived, the account still active and an editor or
 * more of it). A change its board holds already (its commit landed before its
 * process ended) stores nothing, whatever its sender's right now: its file goes.
 *
 * The server waits for the replay before it listens at most COMMIT_WAIT_MS
 * (server.ts): with a database that reads but does not finish commits, each
 * file waits that long, and a full spool would keep the server down for hours
 * with /healthz unanswered. The rest is replayed once it listens (Yjs merges
 * updates in any order), by this same loop.
 *
 * A change that depends on content its board lacks (a websocket client's edit
 * never stored, which its client sends again once it reconnects to the server
 * now up), or that the database cannot take now, is tried again every
 * RETRY_EVERY_MS until HELD_CHANGES_RETRY_MS after the start. A file that
 * cannot be read back as a change (damaged, truncated, not one), or whose
 * change is refused (or still lacks content then), is moved into `refused/`
 * with an error line naming its board, route, account and why: never dropped,
 * never stopping the start. One the database still cannot take stays for the
 * next start. Nothing here rejects: every failure is logged and contained.
 *
 * A file promised on another deployment (its database another than this
 * server's: held-change-spool.ts) is left in the folder untouched, neither
 * replayed nor set aside, and said in one warning line before anything is
 * replayed: on the wrong database its board is missing, and setting it aside
 * as refused lost it for the start on the right one.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import * as Y from 'yjs'
import { serverOrigin } from '../../shared/change-origin.ts'
import { errorMessage } from '../../shared/error-message.ts'
import type { BoardFullNotice } from '../../shared/protocol.ts'
import { atLeast } from '../../shared/roles.ts'
import type { Access, Principal } from '../access/access.ts'
import type { Logger } from '../log.ts'
import type { Storage } from '../storage/storage.ts'
import { BoardDeleted, BoardFull, ChangeBrokeDocument, SavingDelayed } from './commit-errors.ts'
import { deletionsTaken } from './full-board-splits.ts'
import { DamagedHeldFile, type HeldChange, type HeldChangeSpool, type HeldFile } from './held-change-spool.ts'
import type { RoomRegistry } from './room-registry.ts'
import { validateUpdate } from './validate-update.ts'

/** A held change that is not to be stored: why. */
class ReplayRefused extends Error {
  override name = 'ReplayRefused'
}

/** A held change that depends on content its board does not hold (yet): why. */
class LacksContent extends Error {
  override name = 'LacksContent'
}

/** Between two tries of the held changes left waiting. */
const RETRY_EVERY_MS = 1000

/**
 * `retryForMs`: HELD_CHANGES_RETRY_MS. `stopped`: the server is shutting down, so nothing more is tried (what is left
 * stays for the next start).
 */
export type ReplayParts = { spool: HeldChangeSpool; storage: Storage; access: Access; rooms: RoomRegistry; logger: Logger; retryForMs: number; stopped: () => boolean }

/** `elsewhere`: files of another deployment's, left in the folder untouched. */
export type ReplayOutcome = { stored: number; refused: number; kept: number; elsewhere: number }

type Waiting = HeldFile & { file: string; why: Error }

/** Replays the spool's left-over files; resolves once each is stored, set aside, or left for the next start. Never rejects. */
export async function replayHeldChanges(parts: ReplayParts): Promise<ReplayOutcome> {
  const { spool, logger } = parts
  const outcome: ReplayOutcome = { stored: 0, refused: 0, kept: 0, elsewhere: 0 }
  try {
    const until = Date.now() + parts.retryForMs
    let files: string[]
    try {
      files = await spool.leftOver()
    } catch (error) {
      // Not this process's to replay (another holds the spool), or unreadable: said, and the start goes on.
      logger.error({ folder: spool.folder, err: errorMessage(error) }, 'the held-changes spool cannot be replayed: its files stay in it, and until this process can hold it, a change whose saving is delayed is answered 503 rather than 202')
      return outcome
    }
    // First, which files are this deployment's: those of another are said in one line before anything is replayed.
    const own: string[] = []
    const elsewhere = new Map<string, number>()
    for (const file of files) {
      if (parts.stopped()) break
      const read = await readOrSetAside(parts, file, outcome)
      if (!read) continue
      const other = spool.otherDeployment(read)
      if (other === null) own.push(file)
      else elsewhere.set(other, (elsewhere.get(other) ?? 0) + 1)
    }
    outcome.elsewhere = [...elsewhere.values()].reduce((sum, count) => sum + count, 0)
    spool.otherDeploymentFiles = outcome.elsewhere
    if (elsewhere.size > 0) {
      logger.warn(
        { folder: spool.folder, files: outcome.elsewhere, deployments: Object.fromEntries(elsewhere), thisDeployment: spool.deployment },
        'held HTTP changes answered 202 on another deployment (another database) wait in the held-changes folder, neither replayed nor set aside here: start a server with this DATA_DIR on the database they were promised on to store them (a SQLite database `assay restore` kept aside: restore it with --replay-held, which keeps its deployment), or move them out of the folder',
      )
    }
    let waiting: Waiting[] = []
    for (const file of own) {
      if (parts.stopped()) break
      // Read again, one at a time: the spool's files need not all fit in memory at once.
      const read = await readOrSetAside(parts, file, outcome)
      if (!read) continue
      const result = await replayOne(parts, file, read.change, read.bytes)
      if (result instanceof Error) waiting.push({ file, ...read, why: result })
      else outcome[result]++
    }
    // Tried again in the order they were kept: a later change may build on an earlier one.
    while (waiting.length > 0 && Date.now() < until && !parts.stopped()) {
      await sleep(RETRY_EVERY_MS, undefined, { ref: false })
      const left: Waiting[] = []
      for (const held of waiting) {
        const result = parts.stopped() ? held.why : await replayOne(parts, held.file, held.change, held.bytes)
        if (result instanceof Error) left.push({ ...held, why: result })
        else outcome[result]++
      }
      waiting = left
    }
    for (const { file, change, why } of waiting) {
      const named = { boardId: change.boardId, route: change.route, accountId: change.accountId, heldAt: change.at, file }
      if (why instanceof LacksContent && !parts.stopped()) {
        await setAside(parts, file, change, why.message)
        outcome.refused++
      } else {
        logger.error({ ...named, err: why.message }, 'a held HTTP change of an earlier run could not be stored now; its file stays for the next start')
        outcome.kept++
      }
    }
    if (outcome.stored + outcome.refused + outcome.kept + outcome.elsewhere > 0) logger.info({ folder: spool.folder, ...outcome }, 'held HTTP changes of an earlier run replayed')
    // Taken again at this process's first change answered 202: meanwhile another process on the folder may hold it.
    if (spool.idle) await spool.release()
  } catch (error) {
    logger.error({ folder: spool.folder, err: errorMessage(error) }, 'the replay of held HTTP changes stopped; the files left stay for the next start')
  }
  return outcome
}

/** Stores a held change, or sets it aside; an Error when it is to be tried again (it lacks content, or the database cannot take it now). */
async function replayOne(parts: ReplayParts, file: string, change: HeldChange, bytes: number): Promise<'stored' | 'refused' | Error> {
  const { spool, rooms, logger } = parts
  const named = { boardId: change.boardId, route: change.route, accountId: change.accountId, heldAt: change.at, file }
  let already = false
  try {
    const whole = checkedWhole(change)
    const done = await rooms.withRoom(change.boardId, async (room) => {
      // First: a change stored already stays stored, whatever its sender may do now.
      already = addsNothing(room.doc, whole)
      // A change that only deletes is taken by a full board, as it was when answered (a deletion over HTTP), within the rule a member's deletions meet (applyHeld).
      if (!already) await room.change((doc) => applyHeld(doc, change, whole, () => room.full), () => stillAllowed(parts, change), { evenWhenFull: onlyDeletes(whole) })
      return true
    })
    if (done === null) throw new ReplayRefused('its board no longer exists')
  } catch (error) {
    if (error instanceof SavingDelayed) {
      // Applied, and saved once the database takes it: its file goes then, as a change answered 202 now would.
      spool.adopt(file, bytes, change.accountId)
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
    if (error instanceof LacksContent) {
      logger.debug({ ...named, why: error.message }, 'a held HTTP change of an earlier run lacks content its board does not hold yet; tried again later')
      return error
    }
    logger.debug({ ...named, err: errorMessage(error) }, 'a held HTTP change of an earlier run could not be stored now; tried again later')
    return error instanceof Error ? error : new Error(String(error))
  }
  logger.info(named, already ? 'a held HTTP change of an earlier run was stored already' : 'a held HTTP change of an earlier run is stored')
  // Left behind, it is replayed at the next start again, and stores nothing again.
  await spool.remove(file).catch((error: unknown) => logger.warn({ ...named, err: errorMessage(error) }, 'could not remove the file of a held HTTP change now stored'))
  return 'stored'
}

/** A left-over file read back, or null once it is set aside (damaged, not a held change, unreadable). */
async function readOrSetAside(parts: ReplayParts, file: string, outcome: ReplayOutcome): Promise<HeldFile | null> {
  try {
    return await parts.spool.read(file)
  } catch (error) {
    await setAside(parts, file, null, error instanceof DamagedHeldFile ? error.message : `it could not be read: ${errorMessage(error)}`)
    outcome.refused++
    return null
  }
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
 * The held updates as one, once their origins are those this server writes:
 * with accounts a change's origin names its sender's account
 * (mutationContext); without one, the bare `server` (a file naming anyone
 * there is not one this server wrote).
 */
function checkedWhole(change: HeldChange): Uint8Array {
  const own = change.accountId === null ? null : `server:${change.accountId}`
  const foreign = change.entries.find(({ origin }) => origin !== 'server' && origin !== own)
  if (foreign) throw new ReplayRefused(`its update's origin (${foreign.origin.slice(0, 80)}) names someone other than its account`)
  const updates = change.entries.map(({ update }) => update)
  return updates.length === 1 ? updates[0]! : mergedOrRefused(updates)
}

/**
 * Whether the board holds all of `update` already: none of its structs past
 * what the doc holds, and each deletion in it deleted there. A malformed
 * update is refused.
 */
function addsNothing(doc: Y.Doc, update: Uint8Array): boolean {
  return decodedOrRefused(() => {
    if (Y.decodeUpdate(Y.diffUpdate(update, Y.encodeStateVector(doc))).structs.length > 0) return false
    const deleted = Y.createDeleteSetFromStructStore(doc.store)
    for (const [client, ranges] of Y.decodeUpdate(update).ds.clients) {
      const held = deleted.clients.get(client) ?? []
      // Merged, so a deletion already made lies within one of the doc's ranges.
      for (const { clock, len } of ranges) if (!held.some((range) => range.clock <= clock && clock + len <= range.clock + range.len)) return false
    }
    return true
  })
}

/**
 * Applies the held updates, each with its origin, once their whole is checked
 * against the board as it is now: content it lacks, what a websocket update
 * would be refused for (validate-update.ts), and, while the board is full
 * (`full`), whether it takes them (only deletions, and those splitting items
 * within its headroom: deletionsTaken, the rule a member's update meets).
 * Nothing is applied when anything is refused.
 */
function applyHeld(doc: Y.Doc, change: HeldChange, whole: Uint8Array, full: () => BoardFullNotice | null): void {
  // First: the checks read where each item lands, which an item whose neighbour is missing has not.
  const lacking = decodedOrRefused(() => lackedContent(doc, whole))
  if (lacking) throw new LacksContent(`it depends on content the board does not hold (${lacking}): edits made with it that were never stored`)
  const verdict = decodedOrRefused(() => validateUpdate(whole, doc))
  if (verdict.refused) throw new ReplayRefused(`its content is refused: ${verdict.refused.reason}`)
  const notice = full()
  if (notice && (!onlyDeletes(whole) || deletionsTaken(whole, doc, notice.limit) !== whole)) throw new BoardFull(notice)
  for (const { update, origin } of change.entries) Y.applyUpdate(doc, update, origin === 'server' ? null : serverOrigin(origin.slice('server:'.length)))
}

/** Whether `update` adds nothing: a full board may take it. */
function onlyDeletes(update: Uint8Array): boolean {
  return decodedOrRefused(() => Y.decodeUpdate(update).structs.length === 0)
}

/** `read`'s answer; a held update that cannot be decoded is refused (set aside), not tried at every start for ever. */
function decodedOrRefused<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof ReplayRefused) throw error
    throw new ReplayRefused(`its update cannot be decoded: ${errorMessage(error)}`)
  }
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
