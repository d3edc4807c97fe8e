/**
 * The audit log: who did what, when, on which board. Entries are written by
 * the code that performs the action, in the action's own transaction
 * (`audited`, `auditedAs`; a restore's in the update log's transaction that
 * commits it); a failed or refused sign-in, an export and a history read are
 * themselves the action. `detail` holds ids, labels and counts, never a secret.
 */
import { CLOSE } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import { encodeControlMessage, type ControlMessage } from '../relay/control-message.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import { CommitOutcomeUnknown } from '../storage/storage-errors.ts'
import type { AuditRecord, NewAuditRecord, Storage } from '../storage/storage.ts'
import type { Principal } from './access.ts'

export const AUDIT_ACTIONS = [
  'setup',
  'sign-in',
  'sign-in-failed',
  'sign-in-refused',
  'sign-out',
  'user-added',
  'password-reset',
  'password-changed',
  'user-deactivated',
  'user-reactivated',
  'admin-granted',
  'admin-revoked',
  'board-created',
  'board-archived',
  'board-restored',
  'board-deleted',
  'member-added',
  'member-role-changed',
  'member-removed',
  'invite-created',
  'invite-accepted',
  'invite-revoked',
  'token-created',
  'token-revoked',
  'snapshot',
  'snapshot-deleted',
  'restore',
  'export',
  'export-failed',
  'history-viewed',
  'history-view-failed',
  'yardstick-changed',
] as const

export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export type AuditDetail = Record<string, string | number | boolean | null>

export type AuditEntry = {
  /** Who acted; null for an anonymous attempt (a failed sign-in). */
  actor: Principal | null
  action: AuditAction
  boardId?: string | null
  detail?: AuditDetail
  /** Names the actor when there is no principal, e.g. the email a failed sign-in tried. */
  actorLabel?: string
  /** What the change tells the other instances, in its own commit (NewAuditRecord's `tells`): the rights it takes away. */
  tells?: readonly ControlMessage[]
}

/** Where an audited change is logged, and the sockets it tells closed are closed when its commit's outcome is unknown. */
type AuditServices = { logger?: Logger; rooms?: Pick<RoomRegistry, 'closeConnections'> }

/** An entry as `GET /api/boards/:id/audit` returns it. */
export type AuditView = Omit<AuditRecord, 'detail'> & { detail: AuditDetail }

export async function audit(services: AuditServices & { storage: Storage }, entry: AuditEntry): Promise<void> {
  await audited(services, entry, (row) => services.storage.audit.append(row))
}

/**
 * Writes `entry` with the change it records: `store` writes the change and the
 * row given it in one transaction (the stores' `audited` arguments), so that a
 * refused write (a full disk) stores neither, and a stored change always has
 * its entry. Resolves with what `store` does; the entry is logged when
 * `wrote` says the store wrote it: by default unless that is false or null
 * (the stores' answer when they wrote nothing).
 */
export function audited<T>(
  services: AuditServices,
  entry: AuditEntry,
  store: (row: NewAuditRecord) => Promise<T>,
  wrote: (stored: T) => boolean = (stored) => stored !== false && stored !== null,
): Promise<T> {
  return auditedTogether(services, [entry], ([row]) => store(row!), wrote)
}

/**
 * As `audited`, for one change that several entries record (an account made
 * an admin and reactivated by one request): `store` writes every row with the
 * change, in its transaction.
 */
export async function auditedTogether<T>(
  services: AuditServices,
  entries: readonly AuditEntry[],
  store: (rows: NewAuditRecord[]) => Promise<T>,
  wrote: (stored: T) => boolean = (stored) => stored !== false && stored !== null,
): Promise<T> {
  const rows = entries.map(auditRow)
  const stored = await closingWhatMayHaveCommitted(services, () => entries, () => store(rows))
  if (wrote(stored)) entries.forEach((entry, index) => logAudited(services, entry, rows[index]!))
  return stored
}

/**
 * As `audited`, for a change whose entry says what the store found as it made
 * it (the role an invite raised its member from, how many sessions a new
 * password ended): `store` asks for the row of what it found, and writes it in
 * the change's transaction, only when it makes the change. The entry is logged
 * when the store asked for it and its transaction committed.
 */
export async function auditedAs<T, Found>(
  services: AuditServices,
  entryOf: (found: Found) => AuditEntry,
  store: (rowOf: (found: Found) => NewAuditRecord) => Promise<T>,
): Promise<T> {
  let written: { entry: AuditEntry; row: NewAuditRecord } | undefined
  const writtenEntries = () => (written ? [written.entry] : [])
  const stored = await closingWhatMayHaveCommitted(services, writtenEntries, () =>
    store((found) => {
      const entry = entryOf(found)
      written = { entry, row: auditRow(entry) }
      return written.row
    }),
  )
  if (written) logAudited(services, written.entry, written.row)
  return stored
}

/**
 * `store`'s outcome; should its commit's be unknown (CommitOutcomeUnknown),
 * the sockets its entries tell closed are closed all the same, to reconnect:
 * a change that did commit must not leave them open with the rights it took
 * away (nothing else may tell this instance), and one that did not costs them
 * a reconnect, whose upgrade decides from what is stored.
 */
async function closingWhatMayHaveCommitted<T>(services: AuditServices, entries: () => readonly AuditEntry[], store: () => Promise<T>): Promise<T> {
  try {
    return await store()
  } catch (error) {
    if (error instanceof CommitOutcomeUnknown) {
      for (const { selector } of entries().flatMap((entry) => entry.tells ?? [])) services.rooms?.closeConnections(selector, CLOSE.accessChanged)
    }
    throw error
  }
}

function auditRow(entry: AuditEntry): NewAuditRecord {
  return {
    at: new Date().toISOString(),
    actorId: entry.actor?.userId ?? null,
    actorLabel: entry.actorLabel ?? entry.actor?.name ?? 'anonymous',
    action: entry.action,
    boardId: entry.boardId ?? null,
    detail: JSON.stringify(entry.detail ?? {}),
    ...(entry.tells ? { tells: entry.tells.map(encodeControlMessage) } : {}),
  }
}

function logAudited(services: { logger?: Logger }, entry: AuditEntry, row: NewAuditRecord): void {
  // Without a principal the label may come from what someone typed (a failed sign-in): it stays out of the logs.
  const actor = row.actorId ?? (entry.actor ? row.actorLabel : 'anonymous')
  services.logger?.info({ audit: entry.action, actor, boardId: row.boardId }, `audit: ${entry.action}`)
}

export function toAuditView(record: AuditRecord): AuditView {
  return { ...record, detail: JSON.parse(record.detail) as AuditDetail }
}
