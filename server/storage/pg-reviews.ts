import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { reviewComments, reviewSignoffs, reviewVerdicts, snapshots } from '../../drizzle/pg/schema.ts'
import type { BoardSignoff } from '../../shared/review-status.ts'
import { snapshotsOldestFirst } from './snapshot-rows.ts'
import type { ReviewComment, ReviewSignoff, ReviewVerdictRecord } from '../../shared/snapshot-model.ts'
import type { PgDb } from './pg-db.ts'
import { idGroups } from './id-groups.ts'
import { signoffRecord, signoffsByBoard, verdictRecord, type BoardSignoffRow } from './review-rows.ts'
import type { CommentHead, CommentScope, ReviewStore } from './storage.ts'

export class PgReviewStore implements ReviewStore {
  constructor(private readonly db: PgDb) {}

  async addComment(comment: ReviewComment): Promise<void> {
    await this.db.insert(reviewComments).values(comment)
  }

  async getComment(snapshotId: string, id: string): Promise<ReviewComment | undefined> {
    const [row] = await this.db.select().from(reviewComments).where(and(eq(reviewComments.snapshotId, snapshotId), eq(reviewComments.id, id)))
    return row
  }

  async setResolved(snapshotId: string, id: string, resolved: { at: string; by: string } | null): Promise<ReviewComment | undefined> {
    const [row] = await this.db
      .update(reviewComments)
      .set({ resolvedAt: resolved?.at ?? null, resolvedBy: resolved?.by ?? null })
      .where(and(eq(reviewComments.snapshotId, snapshotId), eq(reviewComments.id, id), isNull(reviewComments.parentId)))
      .returning()
    return row
  }

  async commentHeads(scope: CommentScope): Promise<CommentHead[]> {
    const head = {
      id: reviewComments.id,
      parentId: reviewComments.parentId,
      createdAt: reviewComments.createdAt,
      // The body's size without reading the body.
      bodyBytes: sql<number>`octet_length(${reviewComments.body})`.mapWith(Number),
    }
    if ('snapshotId' in scope) return await this.db.select(head).from(reviewComments).where(eq(reviewComments.snapshotId, scope.snapshotId))
    const root = alias(reviewComments, 'root')
    return await this.db
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
  }

  async commentsByIds(ids: readonly string[]): Promise<ReviewComment[]> {
    if (ids.length === 0) return []
    return await this.db
      .select()
      .from(reviewComments)
      .where(inArray(reviewComments.id, [...ids]))
      .orderBy(asc(reviewComments.createdAt), asc(reviewComments.id))
  }

  async setVerdict(verdict: ReviewVerdictRecord): Promise<void> {
    await this.db
      .insert(reviewVerdicts)
      .values(verdict)
      .onConflictDoUpdate({
        target: [reviewVerdicts.snapshotId, reviewVerdicts.assessmentId, reviewVerdicts.reviewerId],
        set: { verdict: verdict.verdict, reviewerName: verdict.reviewerName, createdAt: verdict.createdAt },
      })
  }

  async deleteVerdict(snapshotId: string, assessmentId: string, reviewerId: string): Promise<boolean> {
    const deleted = await this.db
      .delete(reviewVerdicts)
      .where(
        and(eq(reviewVerdicts.snapshotId, snapshotId), eq(reviewVerdicts.assessmentId, assessmentId), eq(reviewVerdicts.reviewerId, reviewerId)),
      )
      .returning({ reviewerId: reviewVerdicts.reviewerId })
    return deleted.length > 0
  }

  async verdicts(snapshotId: string): Promise<ReviewVerdictRecord[]> {
    const rows = await this.db
      .select()
      .from(reviewVerdicts)
      .where(eq(reviewVerdicts.snapshotId, snapshotId))
      .orderBy(asc(reviewVerdicts.assessmentId), asc(reviewVerdicts.createdAt), asc(reviewVerdicts.reviewerId))
    return rows.map(verdictRecord)
  }

  async setSignoff(signoff: ReviewSignoff): Promise<void> {
    await this.db
      .insert(reviewSignoffs)
      .values(signoff)
      .onConflictDoUpdate({
        target: [reviewSignoffs.snapshotId, reviewSignoffs.reviewerId],
        set: { decision: signoff.decision, note: signoff.note, reviewerName: signoff.reviewerName, createdAt: signoff.createdAt },
      })
  }

  async signoffs(snapshotId: string): Promise<ReviewSignoff[]> {
    const rows = await this.db
      .select()
      .from(reviewSignoffs)
      .where(eq(reviewSignoffs.snapshotId, snapshotId))
      .orderBy(asc(reviewSignoffs.createdAt), asc(reviewSignoffs.reviewerId))
    return rows.map(signoffRecord)
  }

  async boardSignoffs(boardIds: readonly string[]): Promise<Map<string, BoardSignoff[]>> {
    const rows: BoardSignoffRow[] = []
    for (const group of idGroups(boardIds)) {
      rows.push(
        ...(await this.db
          .select({ boardId: snapshots.boardId, signoff: reviewSignoffs, snapshotLabel: snapshots.label, snapshotCreatedAt: snapshots.createdAt, snapshotAsOf: snapshots.asOf, snapshotContentHash: snapshots.contentHash })
          .from(reviewSignoffs)
          .innerJoin(snapshots, eq(snapshots.id, reviewSignoffs.snapshotId))
          .where(inArray(snapshots.boardId, group))
          .orderBy(...snapshotsOldestFirst(snapshots, 'postgres'), asc(reviewSignoffs.createdAt), asc(reviewSignoffs.reviewerId))),
      )
    }
    return signoffsByBoard(boardIds, rows)
  }
}
