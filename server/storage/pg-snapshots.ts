import { and, count, desc, eq, gte, inArray, lte, max, or, sql, sum } from 'drizzle-orm'
import { boardCheckpoints, boards, boardUpdates, reviewComments, reviewSignoffs, reviewVerdicts, snapshots } from '../../drizzle/pg/schema.ts'
import { insertAudited } from './pg-audited.ts'
import { boardTimesKey } from './pg-update-log.ts'
import type { PgDb } from './pg-db.ts'
import type { Clock } from '../clock.ts'
import { stateBuffer, stateBytes } from './driver-bytes.ts'
import { capturedContentTime, captureTimes, newestSnapshotsFirst, nextSnapshotSeq, nextSnapshotTime, snapshotRecord, skippedByGuard, type SnapshotRow } from './snapshot-rows.ts'
import type { SnapshotKind } from '../../shared/snapshot-model.ts'
import type { NewAuditRecord, NewSnapshot, SnapshotGuard, SnapshotRecord, SnapshotRemoval, SnapshotStore, SnapshotUsage } from './storage.ts'

const summaryColumns = {
  id: snapshots.id,
  boardId: snapshots.boardId,
  label: snapshots.label,
  kind: snapshots.kind,
  contentHash: snapshots.contentHash,
  authorId: snapshots.authorId,
  authorName: snapshots.authorName,
  createdAt: snapshots.createdAt,
  previousId: snapshots.previousId,
  asOf: snapshots.asOf,
}

const newestFirst = newestSnapshotsFirst(snapshots, 'postgres')

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

export class PgSnapshotStore implements SnapshotStore {
  constructor(
    private readonly db: PgDb,
    private readonly clock: Clock,
  ) {}

  async create(snapshot: NewSnapshot, guard: SnapshotGuard = {}, audited?: NewAuditRecord): Promise<SnapshotRecord | null> {
    return this.db.transaction(async (tx) => {
      // Instances take a board's snapshots one at a time, so the guard and the chain of previous ids hold.
      await lockBoardSnapshots(tx, snapshot.boardId)
      const latest = await latestRow(tx, snapshot.boardId)
      if (skippedByGuard(latest, snapshot.contentHash, guard)) return null
      const { heldThroughSeq, ...made } = snapshot
      // No append of the board between reading the rows after the capture and committing: what dates it stays true.
      if (heldThroughSeq !== undefined) await tx.execute(sql`select pg_advisory_xact_lock(${boardTimesKey(snapshot.boardId)})`)
      const row: SnapshotRow = {
        ...made,
        asOf: heldThroughSeq === undefined ? (snapshot.asOf ?? null) : await contentTimeOf(tx, snapshot.boardId, heldThroughSeq),
        createdAt: nextSnapshotTime(latest?.createdAt, this.clock().getTime(), await newestEdit(tx, snapshot.boardId)),
        previousId: latest?.id ?? null,
      }
      await tx.insert(snapshots).values({ ...row, state: stateBuffer(snapshot.state), seq: nextSnapshotSeq(snapshots, snapshot.boardId) })
      if (audited) await insertAudited(tx, audited)
      return snapshotRecord(row)
    })
  }

  async get(boardId: string, id: string): Promise<SnapshotRecord | undefined> {
    const [row] = await this.db.select(summaryColumns).from(snapshots).where(and(eq(snapshots.boardId, boardId), eq(snapshots.id, id)))
    return row ? snapshotRecord(row) : undefined
  }

  async state(boardId: string, id: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const [row] = await this.db
      .select({ state: snapshots.state })
      .from(snapshots)
      .where(and(eq(snapshots.boardId, boardId), eq(snapshots.id, id)))
    return row ? stateBytes(row.state) : undefined
  }

  async list(boardId: string): Promise<SnapshotRecord[]> {
    const rows = await this.db.select(summaryColumns).from(snapshots).where(eq(snapshots.boardId, boardId)).orderBy(...newestFirst)
    return rows.map(snapshotRecord)
  }

  async latest(boardId: string, atOrBefore?: string): Promise<SnapshotRecord | undefined> {
    const row = await latestRow(this.db, boardId, atOrBefore)
    return row ? snapshotRecord(row) : undefined
  }

  async changedBoards(): Promise<string[]> {
    const lastSnapshot = this.db
      .select({ boardId: snapshots.boardId, at: max(snapshots.createdAt).as('last_snapshot_at') })
      .from(snapshots)
      .groupBy(snapshots.boardId)
      .as('last_snapshot')
    const lastUpdate = this.db
      .select({ boardId: boardUpdates.boardId, at: max(boardUpdates.createdAt).as('last_update_at') })
      .from(boardUpdates)
      .groupBy(boardUpdates.boardId)
      .as('last_update')
    // Rows thinned away leave their time in the checkpoint that covers them.
    const lastCheckpoint = this.db
      .select({ boardId: boardCheckpoints.boardId, at: max(boardCheckpoints.at).as('last_checkpoint_at') })
      .from(boardCheckpoints)
      .groupBy(boardCheckpoints.boardId)
      .as('last_checkpoint')
    const rows = await this.db
      .select({ id: boards.id })
      .from(boards)
      .leftJoin(lastSnapshot, eq(lastSnapshot.boardId, boards.id))
      .leftJoin(lastUpdate, eq(lastUpdate.boardId, boards.id))
      .leftJoin(lastCheckpoint, eq(lastCheckpoint.boardId, boards.id))
      .where(
        // Times are ISO strings of one format, so they compare as text. "At or after": a write in the
        // snapshot's own millisecond may not be in it; the content hash settles it.
        or(
          sql`${lastSnapshot.at} is null`,
          gte(lastUpdate.at, lastSnapshot.at),
          gte(lastCheckpoint.at, lastSnapshot.at),
        ),
      )
      .orderBy(boards.id)
    return rows.map((row) => row.id)
  }

