import { asc, eq, inArray, isNull, max, sql } from 'drizzle-orm'
import { auditLog, boardChanges, boardCheckpoints, boardClientWriters, boards, boardUpdates } from '../../drizzle/sqlite/schema.ts'
import type { Clock } from '../clock.ts'
import { auditColumns } from './audit-rows.ts'
import { laterTime } from './later-time.ts'
import { idGroups } from './id-groups.ts'
import { oldestFirst } from './many-boards.ts'
import type { SqliteDb } from './sqlite-db.ts'
import { sqliteClientWriters, type SqliteClientWriters } from './sqlite-client-writers.ts'
import { addMember } from './sqlite-members.ts'
import type { BoardFounding, BoardRecord, BoardRecordStore, BoardSummary, NewAuditRecord, NewBoard, SummarizedNewBoard } from './storage.ts'

export class SqliteBoardRecordStore implements BoardRecordStore {
  /** Every upgrade and board request looks the board up: prepared once. */
  private readonly byId
  /** Written for every edited board once a second, and for each board that unloads: prepared once. */
  private readonly summaryWrite
  /** Who wrote the client ids of a new board's first state (BoardFounding.firstEntry.firstWrites). */
  private readonly clientWriters: SqliteClientWriters

  constructor(
    private readonly db: SqliteDb,
    private readonly clock: Clock,
  ) {
    this.byId = db.select().from(boards).where(eq(boards.id, sql.placeholder('id'))).prepare()
    // update … set takes SQL, not a bare placeholder: each column's value is a placeholder wrapped in one.
    const bound = (name: keyof BoardSummary) => sql`${sql.placeholder(name)}`
    const summary = {
      title: bound('title'),
      marking: bound('marking'),
      assessmentCount: bound('assessmentCount'),
      claimCount: bound('claimCount'),
      lastChangeAt: bound('lastChangeAt'),
    } satisfies Record<keyof BoardSummary, unknown>
    this.summaryWrite = db.update(boards).set(summary).where(eq(boards.id, sql.placeholder('id'))).prepare()
    this.clientWriters = sqliteClientWriters(db)
  }

  async create(board: NewBoard | SummarizedNewBoard, founding?: BoardFounding): Promise<boolean> {
    // better-sqlite3 runs the transaction synchronously, and a failed statement (a full disk) throws out of it whole.
    // It begins immediate (sqlite-db.ts): the file's write lock is held from the check for a board to the commit.
    return this.db.transaction((tx) => {
      if (founding?.onlyIfNoBoards && tx.select({ id: boards.id }).from(boards).limit(1).get()) return false
      tx.insert(boards).values(board).run()
      if (!founding) return true
      if (founding.owner) addMember(tx, founding.owner)
      tx.insert(auditLog).values(auditColumns(founding.audited)).run()
      const { update, origin, firstWrites } = founding.firstEntry
      const row = tx.insert(boardUpdates).values({ boardId: board.id, update: Buffer.from(update.buffer, update.byteOffset, update.byteLength), origin, createdAt: this.clock().toISOString() }).run()
      for (const writes of firstWrites ?? []) this.clientWriters.store(board.id, Number(row.lastInsertRowid), 0, writes)
      return true
    })
  }

  async get(id: string): Promise<BoardRecord | undefined> {
    return this.byId.get({ id })
  }

  async list(ids?: readonly string[]): Promise<BoardRecord[]> {
    if (ids === undefined) return this.db.select().from(boards).orderBy(asc(boards.createdAt), asc(boards.id)).all()
    return oldestFirst(idGroups(ids).flatMap((group) => this.db.select().from(boards).where(inArray(boards.id, group)).all()))
  }

  async summarize(id: string, summary: BoardSummary): Promise<void> {
    this.summaryWrite.run({ id, ...summary })
  }

  async unsummarized(): Promise<string[]> {
    return this.db.select({ id: boards.id }).from(boards).where(isNull(boards.assessmentCount)).orderBy(asc(boards.createdAt)).all().map((row) => row.id)
  }

  async lastWrittenAt(id: string): Promise<string | null> {
    const logged = this.db.select({ at: max(boardUpdates.createdAt) }).from(boardUpdates).where(eq(boardUpdates.boardId, id)).get()?.at
    const checkpointed = this.db.select({ at: max(boardCheckpoints.at) }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, id)).get()?.at
    return laterTime(logged ?? null, checkpointed ?? null)
  }

  async setArchived(id: string, archived: { at: string; by: string } | null, audited?: NewAuditRecord): Promise<boolean> {
    const change = { archivedAt: archived?.at ?? null, archivedBy: archived?.by ?? null }
    return this.db.transaction((tx) => {
      const updated = tx.update(boards).set(change).where(eq(boards.id, id)).run().changes === 1
      if (updated && audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return updated
    })
  }

  async delete(id: string, audited?: NewAuditRecord): Promise<void> {
    this.db.transaction((tx) => {
      tx.delete(boardUpdates).where(eq(boardUpdates.boardId, id)).run()
      tx.delete(boardCheckpoints).where(eq(boardCheckpoints.boardId, id)).run()
      tx.delete(boardChanges).where(eq(boardChanges.boardId, id)).run()
      tx.delete(boardClientWriters).where(eq(boardClientWriters.boardId, id)).run()
      tx.delete(boards).where(eq(boards.id, id)).run()
      if (audited) tx.insert(auditLog).values(auditColumns(audited)).run()
    })
  }
}
