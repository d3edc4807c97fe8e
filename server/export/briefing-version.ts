/**
 * The version a briefing is made from, as the export reads it beside the
 * board model: a snapshot with its review, or the live board at a moment.
 */
import type { BoardModel } from '../../shared/board-model.ts'
import type { ReviewVerdict } from '../../shared/domain.ts'
import type { RetractedSince } from '../../shared/retracted-since.ts'
import type { SignoffDecision } from '../../shared/snapshot-model.ts'
import type { ContentTimes } from './content-times.ts'

/** A reviewer's verdict on one of a snapshot's assessments: named in the briefing with that assessment, unnamed in STIX. */
export type BriefingVerdict = { assessmentId: string; reviewerId: string; reviewerName: string; verdict: ReviewVerdict; createdAt: string }

/** A reviewer's sign-off of a snapshot: the version a director is asked to sign. */
export type BriefingSignoff = { reviewerName: string; decision: SignoffDecision; note: string; createdAt: string }

/** The snapshot a version is compared with ("what changed since"): for a snapshot the one before it, otherwise the newest made at or before the version's moment. */
export type BriefingPredecessor = { model: BoardModel; label: string; createdAt: string }

/** The newest signed-off snapshot, as a briefing of the live board names it: its review covers that snapshot's content (its hash), not necessarily the board's now. */
export type LatestReview = { label: string; createdAt: string; hash: string; statement: string }

/** The live board's marking, when it differs from a snapshot's or past moment's, and when the export read it (server/export/briefing-marking.ts). */
export type Remarked = { marking: string; at: string }

/** The version a briefing is made from: a named snapshot, the live board at a moment, or the board as it was at a past time (its history). */
export type BriefingVersion =
  | {
      kind: 'snapshot'
      /** The snapshot's id: its STIX report is this snapshot's, whatever another with the same content says. */
      id: string
      label: string
      hash: string
      createdAt: string
      previous?: BriefingPredecessor
      verdicts?: BriefingVerdict[]
      signoffs?: BriefingSignoff[]
      /** What the snapshot relied on that the live board has retracted since. */
      retractedSince?: RetractedSince
      remarked?: Remarked
      /** When each part of the live board's content last changed (as the live version's `contentTimes`): what caps this version's STIX times. */
      liveContentTimes?: ContentTimes
    }
  | {
      kind: 'live'
      at: string
      hash: string
      previous?: BriefingPredecessor
      latestReview?: LatestReview
      /** When each part of the content last changed, read from the log's rows: what dates its STIX objects. */
      contentTimes?: ContentTimes
    }
  /** `asOf` is the time asked for; `at` the moment the content is of: the same, or, when `exact` is false, the nearest kept moment before it. */
  | { kind: 'as-of'; asOf: string; at: string; hash: string; exact: boolean; previous?: BriefingPredecessor; remarked?: Remarked; liveContentTimes?: ContentTimes }
