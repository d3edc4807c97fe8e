/**
 * The audit log: who did what, when, on which board. Entries are written by
 * the code that performs the action, after it succeeded or, where storage
 * allows, in the action's own transaction (`audited`); a failed sign-in is
 * itself the action. `detail` holds ids, labels and counts, never a secret.
 */
import type { Logger } from '../log.ts'
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
}

/** An entry as `GET /api/boards/:id/audit` returns it. */
export type AuditView = Omit<AuditRecord, 'detail'> & { detail: AuditDetail }

export async function audit(services: { storage: Storage; logger?: Logger }, entry: AuditEntry): Promise<void> {
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
export async function audited<T>(
  services: { logger?: Logger },
  entry: AuditEntry,
  store: (row: NewAuditRecord) => Promise<T>,
  wrote: (stored: T) => boolean = (stored) => stored !== false && stored !== null,
): Promise<T> {
  const actorLabel = entry.actorLabel ?? entry.actor?.name ?? 'anonymous'
  const row = {
    at: new Date().toISOString(),
    actorId: entry.actor?.userId ?? null,
    actorLabel,
    action: entry.action,
    boardId: entry.boardId ?? null,
    detail: JSON.stringify(entry.detail ?? {}),
  }
  const stored = await store(row)
  if (!wrote(stored)) return stored
  // Without a principal the label may come from what someone typed (a failed sign-in): it stays out of the logs.
  services.logger?.info({ audit: entry.action, actor: row.actorId ?? (entry.actor ? actorLabel : 'anonymous'), boardId: row.boardId }, `audit: ${entry.action}`)
  return stored
}

export function toAuditView(record: AuditRecord): AuditView {
  return { ...record, detail: JSON.parse(record.detail) as AuditDetail }
}