  async pruneAuto(boardId: string, keep: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await lockBoardSnapshots(tx, boardId)
      const autos = await tx
        .select({ id: snapshots.id })
        .from(snapshots)
        .where(and(eq(snapshots.boardId, boardId), eq(snapshots.kind, 'auto')))
        .orderBy(...newestFirst)
      return deleteUnreviewed(tx, autos.slice(keep).map((row) => row.id))
    })
  }

  async remove(boardId: string, id: string, audited?: NewAuditRecord): Promise<SnapshotRemoval> {
    return this.db.transaction(async (tx) => {
      // Under the board's snapshot lock: the chain of previous ids is relinked while no snapshot is added to it.
      await lockBoardSnapshots(tx, boardId)
      const [found] = await tx.select({ id: snapshots.id }).from(snapshots).where(and(eq(snapshots.boardId, boardId), eq(snapshots.id, id)))
      if (!found) return 'not-found'
      if ((await deleteUnreviewed(tx, [id])) !== 1) return 'reviewed'
      if (audited) await insertAudited(tx, audited)
      return 'deleted'
    })
  }

  async usage(boardId: string, kinds: readonly SnapshotKind[]): Promise<SnapshotUsage> {
    // octet_length of a stored bytea is its recorded size: the state is not read.
    const [row] = await this.db
      .select({ count: count(), bytes: sum(sql`octet_length(${snapshots.state})`).mapWith(Number) })
      .from(snapshots)
      .where(and(eq(snapshots.boardId, boardId), inArray(snapshots.kind, [...kinds])))
    return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 }
  }
}

/** Deletes those of the snapshots that have no review data, relinking the chain of previous ids around each; how many it deleted. */
async function deleteUnreviewed(tx: Tx, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0
  // A review row's foreign key check takes a KEY SHARE lock on its snapshot's row, which FOR UPDATE waits for and then
  // blocks: a review written meanwhile is committed before the reviews are read below (so the snapshot is kept, 409), or
  // waits for this transaction and then finds its snapshot gone (404), as SQLite's single writer has it. Without the lock
  // a review committed between that read and the delete went with the snapshot, by the foreign key's cascade.
  // In the order of the ids, so two deletions of overlapping snapshots never wait for each other both ways.
  await tx.select({ id: snapshots.id }).from(snapshots).where(inArray(snapshots.id, ids)).orderBy(snapshots.id).for('update')
  const reviewed = new Set(
    [
      ...(await tx.selectDistinct({ id: reviewComments.snapshotId }).from(reviewComments).where(inArray(reviewComments.snapshotId, ids))),
      ...(await tx.selectDistinct({ id: reviewVerdicts.snapshotId }).from(reviewVerdicts).where(inArray(reviewVerdicts.snapshotId, ids))),
      ...(await tx.selectDistinct({ id: reviewSignoffs.snapshotId }).from(reviewSignoffs).where(inArray(reviewSignoffs.snapshotId, ids))),
    ].map((row) => row.id),
  )
  let deleted = 0
  for (const id of ids) {
    if (reviewed.has(id)) continue
    const [gone] = await tx.select({ previousId: snapshots.previousId }).from(snapshots).where(eq(snapshots.id, id))
    if (!gone) continue
    await tx.update(snapshots).set({ previousId: gone.previousId }).where(eq(snapshots.previousId, id))
    await tx.delete(snapshots).where(eq(snapshots.id, id))
    deleted++
  }
  return deleted
}

function lockBoardSnapshots(tx: Tx, boardId: string) {
  return tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'assay-board-snapshots:' + boardId}))`)
}

/** `atOrBefore` an ISO time as the store writes them: such times compare as text. */
async function latestRow(db: PgDb | Tx, boardId: string, atOrBefore?: string): Promise<SnapshotRow | undefined> {
  const [row] = await db
    .select(summaryColumns)
    .from(snapshots)
    .where(and(eq(snapshots.boardId, boardId), atOrBefore === undefined ? undefined : lte(snapshots.createdAt, atOrBefore)))
    .orderBy(...newestFirst)
    .limit(1)
  return row
}

/** The time of the board's newest log row, if it has one. */
async function newestEdit(tx: Tx, boardId: string): Promise<string | undefined> {
  const [row] = await tx.select({ at: boardUpdates.createdAt }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).orderBy(desc(boardUpdates.seq)).limit(1)
  return row?.at
}

/** The moment a capture of the live board holding the rows up to `heldThroughSeq` is of (capturedContentTime). */
async function contentTimeOf(tx: Tx, boardId: string, heldThroughSeq: number): Promise<string | null> {
  const [times] = await tx.select(captureTimes(HISTORY_TABLES, boardId, heldThroughSeq)).from(boards).where(eq(boards.id, boardId))
  return capturedContentTime(boardId, times?.held ?? '', times?.next ?? undefined)
}

const HISTORY_TABLES = { updates: boardUpdates, checkpoints: boardCheckpoints, boards }
