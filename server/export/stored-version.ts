/**
 * Inside a worker thread: a version of a board rebuilt from what storage
 * holds, as an export cites it and the checks read it, and exported. Rebuilding
 * a version, the snapshot before it and the live board, building the briefing (the
 * "what changed" list included) and rendering any format of a large board is
 * seconds of work, none of it on the relay's thread.
 */
import type { BoardModel } from '../../shared/board-model.ts'
import type { ExportScope } from '../../shared/export-scope.ts'
import { normalizeMarking } from '../../shared/marking.ts'
import { retractedSince } from '../../shared/retracted-since.ts'
import { sourceModel, type StoredLog } from '../snapshots/board-state.ts'
import { boardContentHash } from '../snapshots/content-hash.ts'
import type { BriefingSignoff, BriefingVerdict, BriefingVersion, LatestReview, Remarked } from './briefing-version.ts'
import { timedModel, type RowTimes } from './content-times.ts'
import { exportBoard, type ExportedFile, type ExportFormat } from './export-board.ts'

/** A snapshot as the version's predecessor: what the briefing says changed since; `createdAt` is the moment its content is of (`contentTime`), what changed since it counted from then. */
export type StoredPredecessor = { label: string; createdAt: string; state: Uint8Array }

/**
 * A version as storage holds it: the live board's log, or a snapshot's state with its review and neighbours.
 * The live board and the board as of a time have for predecessor the newest snapshot made at or before their moment,
 * read for an export only (the checks do not say what changed).
 */
export type StoredVersion =
  | {
      kind: 'live'
      boardId: string
      at: string
      log: StoredLog
      previous?: StoredPredecessor | null
      latestReview?: LatestReview | null
      /** The times of the log's rows and checkpoint, for an export: when each part of the content last changed. */
      rowTimes?: RowTimes
    }
  /** The board as it was at `asOf` (or, when not `exact`, at `at`, the nearest kept moment before it), from its history. */
  | {
      kind: 'as-of'
      boardId: string
      asOf: string
      at: string
      exact: boolean
      log: StoredLog
      previous?: StoredPredecessor | null
      /** The live board, to tell whether it has been re-marked since (an export reads it; the checks do not). */
      live?: LiveBoard | null
    }
  | {
      kind: 'snapshot'
      boardId: string
      id: string
      label: string
      hash: string
      /** The moment its content is of (`contentTime`): an export of a snapshot of a past moment is dated by that moment. */
      createdAt: string
      state: Uint8Array
      /** The snapshot made before this one, when it is still stored. */
      previous: StoredPredecessor | null
      verdicts: BriefingVerdict[]
      signoffs: BriefingSignoff[]
      /** The live board, to tell what the snapshot relied on that is retracted since and whether it has been re-marked; null once the board is gone. */
      live: LiveBoard | null
    }

/** The live board's log, when it was read, and the times of its rows (what dates its STIX objects, and caps an earlier version's). */
export type LiveBoard = { log: StoredLog; at: string; rowTimes: RowTimes }

export type LoadedVersion = { model: BoardModel; version: BriefingVersion }

export function loadStoredVersion(stored: StoredVersion): LoadedVersion {
  const { boardId } = stored
  const previous = stored.previous
    ? { previous: { label: stored.previous.label, createdAt: stored.previous.createdAt, model: sourceModel(boardId, { state: stored.previous.state }) } }
    : {}
  if (stored.kind === 'live') {
    const timed = stored.rowTimes ? timedModel(boardId, stored.log, stored.rowTimes, stored.at) : null
    const model = timed?.model ?? sourceModel(boardId, { log: stored.log })
    const latestReview = stored.latestReview ? { latestReview: stored.latestReview } : {}
    const contentTimes = timed ? { contentTimes: timed.times } : {}
    return { model, version: { kind: 'live', at: stored.at, hash: boardContentHash(model), ...previous, ...latestReview, ...contentTimes } }
  }
  const timedLive = stored.live ? timedModel(boardId, stored.live.log, stored.live.rowTimes, stored.live.at) : null
  const live = timedLive?.model ?? null
  const liveTimes = timedLive ? { liveContentTimes: timedLive.times } : {}
  if (stored.kind === 'as-of') {
    const model = sourceModel(boardId, { log: stored.log })
    const remarked = live && stored.live ? remarkedSince(model, live, stored.live.at) : {}
    return { model, version: { kind: 'as-of', asOf: stored.asOf, at: stored.at, exact: stored.exact, hash: boardContentHash(model), ...previous, ...remarked, ...liveTimes } }
  }
  const model = sourceModel(boardId, { state: stored.state })
  return {
    model,
    version: {
      kind: 'snapshot',
      id: stored.id,
      label: stored.label,
      hash: stored.hash,
      createdAt: stored.createdAt,
      ...previous,
      verdicts: stored.verdicts,
      signoffs: stored.signoffs,
      ...(live ? { retractedSince: retractedSince(model, live) } : {}),
      ...(live && stored.live ? remarkedSince(model, live, stored.live.at) : {}),
      ...liveTimes,
    },
  }
}

/** The live board's marking when it is not the version's, read at `at` (server/export/briefing-marking.ts). */
function remarkedSince(version: BoardModel, live: BoardModel, at: string): { remarked?: Remarked } {
  return normalizeMarking(live.marking) === normalizeMarking(version.marking) ? {} : { remarked: { marking: live.marking, at } }
}

export type ExportJob = { format: ExportFormat; scope: ExportScope; version: StoredVersion; maxBriefingChars: number }

/** An exported file as the job answers it: its body in bytes, which the thread moves to the relay's rather than copying. */
export type EncodedFile = Omit<ExportedFile, 'body'> & { body: Uint8Array<ArrayBuffer> }

export async function exportStoredVersion({ format, scope, version, maxBriefingChars }: ExportJob): Promise<{ file: EncodedFile; hash: string }> {
  const loaded = loadStoredVersion(version)
  const file = await exportBoard(format, loaded.model, loaded.version, { scope, maxBriefingChars })
  // Encoded here: a text of hundreds of megabytes cloned to the relay's thread and encoded there held it for seconds.
  const body = typeof file.body === 'string' ? new TextEncoder().encode(file.body) : file.body
  return { file: { ...file, body: ownBytes(body) }, hash: loaded.version.hash }
}

/** The same bytes, typed as the plain memory a worker's message carries (a view, not a copy). */
function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes)
}
