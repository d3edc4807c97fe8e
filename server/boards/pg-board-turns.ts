/**
 * A board's turn across the instances sharing one PostgreSQL database: a
 * transaction-scoped advisory lock keyed by the board, held in a transaction
 * for as long as the change takes, on a small pool of its own so that turns
 * held for seconds (a large import worked out) never take the storage's
 * connections. The instance's own changes queue first (ProcessTurns), so the
 * database only ever sees one of them per board.
 *
 * A session can lose the lock while its change is still worked out (its
 * backend ended, its connection idle past the hold limit), and another
 * instance then take the turn: the change is committed only while the session
 * still holds the lock, and the next turn waits for a commit that found it
 * held (PgUpdateLogStore.appendInTurn, waitForCommitsInTurn).
 *
 * The lock is tried rather than waited for: a wait would run into the
 * statement timeout behind a long change, and the connection would sit in a
 * blocked statement rather than back in the pool.
 */
import postgres from 'postgres'
import { ProcessTurns, type BoardTurns } from './board-turns.ts'
import type { TurnHolder } from '../storage/storage.ts'
import { PoolSockets, SILENCE_MARGIN_MS, type SocketOption } from '../storage/pg-pool-sockets.ts'
import { withoutRollbackOnClosedConnections, WITHOUT_ARRAY_TYPES } from '../storage/postgres.ts'

export type PgBoardTurnsOptions = {
  url: string
  statementTimeoutMs: number
  connectTimeoutMs: number
  /**
   * The longest a turn may be held by a transaction left open (a holder stuck
   * or gone silent): PostgreSQL then ends it, freeing the board. A turn is held
   * while an import or restore is worked out (each within its worker time
   * budget, a restore up to twice) and committed.
   */
  holdLimitMs: number
}

/** Boards whose turns are held at once on this instance; one more waits for a connection. */
const CONNECTIONS = 4
const FIRST_RETRY_MS = 5
const LONGEST_RETRY_MS = 250

export class PgBoardTurns implements BoardTurns {
  private readonly here = new ProcessTurns()
  private readonly sql: postgres.Sql
  private readonly sockets: PoolSockets

  constructor(options: PgBoardTurnsOptions) {
    // No healthy turn is silent longer than PostgreSQL lets its transaction sit idle: a connection that is (the network
    // dropped it unsaid) would otherwise wait for its COMMIT's answer for good, and hold its board's turn with it.
    this.sockets = new PoolSockets(options.holdLimitMs + SILENCE_MARGIN_MS)
    const settings: postgres.Options<Record<string, never>> & SocketOption = {
      max: CONNECTIONS,
      ...WITHOUT_ARRAY_TYPES,
      onnotice: () => {},
      connect_timeout: options.connectTimeoutMs / 1000,
      idle_timeout: options.statementTimeoutMs / 1000,
      socket: this.sockets.open,
      connection: {
        statement_timeout: options.statementTimeoutMs,
        idle_in_transaction_session_timeout: options.holdLimitMs,
        application_name: 'assay-board-turns',
      },
    }
    this.sql = withoutRollbackOnClosedConnections(postgres(options.url, settings))
  }

  take<T>(boardId: string, work: (turn: TurnHolder) => Promise<T>): Promise<T> {
    return this.here.take(boardId, () => this.acrossInstances(boardId, work))
  }

  private async acrossInstances<T>(boardId: string, work: (turn: TurnHolder) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let working: Promise<T> | undefined
      const outcome = await this.sql
        .begin(async (tx) => {
          const [row] = await tx<{ held: boolean; lockKey: number; pid: number; backendStart: string }[]>`
            select pg_try_advisory_xact_lock(key) as held, key as "lockKey", pg_backend_pid() as pid,
              (select backend_start::text from pg_stat_activity where pid = pg_backend_pid()) as "backendStart"
            from (select hashtext(${'assay-board-turn:' + boardId}) as key) turn`
          if (!row?.held) return { held: false as const }
          await waitForCommitsInTurn(tx, boardId)
          working = work({ pid: row.pid, backendStart: row.backendStart, lockKey: row.lockKey })
          return { held: true as const, value: await working }
        })
        .catch(async (error: unknown) => {
          // The turn's connection closed under the work (its backend ended, the database restarted), which begin() says at
          // once: the work goes on all the same, so it keeps this process' turn until it settles, and its outcome is the change's
          // (its commit refused, TurnLost: another instance may have taken the turn).
          if (!working) throw error
          return { held: true as const, value: await working }
        })
      if (outcome.held) return outcome.value as T
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)))
    }
  }

  close(): Promise<void> {
    return this.sockets.end(this.sql, 5)
  }
}

/**
 * The turn's side of the fence (PgUpdateLogStore.appendInTurn): a change made
 * in the turn before, whose session lost it, may be committing now, having
 * found its turn held; it holds the board's row until it has committed. So the
 * turn, held now, waits for that row before anything reads the board, and
 * lets it go at once (the savepoint rolled back), since its own changes take
 * the row from another session.
 */
async function waitForCommitsInTurn(tx: postgres.TransactionSql<Record<string, never>>, boardId: string): Promise<void> {
  await tx`savepoint waiting_for_commits_in_turn`
  await tx`select 1 from boards where id = ${boardId} for share`
  await tx`rollback to savepoint waiting_for_commits_in_turn`
}

/** Doubling from 5 ms to at most 250 ms, with jitter, so instances waiting on one board do not try in step. */
function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** attempt, LONGEST_RETRY_MS) * (0.5 + Math.random() / 2)
}
