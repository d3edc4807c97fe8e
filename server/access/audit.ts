/**
 * The audit log: who did what, when, on which board. Entries are written by
 * the code that performs the action, after it succeeded (a failed sign-in is
 * itself the action). `detail` holds ids, labels and counts, never a secret.
 */
import type { Logger } from '../log.ts'
import type { AuditRecord, Storage } from '../storage/storage.ts'
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
  const actorLabel = entry.actorLabel ?? entry.actor?.name ?? 'anonymous'
  const record = {
    at: new Date().toISOString(),
    actorId: entry.actor?.userId ?? null,
    actorLabel,
    action: entry.action,
    boardId: entry.boardId ?? null,
    detail: JSON.stringify(entry.detail ?? {}),
  }
  await services.storage.audit.append(record)
  // Without a principal the label may come from what someone typed (a failed sign-in): it stays out of the logs.
  services.logger?.info({ audit: entry.action, actor: record.actorId ?? (entry.actor ? actorLabel : 'anonymous'), boardId: record.boardId }, `audit: ${entry.action}`)
}

export function toAuditView(record: AuditRecord): AuditView {
  return { ...record, detail: JSON.parse(record.detail) as AuditDetail }
}
