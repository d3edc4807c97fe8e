/**
 * A transaction whose COMMIT was sent and never answered (its connection
 * dropped as the database committed: a failover, a network blip, a pooler's
 * restart) may or may not have committed; one that only read is answered with
 * what it read, whatever became of it. Taken as failed, a change that did
 * commit went without what follows its commit (the sockets its audit entry
 * tells closed, on an instance that listens to no other word of it), and was
 * sent again by whoever was told it failed: a second board, its log rows
 * twice. So each transaction that wrote notes its id just before its COMMIT,
 * and when the COMMIT fails PostgreSQL is asked, on another connection, what
 * became of it (txid_status): committed, the transaction resolves as if
 * answered; rolled back, it fails as it did; not to be learned in time (the
 * database cannot be asked), it fails with CommitOutcomeUnknown.
 */
import type postgres from 'postgres'
import { withDeadline } from '../health/deadline.ts'
import { CommitOutcomeUnknown } from './storage-errors.ts'

/** The first pause between two questions; each next one is twice as long, up to the longest. */
const FIRST_PAUSE_MS = 10
const LONGEST_PAUSE_MS = 500

/** A transaction's 64-bit id (txid) as text, and its xid as pg_stat_activity shows it: the low 32 bits. */
const XID_WRAP = 4294967296n

/**
 * The client as Drizzle gets it, its transactions' failed COMMITs looked up
 * for `lookupMs` at most (client.begin is all Drizzle uses to open one).
 */
export function withCommitOutcomesLookedUp<Types extends Record<string, unknown>>(client: postgres.Sql<Types>, lookupMs: number): postgres.Sql<Types> {
  type Transaction<T> = (sql: postgres.TransactionSql<Types>) => T | Promise<T>
  const begin = async <T>(...args: [Transaction<T>] | [string, Transaction<T>]) => {
    const transaction = args.length === 1 ? args[0] : args[1]
    let committing: { txid: string | null; result: T } | undefined
    const noted = async (sql: postgres.TransactionSql<Types>): Promise<T> => {
      const result = await transaction(sql)
      // Null when the transaction wrote nothing: no id was given it.
      const [row] = await sql<{ txid: string | null }[]>`select txid_current_if_assigned()::text as txid`
      committing = { txid: row?.txid ?? null, result }
      return result
    }
    try {
      return await (args.length === 1 ? client.begin(noted) : client.begin(args[0], noted))
    } catch (error) {
      if (!committing) throw error
      // It only read (at most repeatable read, whose reads stand whatever becomes of its COMMIT): what it read is its answer.
      if (committing.txid === null) return committing.result
      const outcome = await outcomeOf(client, committing.txid, lookupMs)
      if (outcome === 'committed') return committing.result
      if (outcome === 'aborted') throw error
      throw new CommitOutcomeUnknown(error)
    }
  }
  return new Proxy(client, { get: (target, key) => (key === 'begin' ? begin : Reflect.get(target, key)) })
}

/**
 * What became of the transaction `txid`, asked until `lookupMs` have passed;
 * null if it could not be learned. Still in progress, its backend has not yet
 * noticed that its connection dropped (a half-open network hides it until
 * the idle-in-transaction timeout): it is ended, which rolls back a
 * transaction whose COMMIT never reached it, and lets one under way finish
 * first, so that the next question has its answer.
 */
async function outcomeOf<Types extends Record<string, unknown>>(client: postgres.Sql<Types>, txid: string, lookupMs: number): Promise<'committed' | 'aborted' | null> {
  const giveUpAt = performance.now() + lookupMs
  const left = () => Math.max(0, giveUpAt - performance.now())
  const xid = (BigInt(txid) % XID_WRAP).toString()
  for (let attempt = 0; left() > 0; attempt++) {
    try {
      const [row] = await withDeadline(client<{ status: string | null }[]>`select txid_status(${txid}::bigint) as status`, left(), 'the look-up of a commit')
      if (row?.status === 'committed' || row?.status === 'aborted') return row.status
      await withDeadline(client`select pg_terminate_backend(pid) from pg_stat_activity where backend_xid::text = ${xid}`, left(), 'the end of a lost commit’s backend')
    } catch {
      // The database cannot be asked yet: asked again until the time is up.
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(FIRST_PAUSE_MS * 2 ** attempt, LONGEST_PAUSE_MS, left())))
  }
  return null
}
