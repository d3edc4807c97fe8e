/**
 * The rows after a board's latest checkpoint, which names the log's state for
 * every history read, are counted once and then only for the rows added since
 * (storage/tail-counts.ts): a board that never compacts had all its rows
 * counted on each read, some 24 ms at 100,000 rows on the relay's thread. Two
 * storages on one database stand for two instances: the one reading counts
 * the rows the other appends, and counts afresh after the other compacts.
 */
import { rmSync } from 'node:fs'
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { foldLog } from '../../server/history/fold-log.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { perTest } from '../helpers/per-test.ts'
import { createMigratedDatabase, dropDatabase, freshDatabaseName, openTestStorage, tempDir } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

const BOARD = 'tail-counted'

describeEachDialect(postgresMissing, 'the tail counted once on %s', (dialect) => {
  const instances = perTest(
    async () => {
      const dataDir = tempDir()
      const database = freshDatabaseName()
      if (dialect === 'postgres') await createMigratedDatabase(database)
      const reading = await openTestStorage(dialect, dataDir, database)
      const appending = await openTestStorage(dialect, dataDir, database)
      await reading.boards.create({ id: BOARD, title: 'Counted', createdAt: new Date().toISOString(), createdBy: null })
      return { dataDir, database, reading, appending, typing: new Y.Doc() }
    },
    async ({ dataDir, database, reading, appending, typing }) => {
      typing.destroy()
      await Promise.all([reading.close(), appending.close()])
      rmSync(dataDir, { recursive: true, force: true })
      if (dialect === 'postgres') await dropDatabase(database)
    },
  )

  /** `count` keystrokes, a row each, appended through `storage`; the last row's number. */
  const typed = async (storage: Storage, count: number): Promise<number> => {
    const rows: Uint8Array[] = []
    const record = (update: Uint8Array) => rows.push(update)
    instances.typing.on('update', record)
    const notes = instances.typing.getText('notes')
    for (let i = 0; i < count; i++) notes.insert(notes.length, 'x')
    instances.typing.off('update', record)
    return storage.log.append(
      BOARD,
      rows.map((update) => ({ update, origin: 'ws:typist' })),
    )
  }

  it("counts the rows another instance appends, and afresh after the other's compaction", async () => {
    const { reading, appending } = instances
    await typed(reading, 5)
    expect((await reading.history.tailState(BOARD)).rows).toBe(5)

    const last = await typed(appending, 3)
    expect(await reading.history.tailState(BOARD)).toEqual({ throughSeq: 0, rows: 8, lastSeq: last })
    expect(await reading.history.tailState(BOARD)).toEqual({ throughSeq: 0, rows: 8, lastSeq: last })

    await appending.log.compact(BOARD, foldLog)
    expect(await reading.history.tailState(BOARD)).toEqual({ throughSeq: last, rows: 0, lastSeq: null })
    const newest = await typed(appending, 2)
    expect(await reading.history.tailState(BOARD)).toEqual({ throughSeq: last, rows: 2, lastSeq: newest })
  })

  it('counts only the rows added since it last counted, not all of them again', async () => {
    const { reading, appending } = instances
    const second = await typed(reading, 2)
    await typed(reading, 3)
    expect((await reading.history.tailState(BOARD)).rows).toBe(5)
    // Out of band, as only `assay board set-aside-damaged` deletes a row after the checkpoint (refused while a server serves):
    // a storage that counts every row sees it gone, the one that counted before counts only the row added since.
    await appending.history.deleteRows(BOARD, [second])
    await typed(appending, 1)

    expect((await appending.history.tailState(BOARD)).rows).toBe(5)
    expect((await reading.history.tailState(BOARD)).rows).toBe(6)
  })
})
