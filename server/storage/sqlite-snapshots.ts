import { and, count, desc, eq, gte, inArray, lte, max, or, sql, sum } from 'drizzle-orm'
import { auditLog, boardCheckpoints, boards, boardUpdates, reviewComments, reviewSignoffs, reviewVerdicts, snapshots } from '../../drizzle/sqlite/schema.ts'
import type { Clock } from '../clock.ts'
import { auditColumns } from './audit-rows.ts'
import { stateBuffer, stateBytes } from './driver-bytes.ts'
import { capturedContentTime, captureTimes, newestSnapshotsFirst, nextSnapshotSeq, nextSnapshotTime, snapshotRecord, skippedByGuard, type SnapshotRow } from './snapshot-rows.ts'
import type { SqliteDb } from './sqlite-db.ts'
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

const newestFirst = newestSnapshotsFirst(snapshots, 'sqlite')

type Tx = Parameters<Parameters<SqliteDb['transaction']>[0]>[0]

export class SqliteSnapshotStore implements SnapshotStore {
  constructor(
    private readonly db: SqliteDb,
    private readonly clock: Clock,
  ) {}

  async create(snapshot: NewSnapshot, guard: SnapshotGuard = {}, audited?: NewAuditRecord): Promise<SnapshotRecord | null> {
    // better-sqlite3 runs the transaction synchronously: nothing else reads or writes in between.
    return this.db.transaction((tx) => {
      const latest = latestRow(tx, snapshot.boardId)
      if (skippedByGuard(latest, snapshot.contentHash, guard)) return null
      const { heldThroughSeq, ...made } = snapshot
      const row: SnapshotRow = {
        ...made,
        asOf: heldThroughSeq === undefined ? (snapshot.asOf ?? null) : contentTimeOf(tx, snapshot.boardId, heldThroughSeq),
        createdAt: nextSnapshotTime(latest?.createdAt, this.clock().getTime(), newestEdit(tx, snapshot.boardId)),
        previousId: latest?.id ?? null,
      }
      tx.insert(snapshots).values({ ...row, state: stateBuffer(snapshot.state), seq: nextSnapshotSeq(snapshots, snapshot.boardId) }).run()
      if (audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return snapshotRecord(row)
    })
  }

  async get(boardId: string, id: string): Promise<SnapshotRecord | undefined> {
    // `+id`: not looked up by the primary key's index, which leads to the row, but among the board's entries of the index
    // holding the record whole (snapshots_board_created): read from the row, the columns after the state walk all of it.
    const row = this.db.select(summaryColumns).from(snapshots).where(and(eq(snapshots.boardId, boardId), sql`+${snapshots.id} = ${id}`)).get()
    return row ? snapshotRecord(row) : undefined
  }

  async state(boardId: string, id: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const row = this.db
      .select({ state: snapshots.state })
      .from(snapshots)
      .where(and(eq(snapshots.boardId, boardId), eq(snapshots.id, id)))
      .get()
    return row ? stateBytes(row.state) : undefined
  }

  async list(boardId: string): Promise<SnapshotRecord[]> {
    return this.db
      .select(summaryColumns)
      .from(snapshots)
      .where(eq(snapshots.boardId, boardId))
      .orderBy(...newestFirst)
      .all()
      .map(snapshotRecord)
  }

  async latest(boardId: string, atOrBefore?: string): Promise<SnapshotRecord | undefined> {
    const row = latestRow(this.db, boardId, atOrBefore)
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
    const rows = this.db
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
      .all()
    return rows.map((row) => row.id)
  }

  async pruneAuto(boardId: string, keep: number): Promise<number> {
    return this.db.transaction((tx) => {
      const autos = tx
        .select({ id: snapshots.id })
        .from(snapshots)
        .where(and(eq(snapshots.boardId, boardId), eq(snapshots.kind, 'auto')))
        .orderBy(...newestFirst)
        .all()
      return deleteUnreviewed(tx, autos.slice(keep).map((row) => row.id))
    })
  }

  async remove(boardId: string, id: string, audited?: NewAuditRecord): Promise<SnapshotRemoval> {
    return this.db.transaction((tx) => {
      const found = tx.select({ id: snapshots.id }).from(snapshots).where(and(eq(snapshots.boardId, boardId), eq(snapshots.id, id))).get()
      if (!found) return 'not-found'
      if (deleteUnreviewed(tx, [id]) !== 1) return 'reviewed'
      if (audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return 'deleted'
    })
  }

  async usage(boardId: string, kinds: readonly SnapshotKind[]): Promise<SnapshotUsage> {
    // octet_length reads a blob's size from its record header, never the blob.
    const row = this.db
      .select({ count: count(), bytes: sum(sql`octet_length(${snapshots.state})`).mapWith(Number) })
      .from(snapshots)
      .where(and(eq(snapshots.boardId, boardId), inArray(snapshots.kind, [...kinds])))
      .get()
    return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 }
  }
}

/** Deletes those of the snapshots that have no review data, relinking the chain of previous ids around each; how many it deleted. */
function deleteUnreviewed(tx: Tx, ids: string[]): number {
  if (ids.length === 0) return 0
  const reviewed = new Set(
    [
      ...tx.selectDistinct({ id: reviewComments.snapshotId }).from(reviewComments).where(inArray(reviewComments.snapshotId, ids)).all(),
      ...tx.selectDistinct({ id: reviewVerdicts.snapshotId }).from(reviewVerdicts).where(inArray(reviewVerdicts.snapshotId, ids)).all(),
      ...tx.selectDistinct({ id: reviewSignoffs.snapshotId }).from(reviewSignoffs).where(inArray(reviewSignoffs.snapshotId, ids)).all(),
    ].map((row) => row.id),
  )
  let deleted = 0
  for (const id of ids) {
    if (reviewed.has(id)) continue
    const gone = tx.select({ previousId: snapshots.previousId }).from(snapshots).where(eq(snapshots.id, id)).get()
    if (!gone) continue
    tx.update(snapshots).set({ previousId: gone.previousId }).where(eq(snapshots.previousId, id)).run()
    tx.delete(snapshots).where(eq(snapshots.id, id)).run()
    deleted++
  }
  return deleted
}

/** `atOrBefore` an ISO time as the store writes them: such times compare as text. */
function latestRow(db: SqliteDb | Tx, boardId: string, atOrBefore?: string): SnapshotRow | undefined {
  return db
    .select(summaryColumns)
    .from(snapshots)
    .where(and(eq(snapshots.boardId, boardId), atOrBefore === undefined ? undefined : lte(snapshots.createdAt, atOrBefore)))
    .orderBy(...newestFirst)
    .limit(1)
    .get() as SnapshotRow | undefined
}

/** The time of the board's newest log row, if it has one. */
function newestEdit(tx: Tx, boardId: string): string | undefined {
  return tx.select({ at: boardUpdates.createdAt }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).orderBy(desc(boardUpdates.seq)).limit(1).get()?.at
}


/** The moment a capture of the live board holding the rows up to `heldThroughSeq` is of (capturedContentTime). */
function contentTimeOf(tx: Tx, boardId: string, heldThroughSeq: number): string | null {
  const times = tx.select(captureTimes(HISTORY_TABLES, boardId, heldThroughSeq)).from(boards).where(eq(boards.id, boardId)).get()
  return capturedContentTime(boardId, times?.held ?? '', times?.next ?? undefined)
}

const HISTORY_TABLES = { updates: boardUpdates, checkpoints: boardCheckpoints, boards }
