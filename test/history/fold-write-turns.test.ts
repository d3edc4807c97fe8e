/**
 * On SQLite a compaction writes the changes it records a batch per
 * transaction, the event loop turning between them, and its checkpoint last
 * (server/storage/sqlite-fold-write.ts): in one transaction, the 5 to 50 MB of
 * changes a slice of 20,000 rows records held every board's relay for one to
 * two seconds. Through storage, on real SQLite: the event loop turns between
 * a fold's batches, and the changes listed meanwhile are none of them; a
 * process ended between them, as a crash ends it, loses none of the changes
 * and counts none twice once the board is folded again.
 */
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { AssessmentChangeRecord, Storage, StoredChange } from '../../server/storage/storage.ts'
import { compiledScript } from '../helpers/compiled-processes.ts'
import { openTestStorage, tempDir } from '../helpers/test-server.ts'
import { appendWideRows, WIDE_FOLD_ROWS, wideFold } from '../helpers/wide-fold.ts'

const BOARD = 'folded-in-turns'
const CUT_OFF = compiledScript(fileURLToPath(new URL('../helpers/fold-cut-off.ts', import.meta.url)))

describe('a fold written in turns on SQLite', () => {
  let dataDir: string | undefined
  let storage: Storage | undefined

  afterEach(async () => {
    await storage?.close()
    storage = undefined
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    dataDir = undefined
  })

  const open = async () => (storage = await openTestStorage('sqlite', (dataDir ??= tempDir()), ''))

  /** The recorded changes as a listing reads them: up to the latest checkpoint, which the rows it attributes itself start from (change-listing.ts). */
  const listed = async (opened: Storage): Promise<StoredChange[]> => {
    const { throughSeq } = await opened.history.tailState(BOARD)
    return opened.history.changes(BOARD, { throughSeq, limit: 10 * WIDE_FOLD_ROWS })
  }

  const boardWithWideRows = async () => {
    const opened = await open()
    await opened.boards.create({ id: BOARD, title: 'Folded in turns', createdAt: new Date().toISOString(), createdBy: null })
    await appendWideRows(opened.log, BOARD)
    return opened
  }

  it('turns the event loop between the batches of changes, none of them listed before the checkpoint', async () => {
    const opened = await boardWithWideRows()
    /** What each turn of the event loop found while the fold was written: changes stored and listed, checkpoints. */
    const turns: { stored: number; listed: number; checkpoints: number }[] = []
    let compacting = true
    const lookEachTurn = async () => {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve))
        if (!compacting) return
        const { changes, checkpoints } = await opened.history.size(BOARD)
        turns.push({ stored: changes, listed: (await listed(opened)).length, checkpoints })
      }
    }
    // Awaited together: a look that fails fails the test (its rejection owned, even once the fold has failed), and none begins after the fold ends.
    const [compacted] = await Promise.all([opened.log.compact(BOARD, wideFold).finally(() => (compacting = false)), lookEachTurn()])

    expect(compacted.mergedRows).toBe(WIDE_FOLD_ROWS)
    const between = turns.filter((turn) => turn.stored > 0 && turn.checkpoints === 0)
    expect(between.length).toBeGreaterThan(0)
    expect(between.every((turn) => turn.listed === 0)).toBe(true)
    expect((await listed(opened)).length).toBe(WIDE_FOLD_ROWS)
  })

  it('folds a board whose fold a crash cut off between its batches with every change once', async () => {
    const before = await boardWithWideRows()
    // What the fold records, worked out from the rows as the crashed process and the next fold work it out.
    const expected = wideFold(null, (await before.history.tail(BOARD)).rows).changes
    await before.close()
    storage = undefined
    const child = spawn(process.execPath, [CUT_OFF, dataDir!, BOARD], { stdio: ['ignore', 'pipe', 'inherit'] })
    let said = ''
    child.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()))
    await new Promise((resolve) => child.on('exit', resolve))
    expect(said.trim()).toBe('cut off')

    const opened = await open()
    const left = await opened.history.size(BOARD)
    // Some of the fold's changes, past a checkpoint never written: listed nowhere.
    expect(left.checkpoints).toBe(0)
    expect(left.changes).toBeGreaterThan(0)
    expect(left.changes).toBeLessThan(WIDE_FOLD_ROWS)
    expect(await listed(opened)).toEqual([])

    const compacted = await opened.log.compact(BOARD, wideFold)
    expect(compacted.mergedRows).toBe(WIDE_FOLD_ROWS)
    expect((await opened.history.tail(BOARD)).rows).toEqual([])
    expect((await opened.history.size(BOARD)).changes).toBe(WIDE_FOLD_ROWS)
    const changes = await listed(opened)
    const key = (change: AssessmentChangeRecord) => [change.seq, change.assessmentId, change.field, change.fromValue, change.toValue, change.author, change.at].join('\u0000')
    expect(changes.map(key).sort()).toEqual(expected.map(key).sort())
  })
})
