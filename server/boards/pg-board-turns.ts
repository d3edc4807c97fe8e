/**
 * A board's turn across the instances sharing one PostgreSQL database: a
 * transaction-scoped advisory lock keyed by the board, held in a transaction
 * for as long as the change takes, on a small pool of its own so that turns
 * held for seconds (a large import worked out) never take the storage's
 * connections. The instance's own changes queue first (ProcessTurns), so the
 * database only ever sees one of them per board.
 *
 * The lock is tried rather than waited for: a wait would run into the
 * statement timeout behind a long change, and the connection would sit in a
 * blocked statement rather than back in the pool.
 */
import postgres from 'postgres'
import { ProcessTurns, type BoardTurns } from './board-turns.ts'
import { silenceLimitedSocket, SILENCE_MARGIN_MS, withoutRollbackOnClosedConnections, WITHOUT_ARRAY_TYPES, type SocketOption } from '../storage/postgres.ts'

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

  constructor(options: PgBoardTurnsOptions) {
    const settings: postgres.Options<Record<string, never>> & SocketOption = {
      max: CONNECTIONS,
      ...WITHOUT_ARRAY_TYPES,
      onnotice: () => {},
      connect_timeout: options.connectTimeoutMs / 1000,
      idle_timeout: options.statementTimeoutMs / 1000,
      // No healthy turn is silent longer than PostgreSQL lets its transaction sit idle: a connection that is (the network
      // dropped it unsaid) would otherwise wait for its COMMIT's answer for good, and hold its board's turn with it.
      socket: silenceLimitedSocket(options.holdLimitMs + SILENCE_MARGIN_MS),
      connection: {
        statement_timeout: options.statementTimeoutMs,
        idle_in_transaction_session_timeout: options.holdLimitMs,
        application_name: 'assay-board-turns',
      },
    }
    this.sql = withoutRollbackOnClosedConnections(postgres(options.url, settings))
  }

  take<T>(boardId: string, work: () => Promise<T>): Promise<T> {
    return this.here.take(boardId, () => this.acrossInstances(boardId, work))
  }

  private async acrossInstances<T>(boardId: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let working: Promise<T> | undefined
      const outcome = await this.sql
        .begin(async (tx) => {
          const [row] = await tx<{ held: boolean }[]>`select pg_try_advisory_xact_lock(hashtext(${'assay-board-turn:' + boardId})) as held`
          if (!row?.held) return { held: false as const }
          working = work()
          return { held: true as const, value: await working }
        })
        .catch(async (error: unknown) => {
          // The turn's connection closed under the work (its backend ended, the database restarted), which begin() says at
          // once: the work goes on all the same, so it keeps this process' turn until it settles, and its outcome is the change's.
          if (!working) throw error
          return { held: true as const, value: await working }
        })
      if (outcome.held) return outcome.value as T
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)))
    }
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 })
  }
}

/** Doubling from 5 ms to at most 250 ms, with jitter, so instances waiting on one board do not try in step. */
function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** attempt, LONGEST_RETRY_MS) * (0.5 + Math.random() / 2)
}
