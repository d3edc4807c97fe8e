/**
 * A board's live content or one of its snapshots, exported: read from storage
 * here, rebuilt and rendered in a worker thread (stored-version.ts). The
 * version the briefing cites (label, time, content hash, review) comes from
 * what is exported, and every export is written to the audit log, one that
 * ran past its time budget too. An export that overran, or found its briefing
 * too large, is not started again for the same version, format and scope (the
 * worker pool remembers it by `exportKey`) until the board changes. The checks
 * listed before an export read the same version (checkVersion, checkAsOf).
 */
import type { ChecksReport } from '../../shared/checks-report.ts'
import type { ExportScope } from '../../shared/export-scope.ts'
import type { Principal } from '../access/access.ts'
import { audit } from '../access/audit.ts'
import { auditedAnswer } from '../access/audited-answer.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import { WorkerJobError } from '../workers/worker-errors.ts'
import type { StoredLog } from '../snapshots/board-state.ts'
import { readSnapshotState } from '../snapshots/load-snapshot.ts'
import { readStoredLog, type StoredBoards } from '../snapshots/stored-board.ts'
import { replayLane } from '../history/replay-lane.ts'
import type { ExportFormat } from './export-board.ts'
import type { EncodedFile, LiveBoard, StoredPredecessor, StoredVersion } from './stored-version.ts'
import type { Config } from '../config.ts'
import { BriefingTooLarge } from './briefing-size.ts'
import type { LatestReview } from './briefing-version.ts'
import { contentTime } from '../../shared/snapshot-model.ts'
import { boardReview } from '../../shared/review-status.ts'

/** Where versions are read from; the live board's time is the clock the board's history is stamped with. */
type VersionSources = StoredBoards & { clock: Clock }

/**
 * The board as it was at a past time, as read from its history (server/history/read-history.ts); `version` names
 * what was read, the same for two times with no change between them (server/history/as-of-position.ts).
 */
export type AsOfVersion = { asOf: string; at: string; exact: boolean; log: StoredLog; version: string }

export type ExportRequest = {
  boardId: string
  format: ExportFormat
  snapshotId?: string | undefined
  /** Instead of a snapshot or the live board: the board at a past time. */
  asOf?: AsOfVersion | undefined
  scope?: ExportScope | undefined
}

/** Told what a read took from storage (to charge its bytes to whom asked for it, server/http/version-reads.ts). */
export type LoadedFromStorage = (read: unknown) => void

/**
 * How an export's read of its version is shared with identical ones and
 * charged (server/http/version-reads.ts): `key` names what it computes,
 * `compute` is told what it read. The command line's is neither.
 */
export type VersionReading = <T>(key: string, compute: (loaded: LoadedFromStorage) => Promise<T>) => Promise<T>

const readAlone: VersionReading = (_key, compute) => compute(() => undefined)

/**
 * The analytic checks of the live board or a snapshot, for the assessments of
 * `scope`; null when there is no such version. The person's worker slot is
 * taken before the version is read, which the checks job then runs in.
 */
export function checkVersion(
  services: VersionSources,
  boardId: string,
  snapshotId: string | undefined,
  scope: ExportScope,
  loaded: LoadedFromStorage = () => undefined,
): Promise<ChecksReport | null> {
  return services.workers.holdingSlot('check-version', async () => {
    // The checks do not say what changed since the snapshot before.
    const version = await readStoredVersion(services, boardId, snapshotId, { previous: false })
    if (!version) return null
    loaded(version)
    return services.workers.run('check-version', { version, scope }, { moveInput: true })
  })
}

/** The analytic checks of the board as it was at a past time, for the assessments of `scope`. */
export function checkAsOf(services: VersionSources, boardId: string, asOf: AsOfVersion, scope: ExportScope): Promise<ChecksReport> {
  return services.workers.run('check-version', { version: asOfVersion(boardId, asOf), scope }, { boardId, ...replayLane(asOf.log) })
}

/**
 * Null when there is no such board or no such snapshot of it. The person's
 * worker slot is taken before the version is read, which the export job then
 * runs in; `reading` shares and charges the read (by default: neither).
 * `stillAllowed` decides the person's right again once the file is made: one
 * it refuses is audited as a refusal (`right-lost`), not as an export, and
 * its error is thrown in place of the file.
 */
