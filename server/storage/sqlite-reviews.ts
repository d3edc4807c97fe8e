import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { reviewComments, reviewSignoffs, reviewVerdicts, snapshots } from '../../drizzle/sqlite/schema.ts'
import type { BoardSignoff } from '../../shared/review-status.ts'
import { snapshotsOldestFirst } from './snapshot-rows.ts'
import type { ReviewComment, ReviewSignoff, ReviewVerdictRecord } from '../../shared/snapshot-model.ts'
import { idGroups } from './id-groups.ts'
import { signoffRecord, signoffsByBoard, verdictRecord } from './review-rows.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { CommentHead, CommentScope, ReviewStore } from './storage.ts'

export class SqliteReviewStore implements ReviewStore {
  constructor(private readonly db: SqliteDb) {}

  async addComment(comment: ReviewComment): Promise<void> {
    this.db.insert(reviewComments).values(comment).run()
  }

  async getComment(snapshotId: string, id: string): Promise<ReviewComment | undefined> {
    return this.db.select().from(reviewComments).where(and(eq(reviewComments.snapshotId, snapshotId), eq(reviewComments.id, id))).get()
  }

  async setResolved(snapshotId: string, id: string, resolved: { at: string; by: string } | null): Promise<ReviewComment | undefined> {
    return this.db
      .update(reviewComments)
      .set({ resolvedAt: resolved?.at ?? null, resolvedBy: resolved?.by ?? null })
      .where(and(eq(reviewComments.snapshotId, snapshotId), eq(reviewComments.id, id), isNull(reviewComments.parentId)))
      .returning()
      .all()[0] // all(), not get(): see SqliteUpdateLogStore.append
  }

  async commentHeads(scope: CommentScope): Promise<CommentHead[]> {
    const head = {
      id: reviewComments.id,
      parentId: reviewComments.parentId,
      createdAt: reviewComments.createdAt,
      // The body's size without reading the body.
      bodyBytes: sql<number>`octet_length(${reviewComments.body})`.mapWith(Number),
    }
    if ('snapshotId' in scope) return this.db.select(head).from(reviewComments).where(eq(reviewComments.snapshotId, scope.snapshotId))
      .all()
    const root = alias(reviewComments, 'root')
    return this.db
      .select(head)
      .from(reviewComments)
      .leftJoin(root, eq(root.id, reviewComments.parentId))
      .where(
        and(
          eq(reviewComments.boardId, scope.openOnBoard),
          or(
            and(isNull(reviewComments.parentId), isNull(reviewComments.resolvedAt)),
            and(isNotNull(reviewComments.parentId), isNull(root.resolvedAt)),
          ),
        ),
      )
      .all()
  }

  async commentsByIds(ids: readonly string[]): Promise<ReviewComment[]> {
    if (ids.length === 0) return []
    return this.db
      .select()
      .from(reviewComments)
      .where(inArray(reviewComments.id, [...ids]))
      .orderBy(asc(reviewComments.createdAt), asc(reviewComments.id))
      .all()
  }

  async setVerdict(verdict: ReviewVerdictRecord): Promise<void> {
    this.db
      .insert(reviewVerdicts)
      .values(verdict)
      .onConflictDoUpdate({
        target: [reviewVerdicts.snapshotId, reviewVerdicts.assessmentId, reviewVerdicts.reviewerId],
        set: { verdict: verdict.verdict, reviewerName: verdict.reviewerName, createdAt: verdict.createdAt },
      })
      .run()
  }

  async deleteVerdict(snapshotId: string, assessmentId: string, reviewerId: string): Promise<boolean> {
    const result = this.db
      .delete(reviewVerdicts)
      .where(
        and(eq(reviewVerdicts.snapshotId, snapshotId), eq(reviewVerdicts.assessmentId, assessmentId), eq(reviewVerdicts.reviewerId, reviewerId)),
      )
      .run()
    return result.changes > 0
  }

  async verdicts(snapshotId: string): Promise<ReviewVerdictRecord[]> {
    return this.db
      .select()
      .from(reviewVerdicts)
      .where(eq(reviewVerdicts.snapshotId, snapshotId))
      .orderBy(asc(reviewVerdicts.assessmentId), asc(reviewVerdicts.createdAt), asc(reviewVerdicts.reviewerId))
      .all()
      .map(verdictRecord)
  }

  async setSignoff(signoff: ReviewSignoff): Promise<void> {
    this.db
      .insert(reviewSignoffs)
      .values(signoff)
      .onConflictDoUpdate({
        target: [reviewSignoffs.snapshotId, reviewSignoffs.reviewerId],
        set: { decision: signoff.decision, note: signoff.note, reviewerName: signoff.reviewerName, createdAt: signoff.createdAt },
      })
      .run()
  }

  async signoffs(snapshotId: string): Promise<ReviewSignoff[]> {
    return this.db
      .select()
      .from(reviewSignoffs)
      .where(eq(reviewSignoffs.snapshotId, snapshotId))
      .orderBy(asc(reviewSignoffs.createdAt), asc(reviewSignoffs.reviewerId))
      .all()
      .map(signoffRecord)
  }

  async boardSignoffs(boardIds: readonly string[]): Promise<Map<string, BoardSignoff[]>> {
    const rows = idGroups(boardIds).flatMap((group) =>
      this.db
        .select({ boardId: snapshots.boardId, signoff: reviewSignoffs, snapshotLabel: snapshots.label, snapshotCreatedAt: snapshots.createdAt, snapshotAsOf: snapshots.asOf, snapshotContentHash: snapshots.contentHash })
        .from(reviewSignoffs)
        .innerJoin(snapshots, eq(snapshots.id, reviewSignoffs.snapshotId))
        .where(inArray(snapshots.boardId, group))
        .orderBy(...snapshotsOldestFirst(snapshots, 'sqlite'), asc(reviewSignoffs.createdAt), asc(reviewSignoffs.reviewerId))
        .all(),
    )
    return signoffsByBoard(boardIds, rows)
  }
}
