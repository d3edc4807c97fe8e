/**
 * A compaction may delete the checkpoint it supersedes when the rows since
 * the kept one before do not earn it (earned-copies.ts): its moments are then
 * rebuilt from those rows. A thinning that planned to drop the rows through
 * that very checkpoint (the boundary of its detail window), the compaction
 * committing between its plan and the drop, must leave them: without the
 * check, the rows and the checkpoint both went, and the board as of a moment
 * the checkpoint held was no longer kept. On SQLite and PostgreSQL, through
 * storage, as the interleaving cannot be timed through a server.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { foldLog } from '../../server/history/fold-log.ts'
import { readAsOfLog } from '../../server/history/as-of-log.ts'
import { applyStoredState } from '../../server/relay/merge-state.ts'
import type { HistoryPolicy, HistoryStore } from '../../server/storage/storage.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { perTest } from '../helpers/per-test.ts'
import { DAY, HOUR, MINUTE, testClock } from '../helpers/test-clock.ts'
import { openFreshStorage } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

const BOARD = 'thinned-as-folded'
/** Past a small board's copies, which are always kept. */
const PASTED = 'x'.repeat(100_000)
const POLICY: HistoryPolicy = { detailMs: 7 * DAY, checkpointEveryMs: HOUR, retentionMs: 365 * DAY, maxBytes: 2 ** 40 }

describeEachDialect(postgresMissing, 'thinning while a compaction deletes a checkpoint on %s', (dialect) => {
  const fixture = perTest(
    async () => {
      const clock = testClock()
      const fresh = await openFreshStorage(dialect, clock)
      await fresh.storage.boards.create({ id: BOARD, title: 'Thinned as folded', createdAt: clock.iso(), createdBy: null })
      return { clock, fresh, doc: new Y.Doc() }
    },
    async ({ fresh, doc }) => {
      doc.destroy()
      await fresh.destroy()
    },
  )

  /** Types `text` at the end of the board's notes, one log row, and folds the log. */
  const typedAndFolded = async (text: string) => {
    const { doc, fresh } = fixture
    const updates: Uint8Array[] = []
    const collect = (update: Uint8Array) => updates.push(update)
    doc.on('update', collect)
    doc.getText('notes').insert(doc.getText('notes').length, text)
    doc.off('update', collect)
    await fresh.storage.log.append(BOARD, [{ update: Y.mergeUpdates(updates), origin: 'ws:ana' }])
    await fresh.storage.log.compact(BOARD, foldLog)
  }

  /** The notes as of `at`, and whether the read was exact. */
  const notesAsOf = async (at: string) => {
    const read = await readAsOfLog({ storage: fixture.fresh.storage }, BOARD, at)
    if (read?.kind !== 'kept') throw new Error(`the board as of ${at} is not kept: ${JSON.stringify(read)}`)
    const rebuilt = new Y.Doc()
    applyStoredState(rebuilt, read.log)
    const notes = rebuilt.getText('notes').toString()
    rebuilt.destroy()
    return { notes, exact: read.exact }
  }

  it('leaves the rows through a checkpoint the compaction deleted after the thinning planned on it', async () => {
    const { clock, fresh } = fixture
    const { history } = fresh.storage
    await typedAndFolded(PASTED)
    clock.advance(MINUTE)
    await typedAndFolded('B')
    const moment = clock.iso()
    expect((await history.checkpoints(BOARD)).length).toBe(2)
    clock.advance(8 * DAY)

    // The plan is made of the two checkpoints, the newest the boundary; then a keystroke is folded, which supersedes it unearned.
    let folded = false
    const interleaved: HistoryStore = Object.assign(Object.create(history) as HistoryStore, {
      async checkpoints(boardId: string) {
        const kept = await history.checkpoints(boardId)
        if (!folded) {
          folded = true
          await typedAndFolded('C')
        }
        return kept
      },
    })
    await interleaved.thin(BOARD, POLICY, clock.iso())
    expect(folded).toBe(true)
    expect((await history.checkpoints(BOARD)).map((checkpoint) => checkpoint.throughSeq)).toEqual([1, 3])
    expect(await notesAsOf(moment)).toEqual({ notes: `${PASTED}B`, exact: true })

    // The next thinning plans on what is kept: the rows through the first checkpoint go, and the moment still reads as it was.
    await history.thin(BOARD, POLICY, clock.iso())
    expect((await history.keptStart(BOARD)).oldestRow).toBe(2)
    expect(await notesAsOf(moment)).toEqual({ notes: `${PASTED}B`, exact: true })
  })
})