export async function exportVersion(
  services: VersionSources & { logger: Logger; config: Pick<Config, 'BRIEFING_MAX_CHARS'> },
  request: ExportRequest,
  by: Principal,
  reading: VersionReading = readAlone,
  stillAllowed: () => Promise<void> = async () => undefined,
): Promise<EncodedFile | null> {
  const { boardId, format, snapshotId, asOf, scope = 'all' } = request
  const detail = { format, snapshotId: snapshotId ?? null, asOf: asOf?.asOf ?? null, scope }
  try {
    // Before the board is read: a loop asking for an export that overran would otherwise read it whole each time.
    const overrunKey = await exportKey(services, request)
    services.workers.refuseIfOverran('export-board', overrunKey)
    const exported = await reading(overrunKey, (loaded) =>
      services.workers.holdingSlot('export-board', async () => {
        const read: StoredVersion | null = asOf
          ? { ...asOfVersion(boardId, asOf), live: await readLive(services, boardId) }
          : snapshotId === undefined
            ? await readTimedLive(services, boardId)
            : await readStoredVersion(services, boardId, snapshotId, { previous: true })
        if (!read) return null
        // A snapshot names its own predecessor; the live board and a past moment are compared with the newest snapshot made by then.
        const version: StoredVersion =
          read.kind === 'snapshot'
            ? read
            : read.kind === 'live'
              ? { ...read, previous: await snapshotBefore(services, boardId, undefined), latestReview: await latestReviewOf(services, boardId) }
              : { ...read, previous: await snapshotBefore(services, boardId, read.at) }
        loaded(version)
        // A past moment's log is the history read's, kept for the next reader: copied. The rest was read for this job alone.
        const job = { format, scope, version, maxBriefingChars: services.config.BRIEFING_MAX_CHARS }
        return services.workers.run('export-board', job, { boardId, overrunKey, moveInput: asOf === undefined, recurs: tooLargeAgain })
      }),
    )
    if (!exported) return null
    // Each request's export is its own audit entry, also when it shared another's read and rendering.
    await auditedAnswer(stillAllowed, {
      sent: () => audit(services, { actor: by, action: 'export', boardId, detail: { ...detail, hash: exported.hash } }),
      refused: () => audit(services, { actor: by, action: 'export-failed', boardId, detail: { ...detail, refusal: 'right-lost' } }),
    }, services.logger)
    return exported.file
  } catch (error) {
    // An export that failed after its work is audited; one refused at once for that failure (overran-before, too large
    // before) read and made nothing, as one refused for a bound in flight, and is not audited.
    const refusal = auditedFailure(error)
    if (refusal) await audit(services, { actor: by, action: 'export-failed', boardId, detail: { ...detail, refusal } })
    throw error
  }
}

/**
 * The refusal an export that failed after its work is audited as (past its
 * time, its briefing too large), or undefined for one refused before any work.
 */
export function auditedFailure(error: unknown): 'over-time' | 'too-large' | undefined {
  if (error instanceof WorkerJobError && error.refusal === 'over-time') return 'over-time'
  if (error instanceof BriefingTooLarge && !error.before) return 'too-large'
  return undefined
}

/** A briefing too large is as large until what it reads changes: the same export is refused at once meanwhile, reading nothing. */
function tooLargeAgain(error: Error): (() => Error) | undefined {
  return error instanceof BriefingTooLarge ? () => new BriefingTooLarge(error.message, true) : undefined
}

/**
 * What names an export's work, read without reading the board: the board,
 * format and scope, the version asked for, and its newest snapshot (what the
 * live board is compared with; made since, it leaves a past moment's export
 * as it was, and the key says so too seldom, never too often). The live board
 * and a snapshot are named by the newest log row the board covers (every
 * change appends one; a snapshot's export also says what is retracted since),
 * read before the board is, so an edit meanwhile makes the key older than the
 * export, never newer. A past moment is named by the version read (the same
 * for two times with no change between them) and whether it is exact, not by
 * the live board's newest row: an edit today leaves last week's briefing as
 * large and as long to make. The board's id keeps one board's from another's.
 */
async function exportKey(services: VersionSources, { boardId, format, scope = 'all', snapshotId, asOf }: ExportRequest): Promise<string> {
  const [version, newest] = await Promise.all([asOf ? ['as-of', asOf.version, asOf.exact] : liveVersion(services, boardId), services.storage.snapshots.latest(boardId)])
  return JSON.stringify([boardId, format, scope, snapshotId ?? null, version, newest?.id ?? null])
}

