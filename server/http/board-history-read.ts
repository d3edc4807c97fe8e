/** A route's costly read of its board's history or of a snapshot, counted against its caller and the instance (history-reads.ts). */
import type { Context } from 'hono'
import type { AsOfVersion } from '../export/export-version.ts'
import { asOfPosition } from '../history/as-of-position.ts'
import type { AuditDetail } from '../access/audit.ts'
import { historyAudit, type HistoryRead } from '../history/history-audit.ts'
import type { AsOfLog } from '../history/as-of-log.ts'
import { loadAsOfLog, readBoardAsOf, type BoardAsOfResult } from '../history/read-history.ts'
import type { SnapshotRecord } from '../storage/storage.ts'
import { spendAllowance } from './allowance.ts'
import type { BoardEnv } from './app-env.ts'
import { keptAsOf, pastTime } from './as-of-query.ts'
import { auditAnswer } from './board-role.ts'
import { ApiError } from './errors.ts'
import type { HistoryReadKind } from './history-reads.ts'

/** The caller's read of their board's history, within the limits. */
export function historyRead<T>(c: Context<BoardEnv>, kind: HistoryReadKind, parameters: string, compute: () => Promise<T>): Promise<T> {
  return c.var.services.historyReads.read(c.var.principal.userId, { boardId: c.var.board.id, kind, parameters }, compute)
}

/**
 * The board as it was at `asOf`, for the caller to see (its model or state):
 * counted against their AS_OF_READS_PER_HOUR_PER_PERSON before anything is
 * read, and audited once per version of the board they see (`auditHistoryRead`).
 */
export async function seeBoardAsOf(c: Context<BoardEnv>, asOf: string): Promise<Extract<BoardAsOfResult, { kind: 'rebuilt' }>> {
  const { services, principal, board } = c.var
  const past = await pastTime(c, asOf)
  await spendAllowance(services.allowances.asOfReads, principal, 'read boards as of a past time as many times')
  const read = keptAsOf(await historyRead(c, 'board-as-of', await asOfVersionName(c, past), () => readBoardAsOf(services, board.id, past)))
  // Shared with a read of another time naming the same version: the moment is this request's.
  const rebuilt = { ...read, asOf: { ...read.asOf, asOf: past, at: read.asOf.exact ? past : read.asOf.at } }
  auditHistoryRead(c, { read: 'as-of', seen: rebuilt.asOf.contentHash }, { asOf: past, at: rebuilt.asOf.at })
  return rebuilt
}

/**
 * The caller's read of their board's history in the audit log (history-audit.ts),
 * once its answer is decided (`boardRoleUntilAnswered`): as viewed when it is
 * sent, as refused (`history-view-failed`, `right-lost`) when its reader lost
 * the right to it meanwhile.
 */
export function auditHistoryRead(c: Context<BoardEnv>, what: HistoryRead, detail: AuditDetail = {}): void {
  const { services, principal, board } = c.var
  auditAnswer(c, {
    sent: () => historyAudit.viewed(services, principal, board.id, what, detail),
    refused: () => historyAudit.refused(services, principal, board.id, what, detail),
  })
}

/** The caller's read of one of their board's snapshots, within the same limits: named by the snapshot and its content hash, as it never changes. */
export function snapshotRead<T>(c: Context<BoardEnv>, kind: 'snapshot-state' | 'snapshot-model', snapshot: SnapshotRecord, compute: () => Promise<T>): Promise<T> {
  const read = { boardId: c.var.board.id, kind, parameters: snapshot.id, version: snapshot.contentHash }
  return c.var.services.historyReads.read(c.var.principal.userId, read, compute)
}

/** The stored pieces of the board as of `asOf`, for an export or a snapshot of that time to rebuild in a worker thread. */
export async function readLogAsOf(c: Context<BoardEnv>, asOf: string): Promise<AsOfLog | null> {
  return (await readNamedLogAsOf(c, asOf)).stored
}

/** The board as it was at `asOf`, for an export or the checks of one; refused, saying why, when the history cannot rebuild it. */
export async function readVersionAsOf(c: Context<BoardEnv>, asOf: string): Promise<AsOfVersion> {
  const past = await pastTime(c, asOf)
  const { stored, version } = await readNamedLogAsOf(c, past)
  const { at, exact, log } = keptAsOf(stored)
  return { asOf: past, at, exact, log, version }
}

/** The stored pieces of the board as of `asOf`, read once for every time naming the same version, and that version's name. */
async function readNamedLogAsOf(c: Context<BoardEnv>, asOf: string): Promise<{ stored: AsOfLog | null; version: string }> {
  const version = await asOfVersionName(c, asOf)
  const stored = await historyRead(c, 'log-as-of', version, () => loadAsOfLog(c.var.services, c.var.board.id, asOf))
  // Shared with a read of another time naming the same version: the moment is this request's.
  return { stored: stored?.kind === 'kept' && stored.exact ? { ...stored, at: asOf } : stored, version }
}

/**
 * What names the board as of `asOf` (as-of-position.ts): two times with no
 * row between them are one version, and a time before the board was created
 * none. Thinning and compaction are in the history read's own key.
 */
async function asOfVersionName(c: Context<BoardEnv>, asOf: string): Promise<string> {
  const { services, board } = c.var
  if (asOf < board.record.createdAt) return 'before-board'
  return JSON.stringify(await asOfPosition(services.storage.history, board.id, asOf))
}

/** A route that reads a version takes a snapshot or a past time, not both. */
export function snapshotOrAsOf(snapshot: string | undefined, asOf: string | undefined): void {
  if (snapshot !== undefined && asOf !== undefined) throw new ApiError(400, 'invalid', 'Give snapshot or asOf, not both.')
}
