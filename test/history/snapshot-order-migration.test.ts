/**
 * The migration that gave snapshots their order (sqlite 0013, pg 0012) on a
 * database an earlier version wrote: only the snapshots that tie on (board,
 * time) are numbered, in the order they were made (SQLite: as stored; PostgreSQL:
 * along the previous_id chain, whatever their ids), every other row left as it
 * was (seq null); an instance not yet upgraded still stores snapshots (no seq),
 * and the order stays total. A CLI command leaves a board ahead of the clock as
 * it is: only a server's start dates it back.
 */
import { afterEach, expect, it } from 'vitest'
import type { Storage } from '../../server/storage/storage.ts'
import { olderDatabase, onDatabase, type OlderDatabase } from '../helpers/older-database.ts'
import { runCli } from '../helpers/run-cli.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { openTestStorage, type Dialect } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')
/** The last migration before the order's, on each dialect. */
const BEFORE: Record<Dialect, string> = { sqlite: '0012_board_client_writers', postgres: '0011_board_client_writers' }
const T1 = '2026-01-01T00:00:00.000Z'
const T2 = '2026-01-02T00:00:00.000Z'
const T3 = '2026-01-03T00:00:00.000Z'
const T4 = '2026-01-04T00:00:00.000Z'
const AHEAD = '2999-01-01T00:00:00.000Z'

/** A snapshot row as the earlier version stored it: no seq. */
const snapshotRow = (dialect: Dialect, board: string, id: string, at: string, previous: string | null) =>
  `insert into snapshots (id, board_id, label, kind, state, content_hash, author_id, author_name, created_at, previous_id) values ('${id}', '${board}', '${id}', 'named', ${dialect === 'postgres' ? `'\\x00'` : `x'00'`}, 'hash', null, 'Someone', '${at}', ${previous === null ? 'null' : `'${previous}'`})`

/**
 * Board b: m alone at T1, then z, a, k made in that order and dated back together to T2 (ids out of that order), then d
 * alone at T3. Board c: q then p, tied. Rows stored in the order made.
 */
const OLDER_ROWS = (dialect: Dialect) => [
  `insert into boards (id, title, created_at) values ('b', 'B', '${T1}'), ('c', 'C', '${T1}')`,
  snapshotRow(dialect, 'b', 'm', T1, null),
  snapshotRow(dialect, 'b', 'z', T2, 'm'),
  snapshotRow(dialect, 'c', 'q', T2, null),
  snapshotRow(dialect, 'b', 'a', T2, 'z'),
  snapshotRow(dialect, 'c', 'p', T2, 'q'),
  snapshotRow(dialect, 'b', 'k', T2, 'a'),
  snapshotRow(dialect, 'b', 'd', T3, 'k'),
]

describeEachDialect(postgresMissing, 'the snapshot order migrated on %s', (dialect) => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function older(rows: readonly string[]): Promise<OlderDatabase> {
    const database = await olderDatabase(dialect, BEFORE[dialect], rows)
    cleanups.push(() => database.destroy())
    return database
  }
  async function opened({ dataDir, database }: OlderDatabase): Promise<Storage> {
    const storage = await openTestStorage(dialect, dataDir, database)
    cleanups.push(() => storage.close())
    return storage
  }
  const seqs = ({ dataDir, database }: OlderDatabase) =>
    onDatabase(dialect, dataDir, database, async (run) => Object.fromEntries((await run('select id, seq from snapshots order by id')).map((row) => [row.id, row.seq === null ? null : Number(row.seq)])))
  const listed = async (storage: Storage, boardId: string) => (await storage.snapshots.list(boardId)).map((snapshot) => snapshot.id)

  it('numbers only the snapshots that tie, in the order they were made', async () => {
    const database = await older(OLDER_ROWS(dialect))
    const storage = await opened(database)
    expect(await seqs(database)).toEqual({ m: null, z: 1, a: 2, k: 3, d: null, q: 1, p: 2 })
    expect(await listed(storage, 'b')).toEqual(['d', 'k', 'a', 'z', 'm'])
    expect(await listed(storage, 'c')).toEqual(['p', 'q'])
    expect((await storage.snapshots.latest('b', T2))?.id).toBe('k')
  })

  it('stores the snapshots of an instance not yet upgraded, and keeps one order', async () => {
    const database = await older(OLDER_ROWS(dialect))
    const storage = await opened(database)
    // Two, as an instance of the earlier version stores them (no seq), dated back together.
    await onDatabase(dialect, database.dataDir, database.database, async (run) => {
      await run(snapshotRow(dialect, 'b', 'o2', T4, 'd'))
      await run(snapshotRow(dialect, 'b', 'o1', T4, 'o2'))
    })
    const made = await storage.snapshots.create({ id: 'n', boardId: 'b', label: 'New', kind: 'named', contentHash: 'hash', authorId: null, authorName: 'Someone', state: new Uint8Array([0]) })
    expect(made?.previousId).toBe('o2')
    expect(await seqs(database)).toMatchObject({ o1: null, o2: null, n: 4 })
    // Those two tie on time and seq: the id orders them.
    expect(await listed(storage, 'b')).toEqual(['n', 'o2', 'o1', 'd', 'k', 'a', 'z', 'm'])
  })
})

it('leaves a board ahead of the clock as it is when a CLI command runs: only a server dates it back', async () => {
  const cleanups: (() => Promise<void>)[] = []
  try {
    const database = await olderDatabase('sqlite', BEFORE.sqlite, [`insert into boards (id, title, created_at) values ('b', 'B', '${T1}')`, snapshotRow('sqlite', 'b', 'm', AHEAD, null)])
    cleanups.push(() => database.destroy())
    const listing = await runCli(['board', 'list'], { DATA_DIR: database.dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent' })
    expect(listing.code, listing.stderr).toBe(0)
    expect(listing.stdout).toMatch(/^b\tB\t/)
    const times = await onDatabase('sqlite', database.dataDir, database.database, (run) => run('select created_at from snapshots'))
    expect(times).toEqual([{ created_at: AHEAD }])
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup()
  }
}, 60_000)