/** The newest log row the board covers: a change to the live board, or to what a snapshot's export says of it, appends one. */
async function liveVersion(services: VersionSources, boardId: string): Promise<number> {
  const tail = await services.storage.history.tailState(boardId)
  return tail.lastSeq ?? tail.throughSeq
}

/** The board's newest snapshot made at or before `at` (any time when undefined), with its state: one record and one state read, however many snapshots the board has. */
async function snapshotBefore(services: VersionSources, boardId: string, at: string | undefined): Promise<StoredPredecessor | null> {
  const snapshot = await services.storage.snapshots.latest(boardId, at === undefined ? undefined : new Date(at).toISOString())
  const state = snapshot && (await services.storage.snapshots.state(boardId, snapshot.id))
  return snapshot && state ? { label: snapshot.label, createdAt: contentTime(snapshot), state } : null
}

/**
 * The live board as an export reads it: its latest checkpoint and the rows
 * after it with their times, from which each STIX object is dated by when its
 * content last changed. The checkpoint's time is that of the last row it
 * folded; one thinned or folded again meanwhile is dated at the first row
 * after it, or at the read when none follows (it held that content then too).
 */
async function readTimedLive(services: VersionSources, boardId: string): Promise<StoredVersion | null> {
  const live = await readLive(services, boardId)
  return live && { kind: 'live', boardId, ...live }
}

/** The board's newest signed-off snapshot and its review, which a briefing of the live board names without taking it for its own. */
async function latestReviewOf(services: VersionSources, boardId: string): Promise<LatestReview | null> {
  const latest = boardReview((await services.storage.reviews.boardSignoffs([boardId])).get(boardId) ?? [], null).latest
  return latest && { label: latest.snapshotLabel, createdAt: contentTime({ createdAt: latest.snapshotCreatedAt, asOf: latest.snapshotAsOf }), hash: latest.snapshotContentHash, statement: latest.statement }
}

function asOfVersion(boardId: string, { asOf, at, exact, log }: AsOfVersion): Extract<StoredVersion, { kind: 'as-of' }> {
  return { kind: 'as-of', boardId, asOf, at, exact, log }
}

/** What a version is rebuilt from: the live board's log, or the snapshot's state, review and neighbours (the one before it only when `previous`). */
async function readStoredVersion(services: VersionSources, boardId: string, snapshotId: string | undefined, read: { previous: boolean }): Promise<StoredVersion | null> {
  if (snapshotId === undefined) {
    const log = await readStoredLog(services.storage, boardId)
    return log && { kind: 'live', boardId, at: services.clock().toISOString(), log }
  }
  const { storage } = services
  const [stored, verdicts, signoffs] = await Promise.all([
    readSnapshotState(storage, boardId, snapshotId),
    storage.reviews.verdicts(snapshotId),
    storage.reviews.signoffs(snapshotId),
  ])
  if (!stored) return null
  const { label, contentHash, previousId } = stored.snapshot
  const [previous, live] = await Promise.all([previousId && read.previous ? readSnapshotState(storage, boardId, previousId) : null, readLive(services, boardId)])
  return {
    kind: 'snapshot',
    boardId,
    id: snapshotId,
    label,
    hash: contentHash,
    createdAt: contentTime(stored.snapshot),
    state: stored.state,
    previous: previous && { label: previous.snapshot.label, createdAt: contentTime(previous.snapshot), state: previous.state },
    verdicts: verdicts.map(({ assessmentId, reviewerId, reviewerName, verdict, createdAt: at }) => ({ assessmentId, reviewerId, reviewerName, verdict, createdAt: at })),
    signoffs: signoffs.map(({ reviewerName, decision, note, createdAt: at }) => ({ reviewerName, decision, note, createdAt: at })),
    live,
  }
}

/**
 * The live board as an export reads it (readTimedLive), or as a snapshot's or
 * past moment's export compares it with; null once the board is gone.
 */
async function readLive(services: VersionSources, boardId: string): Promise<LiveBoard | null> {
  const { storage } = services
  if (!(await storage.boards.get(boardId))) return null
  const at = services.clock().toISOString()
  const { checkpoint, throughSeq, rows } = await storage.history.tail(boardId)
  const checkpointAt = checkpoint ? ((await storage.history.checkpoints(boardId)).find((kept) => kept.throughSeq === throughSeq)?.at ?? null) : null
  const log = { checkpoint, updates: rows.map((row) => row.update), rowSeqs: rows.map((row) => row.seq) }
  return { log, at, rowTimes: { rows: rows.map((row) => row.at), checkpointAt } }
}
